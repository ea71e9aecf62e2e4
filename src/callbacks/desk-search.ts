import type { Context } from '../context.js';
import { errors } from '../errors.js';
import { allowedQueueIds, resolveQueue } from '../queues/resolve.js';
import { parseTimeFilter } from '../time.js';
import { decodeCursor, nextCursor, phoneFilter, toView } from './desk.js';
import type { FindFilter, FindQuery } from './desk-search-schemas.js';
import { findCallbacksPage, type CallbackFind } from './queries.js';

/** The console's callback search (its filter also selects what an export writes). */

const PHONE_LIKE = /^[\d\s()+.\-/]+$/;

/**
 * What the search text means: digits of a phone number (also without the national trunk zeros, so
 * "020 7946 0000" finds +44 20 7946 0000), part of a name when it has a letter, and always an id.
 */
function textSearch(q: string | undefined): Pick<CallbackFind, 'phoneDigits' | 'name' | 'anyId'> {
  const text = q?.trim() ?? '';
  if (text === '') return { phoneDigits: [] };
  const digits = text.replace(/\D/g, '');
  const phoneDigits = PHONE_LIKE.test(text) && digits.length >= 3 ? [...new Set([digits, digits.replace(/^0+/, '')])].filter((d) => d.length >= 3) : [];
  return { phoneDigits, ...(/\p{L}/u.test(text) && { name: text }), anyId: text };
}

/** The search a filter asks for, checked: an unknown queue is a 404, one outside the allow-list a 403. */
export async function findOf(ctx: Context, f: FindFilter): Promise<CallbackFind> {
  const from = f.from === undefined ? undefined : parseTimeFilter(f.from, 'from');
  const to = f.to === undefined ? undefined : parseTimeFilter(f.to, 'to');
  if (from && to && to <= from) throw errors.validation('to', 'to must be after from');
  const queueIds = await Promise.all(
    (f.queue ?? []).map(async (ref) => {
      try {
        return (await resolveQueue(ctx, { queueId: ref })).queue.id;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 404) throw e;
        return (await resolveQueue(ctx, { queue: ref })).queue.id;
      }
    }),
  );
  const queueId = f.queueId === undefined ? undefined : (await resolveQueue(ctx, { queueId: f.queueId })).queue.id;
  return {
    allowedQueueIds: await allowedQueueIds(ctx),
    queueIds,
    ...(queueId && { queueId }),
    ...(f.phone && { phoneE164: phoneFilter(f.phone) }),
    states: f.state ?? [],
    deliveryStatuses: f.deliveryStatus ?? [],
    type: f.type,
    from,
    to,
    ...textSearch(f.q),
  };
}

export async function findCallbacks(ctx: Context, query: FindQuery) {
  const find = await findOf(ctx, query);
  const rows = await findCallbacksPage(ctx.db, find, query.limit + 1, query.cursor ? decodeCursor(query.cursor) : undefined);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toView),
    nextCursor: nextCursor(last, rows.length > query.limit),
  };
}
