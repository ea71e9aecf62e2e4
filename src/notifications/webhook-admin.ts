import { randomUUID } from 'node:crypto';
import type { Updateable } from 'kysely';
import { auditedChange } from '../audit/service.js';
import { isRestricted, mayUseQueue } from '../auth/access.js';
import type { SecretBox } from '../auth/encryption.js';
import { visibleCallback } from '../callbacks/desk.js';
import type { Context } from '../context.js';
import type { DB, WebhookRow, WebhooksTable } from '../db/types.js';
import { errors } from '../errors.js';
import { isoUtc, isoUtcOrNull } from '../time.js';
import type { Kysely, Transaction } from 'kysely';
import { generateWebhookSecret } from './webhook-signature.js';
import { postWebhook } from './webhook-send.js';
import type { CreateWebhookBody, UpdateWebhookBody } from './webhook-schemas.js';

/**
 * `/admin/v1/webhooks`: where notifications are POSTed, signed with a per-webhook secret. The secret
 * is answered once (on create and on rotation) and stored sealed; a rotated-out secret is still
 * signed with for a day, so a receiver can switch without losing a message. A caller restricted to
 * some queues sees and changes only webhooks whose queues are all its own.
 */

export interface WebhookAdminDeps {
  box: SecretBox;
  /** Plain HTTP is allowed to any host (the embedded default database: a trial install). */
  allowHttp: boolean;
}

const ENTITY = 'webhook';
const LABEL = 'Webhook';
export const PREVIOUS_SECRET_TTL_MS = 86_400_000;

const hint = (secret: string) => `…${secret.slice(-4)}`;

function toApi(r: WebhookRow, box: SecretBox) {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    eventTypes: r.event_types,
    queueIds: r.queue_ids,
    enabled: r.enabled,
    disableAfterDays: r.disable_after_days,
    secretHint: hint(box.decrypt(r.secret_sealed)),
    previousSecretExpiresAt: isoUtcOrNull(r.previous_secret_expires_at),
    failingSince: isoUtcOrNull(r.failing_since),
    disabledReason: r.disabled_reason,
    disabledAt: isoUtcOrNull(r.disabled_at),
    createdBy: r.created_by,
    createdAt: isoUtc(r.created_at),
    updatedAt: isoUtc(r.updated_at),
  };
}
/** What the audit log keeps: never a secret, not even its hint. */
function audited(r: WebhookRow) {
  return { name: r.name, url: r.url, eventTypes: r.event_types, queueIds: r.queue_ids, enabled: r.enabled, disableAfterDays: r.disable_after_days };
}

function checkUrl(url: string, allowHttp: boolean): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw errors.validation('url', 'not a URL');
  }
  if (parsed.username || parsed.password) throw errors.validation('url', 'credentials in the URL are not allowed (they would be shown to every reader)');
  if (parsed.protocol === 'https:') return parsed.toString();
  if (parsed.protocol !== 'http:') throw errors.validation('url', 'must be an https:// URL');
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (!local && !allowHttp) throw errors.validation('url', 'must be https:// (plain http only to 127.0.0.1 or localhost)');
  return parsed.toString();
}

type Db = Kysely<DB> | Transaction<DB>;

/** The queues a caller may name: they exist, and a restricted caller names at least one, all its own. */
async function checkQueues(db: Db, ctx: Context, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) {
    if (isRestricted(ctx.caller)) throw errors.validation('queueIds', 'a client restricted to some queues must name at least one of them');
    return [];
  }
  const rows = await db.selectFrom('queues').select(['id', 'name', 'genesys_queue_id']).where('id', 'in', [...ids]).execute();
  for (const id of ids) {
    const q = rows.find((r) => r.id === id);
    if (!q) throw errors.validation('queueIds', `queue ${id} does not exist`);
    if (!mayUseQueue(ctx.caller, q)) throw errors.forbidden(`This client may not use queue "${q.name}"`);
  }
  return [...ids];
}

/** Whether the caller sees this webhook: unrestricted, or every queue of it on the allow-list. */
async function visibleTo(db: Db, ctx: Context, rows: WebhookRow[]): Promise<WebhookRow[]> {
  if (!isRestricted(ctx.caller)) return rows;
  const ids = [...new Set(rows.flatMap((r) => r.queue_ids))];
  const queues = ids.length ? await db.selectFrom('queues').select(['id', 'name', 'genesys_queue_id']).where('id', 'in', ids).execute() : [];
  const ok = new Set(queues.filter((q) => mayUseQueue(ctx.caller, q)).map((q) => q.id));
  return rows.filter((r) => r.queue_ids.length > 0 && r.queue_ids.every((id) => ok.has(id)));
}

async function findVisible(db: Db, ctx: Context, id: string, lock = false): Promise<WebhookRow> {
  let q = db.selectFrom('webhooks').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row || (await visibleTo(db, ctx, [row])).length === 0) throw errors.notFound(LABEL, id);
  return row;
}

export async function listWebhooks(ctx: Context, deps: WebhookAdminDeps) {
  const rows = await ctx.db.selectFrom('webhooks').selectAll().orderBy('name').execute();
  return (await visibleTo(ctx.db, ctx, rows)).map((r) => toApi(r, deps.box));
}

export async function getWebhook(ctx: Context, deps: WebhookAdminDeps, id: string) {
  return toApi(await findVisible(ctx.db, ctx, id), deps.box);
}

export async function createWebhook(ctx: Context, deps: WebhookAdminDeps, body: CreateWebhookBody) {
  const url = checkUrl(body.url, deps.allowHttp);
  const secret = generateWebhookSecret();
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'create', name: body.name }, async (trx) => {
    const queueIds = await checkQueues(trx, ctx, body.queueIds ?? []);
    const row = await trx
      .insertInto('webhooks')
      .values({
        name: body.name.trim(),
        url,
        event_types: body.eventTypes ?? [],
        queue_ids: queueIds,
        enabled: body.enabled ?? true,
        disable_after_days: body.disableAfterDays ?? 3,
        secret_sealed: deps.box.encrypt(secret),
        created_by: ctx.caller.name,
        created_at: ctx.clock.now(),
        updated_at: ctx.clock.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { entityId: row.id, after: audited(row), result: { ...toApi(row, deps.box), secret } };
  });
}

export async function updateWebhook(ctx: Context, deps: WebhookAdminDeps, id: string, patch: UpdateWebhookBody) {
  const url = patch.url === undefined ? undefined : checkUrl(patch.url, deps.allowHttp);
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'update', name: patch.name }, async (trx) => {
    const before = await findVisible(trx, ctx, id, true);
    const values: Updateable<WebhooksTable> = {
      ...(patch.name !== undefined && { name: patch.name.trim() }),
      ...(url !== undefined && { url }),
      ...(patch.eventTypes !== undefined && { event_types: patch.eventTypes }),
      ...(patch.queueIds !== undefined && { queue_ids: await checkQueues(trx, ctx, patch.queueIds) }),
      ...(patch.disableAfterDays !== undefined && { disable_after_days: patch.disableAfterDays }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      // Enabled again by a person: the failure streak starts over.
      ...(patch.enabled === true && { failing_since: null, disabled_reason: null, disabled_at: null }),
      ...(patch.enabled === false && before.enabled && { disabled_reason: 'disabled by an operator', disabled_at: ctx.clock.now() }),
      updated_at: ctx.clock.now(),
    };
    const row = await trx.updateTable('webhooks').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return { entityId: id, before: audited(before), after: audited(row), result: toApi(row, deps.box) };
  });
}

export async function deleteWebhook(ctx: Context, id: string): Promise<void> {
  await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await findVisible(trx, ctx, id, true);
    await trx.deleteFrom('webhooks').where('id', '=', id).execute();
    return { entityId: id, before: audited(before), result: undefined };
  });
}

/** A new secret, answered once; the current one is still signed with for a day (replacing an older rotated-out one). */
export async function rotateWebhookSecret(ctx: Context, deps: WebhookAdminDeps, id: string) {
  const secret = generateWebhookSecret();
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'rotate-secret' }, async (trx) => {
    const before = await findVisible(trx, ctx, id, true);
    const now = ctx.clock.now();
    const expires = new Date(now.getTime() + PREVIOUS_SECRET_TTL_MS);
    const row = await trx
      .updateTable('webhooks')
      .set({ secret_sealed: deps.box.encrypt(secret), previous_secret_sealed: before.secret_sealed, previous_secret_expires_at: expires, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { entityId: id, after: { previousSecretExpiresAt: isoUtc(expires) }, result: { webhook: toApi(row, deps.box), secret, previousSecretExpiresAt: isoUtc(expires) } };
  });
}

/** The secrets a message to this webhook is signed with at `now`: the current one first. */
export function secretsOf(row: WebhookRow, box: SecretBox, now: Date): string[] {
  const secrets = [box.decrypt(row.secret_sealed)];
  if (row.previous_secret_sealed && row.previous_secret_expires_at && new Date(row.previous_secret_expires_at) > now) secrets.push(box.decrypt(row.previous_secret_sealed));
  return secrets;
}

/** Sends a WEBHOOK_TEST message now, records the attempt (test = true) and answers what came of it. */
export async function testWebhook(ctx: Context, deps: WebhookAdminDeps, id: string) {
  const row = await findVisible(ctx.db, ctx, id);
  const now = ctx.clock.now();
  const messageId = randomUUID();
  const body = JSON.stringify({ id: messageId, type: 'WEBHOOK_TEST', time: isoUtc(now), webhookId: row.id });
  const result = await postWebhook({ url: row.url, secrets: secretsOf(row, deps.box, now) }, messageId, body, { now });
  const error = result.ok ? null : result.error;
  await ctx.db
    .insertInto('notification_attempts')
    .values({ delivery_id: null, webhook_id: row.id, channel: 'webhook', at: now, ok: result.ok, status_code: result.statusCode, latency_ms: result.latencyMs, error, test: true })
    .execute();
  return { ok: result.ok, statusCode: result.statusCode, latencyMs: result.latencyMs, error, messageId };
}

/** The webhook's attempts, newest first, with the delivery each belongs to and its status now. */
export async function webhookDeliveries(ctx: Context, id: string, query: { limit: number; before?: string | undefined }) {
  await findVisible(ctx.db, ctx, id);
  let q = ctx.db
    .selectFrom('notification_attempts as a')
    .leftJoin('notification_deliveries as d', 'd.id', 'a.delivery_id')
    .leftJoin('notification_events as e', 'e.id', 'd.event_id')
    .select(['a.id', 'a.at', 'a.ok', 'a.status_code', 'a.latency_ms', 'a.error', 'a.test', 'a.delivery_id', 'e.type', 'd.callback_id', 'd.status'])
    .where('a.webhook_id', '=', id);
  if (query.before !== undefined) q = q.where('a.id', '<', query.before);
  const rows = await q.orderBy('a.id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => ({
      id: String(r.id),
      at: isoUtc(new Date(r.at)),
      ok: r.ok,
      statusCode: r.status_code,
      latencyMs: r.latency_ms,
      error: r.error,
      test: r.test,
      deliveryId: r.delivery_id,
      eventType: r.type ?? null,
      callbackId: r.callback_id ?? null,
      deliveryStatus: r.status ?? null,
    })),
    nextBefore: rows.length > query.limit ? String(page[page.length - 1]!.id) : null,
  };
}

/** A callback's notifications (oldest first) with each delivery; access as to the callback itself. */
export async function callbackNotifications(ctx: Context, callbackId: string) {
  await visibleCallback(ctx, callbackId);
  const events = await ctx.db.selectFrom('notification_events').selectAll().where('callback_id', '=', callbackId).orderBy('seq').execute();
  const deliveries = events.length
    ? await ctx.db
        .selectFrom('notification_deliveries as d')
        .leftJoin('webhooks as w', 'w.id', 'd.webhook_id')
        .select(['d.id', 'd.event_id', 'd.channel', 'd.target', 'd.webhook_id', 'd.status', 'd.attempts', 'd.last_error', 'd.sent_at', 'w.name as webhook_name'])
        .where('d.callback_id', '=', callbackId)
        .orderBy('d.seq')
        .orderBy('d.target')
        .execute()
    : [];
  const lastAttempts = deliveries.length
    ? await ctx.db
        .selectFrom('notification_attempts')
        .select(['delivery_id', 'latency_ms'])
        .distinctOn('delivery_id')
        .where('delivery_id', 'in', deliveries.map((d) => d.id))
        .orderBy('delivery_id')
        .orderBy('id', 'desc')
        .execute()
    : [];
  const latency = new Map(lastAttempts.map((a) => [a.delivery_id, a.latency_ms]));
  return {
    items: events.map((e) => ({
      id: e.id,
      type: e.type,
      occurredAt: isoUtc(new Date(e.occurred_at)),
      deliveries: deliveries
        .filter((d) => d.event_id === e.id)
        .map((d) => ({
          id: d.id,
          channel: d.channel,
          target: d.channel === 'webhook' ? (d.webhook_name ?? 'deleted webhook') : d.target,
          webhookId: d.webhook_id,
          status: d.status,
          attempts: d.attempts,
          lastError: d.last_error,
          latencyMs: latency.get(d.id) ?? null,
          sentAt: isoUtcOrNull(d.sent_at),
        })),
    })),
  };
}
