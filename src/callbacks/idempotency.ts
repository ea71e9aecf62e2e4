import type { Transaction } from 'kysely';
import { lockKey } from '../db/locks.js';
import type { DB } from '../db/types.js';
import { findIdempotentAnswer, saveIdempotentAnswer } from './queries.js';

/**
 * A request with an idempotency key gets the first answer given to that key in its scope, marked
 * `replayed`, also when it races the first request (the key is locked for the transaction); without
 * a key every request is decided afresh. The answer commits with what deciding it wrote.
 */
export async function answerOnce<A extends { replayed: boolean }>(trx: Transaction<DB>, scope: string, key: string | undefined, decide: () => Promise<A>): Promise<A> {
  if (key === undefined) return decide();
  await lockKey(trx, `${scope}:${key}`);
  const first = await findIdempotentAnswer(trx, scope, key);
  if (first !== undefined) return { ...(first as A), replayed: true };
  const answer = await decide();
  await saveIdempotentAnswer(trx, scope, key, answer);
  return answer;
}
