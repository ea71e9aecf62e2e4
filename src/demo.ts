import { systemCaller } from './auth/caller.js';
import { systemClock } from './clock.js';
import { contextFor, createCaches } from './context.js';
import { createSimulatedGateway } from './genesys/simulated-gateway.js';
import { sql, type Kysely } from 'kysely';
import { createCallInGroup } from './callin/groups.js';
import { createCampaign } from './campaigns/service.js';
import { createRule } from './capacity/service.js';
import { countClients } from './clients/queries.js';
import { createClient, type ApiClient } from './clients/service.js';
import type { DB } from './db/types.js';
import { EXAMPLE_CALL_IN_GROUP, EXAMPLE_DNIS } from './http/schemas.js';
import { createHours } from './hours/service.js';
import { createNumberRule } from './numbers/service.js';
import { createQueue } from './queues/service.js';
import { countUsers } from './users/queries.js';
import { createUser } from './users/service.js';

export interface DemoSeed {
  /** Created on a database with no clients; their secrets are shown once. */
  clients: {
    admin: { client: ApiClient; clientSecret: string };
    actions: { client: ApiClient; clientSecret: string };
  } | null;
  /** A demo administrator for the console, created on a database with no person accounts; its password is shown once. */
  person: { username: string; password: string } | null;
  /** Created on a database with no queues, with the demo campaign. */
  queue: { id: string; name: string } | null;
}

export const DEMO_QUEUE = 'Demo';
/** The console's demo administrator (a person account, not an API client). */
export const DEMO_ADMIN_USERNAME = 'demo-admin';
/** An always-running campaign for `/actions/v1/campaign-callbacks` (the API docs' example names it). */
export const DEMO_CAMPAIGN = 'Demo campaign';
/** The demo call-in group's pool: five toll-free numbers from the fictional 555-01xx range. */
const DEMO_DNIS = [EXAMPLE_DNIS, '+18005550101', '+18005550102', '+18005550103', '+18005550104'];
const SEED_LOCK_KEY = 7_311_845_202;
const actor = systemCaller('demo');

/**
 * A first start on the embedded database gets a demo administrator client and person, a demo data-action client, a
 * demo queue (hours, number rule, capacity rule) and a demo campaign, so every endpoint can be tried at once. A second
 * instance starting at the same moment waits on the lock and finds them there.
 */
export async function seedDemo(db: Kysely<DB>): Promise<DemoSeed> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SEED_LOCK_KEY})`.execute(trx);
    const ctx = contextFor({ db: trx, clock: systemClock, gateway: createSimulatedGateway(trx), caches: createCaches() }, actor);
    let clients: DemoSeed['clients'] = null;
    if ((await countClients(trx)) === 0) {
      clients = {
        admin: await createClient(ctx, { name: 'demo-admin', roles: ['administrator'] }),
        actions: await createClient(ctx, { name: 'demo-actions', roles: ['actions', 'events'] }),
      };
    }
    let person: DemoSeed['person'] = null;
    if ((await countUsers(trx)) === 0) {
      const { user, password } = await createUser(ctx, { username: DEMO_ADMIN_USERNAME, displayName: 'Demo administrator', roles: ['administrator'] });
      person = { username: user.username, password: password! };
    }
    let queue: DemoSeed['queue'] = null;
    const { n } = await trx.selectFrom('queues').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(n) === 0) {
      const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
      const hours = await createHours(
        ctx,
        {
          name: 'Demo hours',
          timezone: 'America/New_York',
          weekly: { ...Object.fromEntries(weekdays.map((d) => [d, [{ start: '08:00', end: '18:00' }]])), saturday: [{ start: '09:00', end: '13:00' }] },
          exceptions: [],
        },
      );
      const numbers = await createNumberRule(ctx, {
        name: 'Demo numbers',
        permittedCountries: ['US', 'CA'],
        blockedPatterns: ['^1900', '^1976'],
        blockedNumberTypes: ['PREMIUM_RATE', 'SHARED_COST'],
      });
      const lunchPeak = Object.fromEntries(weekdays.map((d) => [d, { '08:00': 5, '09:00': 5, '10:00': 5, '11:00': 5, '12:00': 8, '13:00': 8, '14:00': 5, '15:00': 5, '16:00': 5, '17:00': 5 }]));
      const capacity = await createRule(ctx, { name: 'Demo capacity', timeslotLength: 'hour', cells: { ...lunchPeak, saturday: { '09:00': 3, '10:00': 3, '11:00': 3, '12:00': 3 } } });
      const created = await createQueue(
        ctx,
        {
          name: DEMO_QUEUE,
          // Stands for the Genesys queue id; set the real one when connecting an org.
          genesysQueueId: 'demo-genesys-queue',
          timezone: 'America/New_York',
          businessHoursId: hours.id,
          numberRuleId: numbers.id,
          capacityRuleId: capacity.id,
          defaultCountry: 'US',
          immediateBlackoutMinutes: 15,
        },
      );
      queue = { id: created.id, name: created.name };
      // Stands for a contact list of an agentless campaign; set the real one when connecting an org.
      await createCampaign(ctx, {
        name: DEMO_CAMPAIGN,
        queueId: created.id,
        contactListId: 'demo-contact-list',
        phoneColumn: 'PhoneNumber',
        nameColumn: 'FullName',
        numberRuleId: numbers.id,
        businessHoursId: hours.id,
        defaultCountry: 'US',
      });
      // Stands for the org's inbound numbers the call-in flow answers; set the real pool when connecting an org.
      await createCallInGroup(ctx, { name: EXAMPLE_CALL_IN_GROUP, queueId: created.id, dnis: DEMO_DNIS.map((number, i) => ({ number, description: `Demo line ${i + 1}` })) });
    }
    return { clients, person, queue };
  });
}
