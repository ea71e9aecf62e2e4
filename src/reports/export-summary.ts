import type { ExportFormat } from '../vocabulary.js';
import { exportBody, onePage, type Column, type ExportBody } from './csv.js';
import { SummaryRow, type Summary } from './schemas.js';

/**
 * A report summary as a file, written by the export's writer: one CSV record (or NDJSON line) per
 * group, the totals last (group "total"). A summary's rows are few (at most one per hour of 31 days
 * per queue), so they are computed whole, then written.
 */

type Row = Summary['rows'][number];

/**
 * The row's keys in the schema's order; a count object (refusals by outcome, completions by reason)
 * becomes one column per key, named `refusals.QUEUE_FULL`.
 */
export const SUMMARY_COLUMNS: readonly Column<Row>[] = Object.entries(SummaryRow.properties).flatMap(([key, schema]): Column<Row>[] => {
  const nested = (schema as { properties?: Record<string, unknown> }).properties;
  const at = (row: Row) => (row as Record<string, unknown>)[key];
  if (!nested) return [{ header: key, value: at }];
  return Object.keys(nested).map((sub) => ({ header: `${key}.${sub}`, value: (row: Row) => (at(row) as Record<string, unknown> | null)?.[sub] }));
});

const compact = (iso: string) => iso.replace(/[-:]/g, '');

export function summaryExport(summary: Summary, format: ExportFormat): ExportBody {
  const rows = [...summary.rows, summary.totals];
  return exportBody({
    format,
    name: `summary-${summary.groupBy}-${compact(summary.from)}-${compact(summary.to)}`,
    columns: SUMMARY_COLUMNS,
    object: (row: Row) => row,
    pages: onePage(rows),
  });
}
