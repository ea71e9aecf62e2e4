import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { QueueIdentity } from '../auth/access.js';
import type { CampaignCallbackRow, CampaignRow, CampaignsTable, DB } from '../db/types.js';

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
