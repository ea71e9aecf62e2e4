import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { QueueIdentity } from '../auth/access.js';
import type { CampaignCallbackHistoryTable, CampaignCallbackRow, CampaignCallbacksTable, CampaignRow, CampaignsTable, DB } from '../db/types.js';
import type { CampaignCallbackState } from '../vocabulary.js';

type Db = Kysely<DB> | Transaction<DB>;

export const CAMPAIGN_COLUMNS = [
  'id',
  'name',
  'queue_id',
  'contact_list_id',
  'phone_column',
  'name_column',
  'extra_columns',
  'number_rule_id',
  'business_hours_id',
  'max_delay_seconds',
  'max_pending_per_number',
  'max_queued_hours',
  'default_country',
  'created_at',
  'updated_at',
] as const;

export function insertCampaign(trx: Transaction<DB>, values: Insertable<CampaignsTable>): Promise<CampaignRow> {
  return trx.insertInto('campaigns').values(values).returning(CAMPAIGN_COLUMNS).executeTakeFirstOrThrow();
}

export function listCampaignRows(db: Db): Promise<CampaignRow[]> {
  return db.selectFrom('campaigns').select(CAMPAIGN_COLUMNS).orderBy('name').execute();
}

export function findCampaign(db: Db, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').select(CAMPAIGN_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** The queue of the first campaign configured with this contact list (the outbound topic names no queue). */
export function queueOfContactList(db: Db, contactListId: string): Promise<QueueIdentity | undefined> {
  return db
    .selectFrom('campaigns')
    .innerJoin('queues', 'queues.id', 'campaigns.queue_id')
    .select(['queues.id', 'queues.name', 'queues.genesys_queue_id'])
    .where('campaigns.contact_list_id', '=', contactListId)
    .orderBy('campaigns.created_at')
    .executeTakeFirst();
}

export function findCampaignByName(db: Db, name: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').select(CAMPAIGN_COLUMNS).where('name', '=', name).executeTakeFirst();
}

export function lockCampaign(trx: Transaction<DB>, id: string): Promise<CampaignRow | undefined> {
  return trx.selectFrom('campaigns').select(CAMPAIGN_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateCampaignRow(trx: Transaction<DB>, id: string, values: Updateable<CampaignsTable>): Promise<CampaignRow> {
  return trx.updateTable('campaigns').set(values).where('id', '=', id).returning(CAMPAIGN_COLUMNS).executeTakeFirstOrThrow();
}

export async function deleteCampaignRow(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.deleteFrom('campaigns').where('id', '=', id).execute();
}

export async function campaignHasCallbacks(trx: Transaction<DB>, id: string): Promise<boolean> {
  return (await trx.selectFrom('campaign_callbacks').select('id').where('campaign_id', '=', id).limit(1).executeTakeFirst()) !== undefined;
}

export function listCampaignCallbackRows(db: Db, campaignId: string, limit: number): Promise<CampaignCallbackRow[]> {
  return db.selectFrom('campaign_callbacks').selectAll().where('campaign_id', '=', campaignId).orderBy('created_at', 'desc').limit(limit).execute();
}

/**
 * The queues of the campaigns that use some hours or number rule; `unscoped`: one of them has no
 * queue (so no allow-list covers it).
 */
export async function campaignQueuesUsing(db: Db, column: 'business_hours_id' | 'number_rule_id', id: string): Promise<{ queues: QueueIdentity[]; unscoped: boolean }> {
  const rows = await db
    .selectFrom('campaigns as c')
    .leftJoin('queues as q', 'q.id', 'c.queue_id')
    .select(['c.queue_id', 'q.name', 'q.genesys_queue_id'])
    .where(`c.${column}`, '=', id)
    .execute();
  const queues: QueueIdentity[] = [];
  for (const r of rows) if (r.queue_id !== null && r.name !== null) queues.push({ id: r.queue_id, name: r.name, genesys_queue_id: r.genesys_queue_id });
  return { queues, unscoped: rows.some((r) => r.queue_id === null) };
}

// --- campaign_callbacks and their history: every statement on them is here -----------------------

export type CampaignCallbackValues = Insertable<CampaignCallbacksTable>;

export function insertCampaignCallback(trx: Transaction<DB>, values: CampaignCallbackValues): Promise<{ id: string }> {
  return trx.insertInto('campaign_callbacks').values(values).returning(['id']).executeTakeFirstOrThrow();
}

/** Callbacks of this number in this campaign that still hold it (not COMPLETED). */
export async function countPendingForNumber(trx: Transaction<DB>, campaignId: string, phoneE164: string): Promise<number> {
  const { n } = await trx
    .selectFrom('campaign_callbacks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('phone_e164', '=', phoneE164)
    .where('state', '<>', 'COMPLETED')
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** A campaign callback with what dialing and reading it back need from its campaign. */
export function findCampaignCallbackForJob(db: Db, id: string) {
  return db
    .selectFrom('campaign_callbacks as c')
    .innerJoin('campaigns as k', 'k.id', 'c.campaign_id')
    .select(['c.id', 'c.state', 'c.phone_e164', 'c.full_name', 'c.priority', 'c.contact_id', 'c.contact_removal', 'k.phone_column', 'k.name_column', 'k.extra_columns'])
    // The list it went into; before its insertion, the campaign's (where the dial puts it).
    .select(sql<string>`coalesce(c.contact_list_id, k.contact_list_id)`.as('contact_list_id'))
    .where('c.id', '=', id)
    .executeTakeFirst();
}

export function findCampaignCallback(db: Db, id: string): Promise<CampaignCallbackRow | undefined> {
  return db.selectFrom('campaign_callbacks').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockCampaignCallback(trx: Transaction<DB>, id: string): Promise<CampaignCallbackRow | undefined> {
  return trx.selectFrom('campaign_callbacks').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The number's soonest pending callback in a campaign (what a flow cancelling by number means). */
export function soonestPendingForNumber(db: Db, campaignId: string, phoneE164: string): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('campaign_callbacks')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .where('phone_e164', '=', phoneE164)
    .where('state', '<>', 'COMPLETED')
    .orderBy('dial_at')
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}

/** Changes a campaign callback that is still in `from` (the guard of every state change); false when it is not. */
export async function updateCampaignCallbackFrom(trx: Transaction<DB>, id: string, from: CampaignCallbackState, values: Updateable<CampaignCallbacksTable>): Promise<boolean> {
  const res = await trx.updateTable('campaign_callbacks').set(values).where('id', '=', id).where('state', '=', from).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function updateCampaignCallback(db: Db, id: string, values: Updateable<CampaignCallbacksTable>): Promise<void> {
  await db.updateTable('campaign_callbacks').set(values).where('id', '=', id).execute();
}

export async function insertCampaignHistory(trx: Db, values: Insertable<CampaignCallbackHistoryTable>): Promise<void> {
  await trx.insertInto('campaign_callback_history').values(values).execute();
}

export function listCampaignHistory(db: Db, id: string) {
  return db
    .selectFrom('campaign_callback_history')
    .select(['at', 'actor', 'actor_name', 'event', 'from_state', 'to_state', 'reason', 'detail'])
    .where('campaign_callback_id', '=', id)
    .orderBy('id')
    .execute();
}

export interface DeskFilter {
  campaignIds: string[];
  states?: CampaignCallbackState[] | undefined;
  phoneE164?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  offset: number;
}

/** The desk's page of campaign callbacks (created_at newest first) and the filter's total. */
export async function listCampaignCallbackPage(db: Db, f: DeskFilter): Promise<{ rows: CampaignCallbackRow[]; total: number }> {
  if (f.campaignIds.length === 0) return { rows: [], total: 0 };
  let q = db.selectFrom('campaign_callbacks').where('campaign_id', 'in', f.campaignIds);
  if (f.states?.length) q = q.where('state', 'in', f.states);
  if (f.phoneE164) q = q.where('phone_e164', '=', f.phoneE164);
  if (f.from) q = q.where('created_at', '>=', f.from);
  if (f.to) q = q.where('created_at', '<', f.to);
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** A QUEUED callback claimed for reading back, with its campaign's list and expiry. */
export interface ClaimedCampaignCallback {
  id: string;
  contact_id: string;
  delivered_at: Date;
  contact_list_id: string;
  phone_column: string;
  expires_at: Date;
}

/**
 * Claims up to `limit` QUEUED callbacks of one contact list for one bulk read: the list of the most
 * urgent claimable callback (due to expire first, then least recently checked), then that list's
 * callbacks in the same order. Rows another transaction holds are skipped, and claiming sets
 * `checked_at`, so two reconcilers never read one callback at once and a callback checked since
 * `checkedBefore` waits for a later run. `mayClaim` runs while the rows are locked (the request
 * budget): false claims nothing.
 */
export async function claimQueuedForRead(db: Kysely<DB>, now: Date, checkedBefore: Date, limit: number, mayClaim: () => boolean): Promise<ClaimedCampaignCallback[]> {
  return db.transaction().execute(async (trx) => {
    const claimable = (q: ReturnType<typeof claimBase>) =>
      q
        .where('c.state', '=', 'QUEUED')
        .where((eb) => eb.or([eb('c.checked_at', 'is', null), eb('c.checked_at', '<', checkedBefore)]))
        .orderBy(sql`c.delivered_at + k.max_queued_hours * interval '1 hour' <= ${now}`, 'desc')
        .orderBy('c.checked_at', (ob) => ob.asc().nullsFirst())
        .orderBy('c.id');
    const claimBase = () => trx.selectFrom('campaign_callbacks as c').innerJoin('campaigns as k', 'k.id', 'c.campaign_id');
    const listOf = sql<string>`coalesce(c.contact_list_id, k.contact_list_id)`;
    const first = await claimable(claimBase()).select(listOf.as('contact_list_id')).limit(1).forUpdate('c').skipLocked().executeTakeFirst();
    if (!first) return [];
    const rows = await claimable(claimBase().where(listOf, '=', first.contact_list_id))
      .select(['c.id', 'c.contact_id', 'c.delivered_at', listOf.as('contact_list_id'), 'k.phone_column', sql<Date>`c.delivered_at + k.max_queued_hours * interval '1 hour'`.as('expires_at')])
      .limit(limit)
      .forUpdate('c')
      .skipLocked()
      .execute();
    if (rows.length === 0 || !mayClaim()) return [];
    await trx.updateTable('campaign_callbacks').set({ checked_at: now }).where('id', 'in', rows.map((r) => r.id)).execute();
    return rows.map((r) => ({ ...r, delivered_at: new Date(r.delivered_at as Date), expires_at: new Date(r.expires_at) }));
  });
}

/** Retention: completed campaign callbacks (and their history) completed before the cutoff. */
export async function deleteCompletedCampaignCallbacksBefore(db: Kysely<DB>, cutoff: Date): Promise<number> {
  const res = await db.deleteFrom('campaign_callbacks').where('state', '=', 'COMPLETED').where('completed_at', '<', cutoff).executeTakeFirst();
  return Number(res.numDeletedRows);
}
