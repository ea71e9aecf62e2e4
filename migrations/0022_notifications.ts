import { sql, type Kysely } from 'kysely';

/**
 * Notifications: what happens to a callback becomes a notification event, written in the same
 * transaction as the change (an outbox), and one delivery per target that wants it — a webhook, the
 * customer's SMS, the customer's app (push). Deliveries are sent by jobs, in order per callback and
 * target, at least once, with backoff; every attempt is logged. Numbers that must never be messaged
 * (they replied STOP, or are on a do-not-message list) are kept apart.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table webhooks (
      id uuid primary key default gen_random_uuid(),
      name text not null unique,
      url text not null,
      -- Empty: every event type; otherwise only these.
      event_types text[] not null default '{}',
      -- Empty: every queue; otherwise only callbacks of these.
      queue_ids uuid[] not null default '{}',
      secret_sealed text not null,
      -- A rotated-out secret, still signed with until it expires, so receivers can switch without losing a message.
      previous_secret_sealed text,
      previous_secret_expires_at timestamptz,
      enabled boolean not null default true,
      -- Since when every delivery attempt has failed (null: the last one succeeded); after disable_after_days the webhook is disabled.
      failing_since timestamptz,
      disable_after_days integer not null default 3 check (disable_after_days between 1 and 30),
      disabled_reason text,
      disabled_at timestamptz,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table notification_events (
      id uuid primary key default gen_random_uuid(),
      -- Commit order within one callback: deliveries are sent in this order.
      seq bigint generated always as identity unique,
      callback_id uuid not null references callbacks (id) on delete cascade,
      queue_id uuid not null,
      type text not null,
      occurred_at timestamptz not null,
      -- The callback's public fields when the event happened.
      data jsonb not null
    )`.execute(db);
  await sql`create index notification_events_callback_idx on notification_events (callback_id, seq)`.execute(db);

  await sql`
    create table notification_deliveries (
      -- Also the idempotency key the receiver sees (webhook-id, the SMS reference, the push data).
      id uuid primary key default gen_random_uuid(),
      event_id uuid not null references notification_events (id) on delete cascade,
      callback_id uuid not null references callbacks (id) on delete cascade,
      seq bigint not null,
      channel text not null check (channel in ('webhook', 'sms', 'push')),
      webhook_id uuid references webhooks (id) on delete cascade,
      -- Deliveries to one target are sent one after another: 'webhook:<id>', 'sms' or 'push'.
      target text not null,
      status text not null default 'PENDING' check (status in ('PENDING', 'SENDING', 'SENT', 'FAILED', 'DROPPED')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null,
      -- Held by the job sending it; a job that died leaves it to be taken again once past.
      lease_until timestamptz,
      last_error text,
      sent_at timestamptz,
      created_at timestamptz not null default now(),
      check ((channel = 'webhook') = (webhook_id is not null))
    )`.execute(db);
  await sql`create index notification_deliveries_open_idx on notification_deliveries (callback_id, target, seq) where status in ('PENDING', 'SENDING')`.execute(db);
  await sql`create index notification_deliveries_due_idx on notification_deliveries (next_attempt_at) where status in ('PENDING', 'SENDING')`.execute(db);
  await sql`create index notification_deliveries_webhook_idx on notification_deliveries (webhook_id, created_at desc) where webhook_id is not null`.execute(db);

  await sql`
    create table notification_attempts (
      id bigint generated always as identity primary key,
      -- Null for a test send.
      delivery_id uuid references notification_deliveries (id) on delete cascade,
      webhook_id uuid references webhooks (id) on delete cascade,
      channel text not null,
      at timestamptz not null,
      ok boolean not null,
      status_code integer,
      latency_ms integer not null,
      error text,
      test boolean not null default false
    )`.execute(db);
  await sql`create index notification_attempts_delivery_idx on notification_attempts (delivery_id, id)`.execute(db);
  await sql`create index notification_attempts_webhook_idx on notification_attempts (webhook_id, id desc)`.execute(db);

  await sql`
    create table message_opt_outs (
      phone_e164 text primary key,
      -- 'STOP': the customer replied STOP (through the opt-out data action); 'list': added by an operator.
      source text not null check (source in ('STOP', 'list')),
      note text,
      created_by text not null,
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    alter table queues
      -- The org's SMS number messages are sent from (E.164, or a short code); null: no SMS for this queue.
      add column sms_sender text,
      -- Per notification type, the message text with placeholders; a type without one is not sent by SMS.
      add column sms_templates jsonb not null default '{}',
      -- CALLBACK_UPCOMING: minutes of estimated wait (immediate) or before the scheduled time (scheduled); null: never sent.
      add column upcoming_minutes integer check (upcoming_minutes between 1 and 1440)`.execute(db);

  await sql`
    alter table callbacks
      -- The customer's app, for push: FCM registration token and platform; the token is cleared when FCM says it is dead.
      add column device_token text,
      add column device_platform text check (device_platform in ('android', 'ios', 'web')),
      -- CALLBACK_UPCOMING: PENDING (to be sent), SENT, SUPPRESSED (not to be sent); null: the queue has no threshold.
      add column upcoming_status text check (upcoming_status in ('PENDING', 'SENT', 'SUPPRESSED'))`.execute(db);
  await sql`create index callbacks_upcoming_idx on callbacks (queue_id) where upcoming_status = 'PENDING' and state <> 'COMPLETED'`.execute(db);
}
