import type { Context } from '../context.js';
import { errors } from '../errors.js';
import { allowedQueueIds, resolveQueue } from '../queues/resolve.js';
import { parseTimeFilter } from '../time.js';
import { decodeCursor, toView } from './desk.js';
import { EXPORT_MAX_ROWS, type FindFilter, type FindQuery } from './desk-search-schemas.js';
import { findCallbacksPage, type CallbackFind } from './queries.js';

/** The console's callback search and its CSV export. */

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

async function findOf(ctx: Context, f: FindFilter): Promise<CallbackFind> {
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
  return {
    allowedQueueIds: await allowedQueueIds(ctx),
    queueIds,
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
    nextCursor: rows.length > query.limit && last ? Buffer.from(JSON.stringify({ at: last.created_at.toISOString(), id: last.id })).toString('base64url') : null,
  };
}

const CSV_COLUMNS = [
  'id',
  'queueName',
  'type',
  'state',
  'completionReason',
  'phoneE164',
  'customerName',
  'desiredTime',
  'scheduledTime',
  'priority',
  'deliveryStatus',
  'deliveryAttempts',
  'ivrConversationId',
  'genesysConversationId',
  'createdBy',
  'createdAt',
  'completedAt',
] as const;

/**
 * RFC 4180 quoting; a value a spreadsheet would run as a formula (leading = @ tab CR, or + - not
 * followed by a plain number such as an E.164 phone number) is prefixed with '.
 */
function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=@\t\r]/.test(s) || (/^[+-]/.test(s) && !/^[+-]\d+$/.test(s))) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The filter's callbacks as CSV, newest first, at most 10,000 rows (the header says when it was cut). */
export async function exportCallbacks(ctx: Context, filter: FindFilter): Promise<{ csv: string; rows: number; truncated: boolean }> {
  const rows = await findCallbacksPage(ctx.db, await findOf(ctx, filter), EXPORT_MAX_ROWS + 1);
  const kept = rows.slice(0, EXPORT_MAX_ROWS).map(toView);
  const lines = [CSV_COLUMNS.join(','), ...kept.map((v) => CSV_COLUMNS.map((c) => csvCell(v[c])).join(','))];
  return { csv: `${lines.join('\r\n')}\r\n`, rows: kept.length, truncated: rows.length > EXPORT_MAX_ROWS };
}
