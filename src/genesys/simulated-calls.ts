import { sql } from 'kysely';
import type { Context } from '../context.js';
import { allowedQueues } from '../queues/resolve.js';

/**
 * `GET /admin/v1/genesys/simulated-calls`: what the simulated gateway recorded, newest first. A
 * restricted caller sees only the calls about its queues: those naming the Genesys queue id of a queue
 * on its allow-list, and those about a conversation created in one (reschedule, cancel, priority).
 * Calls about contact lists name no queue of ours, so only an unrestricted caller sees them.
 */
export async function listSimulatedCalls(ctx: Context, query: { operation?: string | undefined; limit: number }) {
  const allowed = await allowedQueues(ctx);
  const genesysIds = allowed?.flatMap((q) => (q.genesys_queue_id === null ? [] : [q.genesys_queue_id])) ?? null;
  if (genesysIds !== null && genesysIds.length === 0) return { items: [] };
  let q = ctx.db.selectFrom('simulated_genesys_calls').selectAll().orderBy('id', 'desc').limit(query.limit);
  if (query.operation) q = q.where('operation', '=', query.operation);
  if (genesysIds !== null) {
    q = q.where((eb) =>
      eb.or([
        eb(sql<string>`request->>'queueId'`, 'in', genesysIds),
        eb(
          sql<string>`request->>'conversationId'`,
          'in',
          eb
            .selectFrom('simulated_genesys_calls as created')
            .select(sql<string>`created.response->>'conversationId'`.as('conversation_id'))
            .where('created.operation', '=', 'createCallback')
            .where(sql<string>`created.request->>'queueId'`, 'in', genesysIds),
        ),
      ]),
    );
  }
  const rows = await q.execute();
  return { items: rows.map((r) => ({ id: Number(r.id), at: r.at.toISOString(), operation: r.operation, request: r.request, response: r.response ?? null })) };
}
