import type { Transaction } from 'kysely';
import type { Context } from '../context.js';
import type { CallbackRow, DB } from '../db/types.js';
import type { HistoryEvent } from '../vocabulary.js';
import { transition } from './lifecycle.js';

export interface HandledSource {
  /** The history event of what saw it handled: the agent's `user.end`, or `reconciled`. */
  event: HistoryEvent;
  detail?: Record<string, unknown>;
}

/**
 * An agent was connected to the callback and its conversation ended: the one way a callback
 * completes as HANDLED, whoever saw it (an event or the reconciler). `wrapUpCode` is the code the
 * agent gave, when known (kept in the history).
 */
export async function completeHandled(
  ctx: Pick<Context, 'caller' | 'clock'>,
  trx: Transaction<DB>,
  callback: Pick<CallbackRow, 'id' | 'state'>,
  input: { wrapUpCode: string | null; source: HandledSource },
): Promise<void> {
  const detail = { ...input.source.detail, ...(input.wrapUpCode !== null && { wrapUpCode: input.wrapUpCode }) };
  await transition(trx, callback, 'COMPLETED', ctx.caller, ctx.clock.now(), {
    event: input.source.event,
    reason: 'HANDLED',
    ...(Object.keys(detail).length > 0 && { detail }),
  });
}
