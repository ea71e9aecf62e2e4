import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_queues_and_slots.js';
import * as m0003 from './0003_callbacks.js';
import * as m0004 from './0004_events.js';
import * as m0005 from './0005_client_token_generation.js';
import * as m0006 from './0006_campaign_queue.js';
import * as m0007 from './0007_actor_names.js';
import * as m0008 from './0008_preview_contact_queue.js';
import * as m0009 from './0009_waited_seconds.js';
import * as m0010 from './0010_reconcile.js';
import * as m0011 from './0011_campaign_lifecycle.js';
import * as m0012 from './0012_callback_retries.js';
import * as m0013 from './0013_console_people.js';
import * as m0014 from './0014_campaign_history_actor_kind.js';
import * as m0015 from './0015_reports.js';
import * as m0016 from './0016_publishable_keys.js';
import * as m0017 from './0017_manage_tokens.js';
import * as m0018 from './0018_callbacks_created_order.js';
import * as m0019 from './0019_offer_controls.js';
import * as m0020 from './0020_holiday_calendars.js';
import * as m0021 from './0021_callback_routing.js';
import * as m0022 from './0022_notifications.js';
import * as m0023 from './0023_upcoming_checks.js';
import * as m0024 from './0024_call_in.js';
import * as m0025 from './0025_delayed_call_in.js';

/** Every migration, by name, in order. Add a new file and list it here; never edit an applied one. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_queues_and_slots': m0002,
  '0003_callbacks': m0003,
  '0004_events': m0004,
  '0005_client_token_generation': m0005,
  '0006_campaign_queue': m0006,
  '0007_actor_names': m0007,
  '0008_preview_contact_queue': m0008,
  '0009_waited_seconds': m0009,
  '0010_reconcile': m0010,
  '0011_campaign_lifecycle': m0011,
  '0012_callback_retries': m0012,
  '0013_console_people': m0013,
  '0014_campaign_history_actor_kind': m0014,
  '0015_reports': m0015,
  '0016_publishable_keys': m0016,
  '0017_manage_tokens': m0017,
  '0018_callbacks_created_order': m0018,
  '0019_offer_controls': m0019,
  '0020_holiday_calendars': m0020,
  '0021_callback_routing': m0021,
  '0022_notifications': m0022,
  '0023_upcoming_checks': m0023,
  '0024_call_in': m0024,
  '0025_delayed_call_in': m0025,
};
