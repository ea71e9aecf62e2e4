import type { Context } from '../context.js';
import { toView } from '../callbacks/desk.js';
import { findOf } from '../callbacks/desk-search.js';
import type { FindFilter } from '../callbacks/desk-search-schemas.js';
import { countFound, findCallbacksAfter, type CallbackFind, type CallbackWithQueue, type ExactKey } from '../callbacks/queries.js';
import { checkZone, isoLocalFormatter, isoUtc } from '../time.js';
import type { ExportFormat } from '../vocabulary.js';
import { exportBody, type Column, type ExportBody } from './csv.js';

/**
 * The desk's callbacks as a file: the filter of the desk (its listing's and its search's parameters,
 * parsed by the desk), newest first, read in keyset pages as the connection takes them.
 */

/** Rows a page reads: memory holds about one page (a few hundred kilobytes of CSV). */
export const EXPORT_PAGE_ROWS = 1_000;

type View = ReturnType<typeof toView>;
const TIMES = ['desiredTime', 'scheduledTime', 'createdAt', 'updatedAt', 'completedAt'] as const;
type LocalView = View & Record<`${(typeof TIMES)[number]}Local`, string | null> & { timezone: string };

/** The desk's view of a row with its times also local to `zone`. */
function localViews(zone: string): (row: CallbackWithQueue) => LocalView {
  const format = isoLocalFormatter(zone);
  const local = format === isoUtc ? (utc: string | null) => utc : (utc: string | null) => (utc === null ? null : format(new Date(utc)));
  return (row) => {
    const v = toView(row);
    return {
      ...v,
      timezone: zone,
      desiredTimeLocal: local(v.desiredTime),
      scheduledTimeLocal: local(v.scheduledTime),
      createdAtLocal: local(v.createdAt),
      updatedAtLocal: local(v.updatedAt),
      completedAtLocal: local(v.completedAt),
    };
  };
}

const col = (header: string, value: (v: LocalView) => unknown): Column<LocalView> => ({ header, value });

/**
 * The CSV columns. The times without a suffix are local to the export's `timezone` (UTC by default,
 * written with `Z`); the `...Utc` columns are always UTC. The first seventeen are the columns the
 * export always had, in the same order.
 */
export const CALLBACK_COLUMNS: readonly Column<LocalView>[] = [
  col('id', (v) => v.id),
  col('queueName', (v) => v.queueName),
  col('type', (v) => v.type),
  col('state', (v) => v.state),
  col('completionReason', (v) => v.completionReason),
  col('phoneE164', (v) => v.phoneE164),
  col('customerName', (v) => v.customerName),
  col('desiredTime', (v) => v.desiredTimeLocal),
  col('scheduledTime', (v) => v.scheduledTimeLocal),
  col('priority', (v) => v.priority),
  col('deliveryStatus', (v) => v.deliveryStatus),
  col('deliveryAttempts', (v) => v.deliveryAttempts),
  col('ivrConversationId', (v) => v.ivrConversationId),
  col('genesysConversationId', (v) => v.genesysConversationId),
  col('createdBy', (v) => v.createdBy),
  col('createdAt', (v) => v.createdAtLocal),
  col('completedAt', (v) => v.completedAtLocal),
  col('queueId', (v) => v.queueId),
  col('attempt', (v) => v.attempt),
  col('deliveryError', (v) => v.deliveryError),
  col('idempotencyKey', (v) => v.idempotencyKey),
  col('updatedAt', (v) => v.updatedAtLocal),
  col('userData', (v) => JSON.stringify(v.userData)),
  col('timezone', (v) => v.timezone),
  col('desiredTimeUtc', (v) => v.desiredTime),
  col('scheduledTimeUtc', (v) => v.scheduledTime),
  col('createdAtUtc', (v) => v.createdAt),
  col('updatedAtUtc', (v) => v.updatedAt),
  col('completedAtUtc', (v) => v.completedAt),
];

/** Every callback the search finds, a page at a time, each exactly once (the keyset is exact to the microsecond). */
async function* pagesOf(ctx: Context, find: CallbackFind, zone: string, first: { rows: CallbackWithQueue[]; last: ExactKey | undefined }): AsyncGenerator<LocalView[]> {
  const view = localViews(zone);
  let page = first;
  for (;;) {
    if (page.rows.length > 0) yield page.rows.map(view);
    if (page.rows.length < EXPORT_PAGE_ROWS || !page.last) return;
    page = await findCallbacksAfter(ctx.db, find, EXPORT_PAGE_ROWS, page.last);
  }
}

export interface CallbackExport extends ExportBody {
  /** The callbacks the filter matched when the export began. */
  rows: number;
}

/**
 * Checks the filter and reads the first page before answering, so a bad filter is a 4xx and a
 * failing database a 5xx, not a cut file; the rest is read as the connection takes it.
 */
export async function exportCallbacks(ctx: Context, query: FindFilter & { format?: ExportFormat | undefined; timezone?: string | undefined }): Promise<CallbackExport> {
  const { format = 'csv', timezone: zone = 'UTC', ...filter } = query;
  checkZone(zone, 'timezone');
  const find = await findOf(ctx, filter);
  const [rows, first] = await Promise.all([countFound(ctx.db, find), findCallbacksAfter(ctx.db, find, EXPORT_PAGE_ROWS)]);
  const stamp = isoUtc(ctx.clock.now()).replace(/[-:]/g, '');
  const body = exportBody({ format, name: `callbacks-${stamp}`, columns: CALLBACK_COLUMNS, object: (v: LocalView) => v, pages: pagesOf(ctx, find, zone, first) });
  return { ...body, rows };
}
