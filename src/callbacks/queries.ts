import type { Kysely, Transaction } from 'kysely';
import type { CallbackRow, DB } from '../db/types.js';
import { PENDING_STATES } from './lifecycle.js';

export const CALLBACK_COLUMNS = [
  'id',
  'queue_id',
  'type',
  'state',
  'completion_reason',
  'phone_e164',
  'customer_name',
  'desired_time',
  'scheduled_time',
  'slot_start',
  'priority',
  'ivr_conversation_id',
  'genesys_conversation_id',
  'genesys_callback_id',
  'user_data',
  'idempotency_key',
  'delivery_status',
  'delivery_attempts',
  'delivery_error',
  'delivered_at',
  'created_by',
  'created_at',
  'updated_at',
  'completed_at',
] as const;

type Db = Kysely<DB> | Transaction<DB>;

export function findCallback(db: Db, id: string): Promise<CallbackRow | undefined> {
  return db.selectFrom('callbacks').select(CALLBACK_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function lockCallback(trx: Transaction<DB>, id: string): Promise<CallbackRow | undefined> {
  return trx.selectFrom('callbacks').select(CALLBACK_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Pending callbacks of a number (in a queue, or in all queues), soonest first. */
export function pendingForNumber(db: Db, phoneE164: string, queueId?: string): Promise<CallbackRow[]> {
  let q = db.selectFrom('callbacks').select(CALLBACK_COLUMNS).where('phone_e164', '=', phoneE164).where('state', 'in', PENDING_STATES);
  if (queueId !== undefined) q = q.where('queue_id', '=', queueId);
  return q.orderBy((eb) => eb.fn.coalesce('scheduled_time', 'created_at')).orderBy('created_at').execute();
}

export async function countPendingForNumber(trx: Transaction<DB>, queueId: string, phoneE164: string): Promise<number> {
  const { n } = await trx
    .selectFrom('callbacks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('queue_id', '=', queueId)
    .where('phone_e164', '=', phoneE164)
    .where('state', 'in', PENDING_STATES)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** The callback Genesys knows as this conversation, locked, with its queue's identity (for the access check). */
export function lockCallbackOfConversation(trx: Transaction<DB>, conversationId: string) {
  return trx
    .selectFrom('callbacks')
    .innerJoin('queues', 'queues.id', 'callbacks.queue_id')
    .select(['callbacks.id', 'callbacks.state', 'queues.id as queue_id', 'queues.name as queue_name', 'queues.genesys_queue_id'])
    .where('callbacks.genesys_conversation_id', '=', conversationId)
    .forUpdate('callbacks')
    .executeTakeFirst();
}
