import type { Kysely, Transaction } from 'kysely';
import { lockKey } from '../db/locks.js';
import type { DB } from '../db/types.js';
import type { EventAction } from '../vocabulary.js';
import type { EventEnvelope } from './normalize.js';

export interface EventResult<A extends EventAction = EventAction> {
  action: A;
  message: string;
  [key: string]: unknown;
}

/** Whether the caller may act on the event's conversation, and what it answers when not. */
export interface EventScope {
  owned: (trx: Transaction<DB>, env: EventEnvelope) => Promise<boolean>;
  notOurs: EventResult<'IGNORED'>;
}

/**
 * Processes an event exactly once. The inbox row and the event's effects commit together; a repeat
 * (same dedupe key) answers DUPLICATE and changes nothing. Events of one conversation are processed
 * one at a time, so parallel and out-of-order deliveries see each other's effects. An event the
 * caller may not act on (`scope`) changes nothing and is not recorded, so it is no repeat later.
 */
export async function processOnce<T extends EventResult>(
  db: Kysely<DB>,
  topic: string,
  key: string,
  env: EventEnvelope,
  scope: EventScope,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T | EventResult<'DUPLICATE' | 'IGNORED'>> {
  return db.transaction().execute(async (trx) => {
    await lockKey(trx, `conversation:${env.conversationId}`);
    if (!(await scope.owned(trx, env))) return scope.notOurs;
    const inserted = await trx
      .insertInto('event_inbox')
      .values({ dedupe_key: key, topic, conversation_id: env.conversationId, payload: JSON.stringify(env.fields) })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('dedupe_key')
      .executeTakeFirst();
    if (!inserted) return { action: 'DUPLICATE', message: 'This event was already processed' };
    const result = await work(trx);
    await trx.updateTable('event_inbox').set({ action: result.action, result: JSON.stringify(result) }).where('dedupe_key', '=', key).execute();
    return result;
  });
}

/** Whether an event was seen already (a cheap check before asking Genesys anything). */
export async function seen(db: Kysely<DB>, key: string): Promise<boolean> {
  return (await db.selectFrom('event_inbox').select('dedupe_key').where('dedupe_key', '=', key).executeTakeFirst()) !== undefined;
}

/**
 * Whether a participant's user.end was processed already: a user.start forwarded after it (events
 * arrive in any order) speaks of an alert that is over.
 */
export async function participantEnded(trx: Transaction<DB>, conversationId: string, participantId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('event_inbox')
    .select('dedupe_key')
    .where('topic', '=', 'user.end')
    .where('conversation_id', '=', conversationId)
    .where('dedupe_key', 'like', `${likeLiteral(`user.end|${conversationId}|${participantId}|`)}%`)
    .executeTakeFirst();
  return row !== undefined;
}

/** Text matched as itself in a LIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
