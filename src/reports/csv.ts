import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { isoUtc } from '../time.js';
import { FORMULA_TRIGGERS, type ExportFormat } from '../vocabulary.js';

/**
 * The one writer of every export: rows in, a byte stream out, in pages so that memory holds one page
 * however long the export is. CSV is RFC 4180 (CRLF line ends, a field with a comma, a quote, CR or LF
 * quoted, quotes doubled) with a header row; NDJSON is one JSON object a line.
 */

/** A CSV column: its header and how a row gives its value. */
export interface Column<R> {
  header: string;
  value: (row: R) => unknown;
}

/**
 * A text cell as a spreadsheet must read it: one starting with = + - @ tab or CR is prefixed with `'`
 * so that it stays text and is never run as a formula. That includes E.164 phone numbers
 * (`'+12125550147`): the prefix keeps them text as well (no formula, no lost `+`, no 1.21E+10).
 */
export function neutralise(text: string): string {
  return text !== '' && (FORMULA_TRIGGERS as readonly string[]).includes(text[0]!) ? `'${text}` : text;
}

/** A value as CSV text: numbers as written, no value as an empty cell, times in UTC, objects as JSON. */
function cell(value: unknown): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return neutralise(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return isoUtc(value);
  return neutralise(JSON.stringify(value));
}

// csv-stringify quotes a field holding the record delimiter (CRLF) but not a lone CR or LF: RFC 4180 wants both quoted.
const CSV_OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

/** Records as CSV lines (each ending in CRLF), values already made cells. */
export function csvLines(records: (string | number)[][]): string {
  return records.length === 0 ? '' : stringify(records, CSV_OPTIONS);
}

export function csvHeader<R>(columns: readonly Column<R>[]): string {
  return csvLines([columns.map((c) => neutralise(c.header))]);
}

export function csvRows<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  return csvLines(rows.map((r) => columns.map((c) => cell(c.value(r)))));
}

export function ndjsonRows(objects: readonly unknown[]): string {
  return objects.map((o) => `${JSON.stringify(o)}\n`).join('');
}

export const EXPORT_TYPES: Record<ExportFormat, { contentType: string; extension: string }> = {
  csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
  json: { contentType: 'application/x-ndjson; charset=utf-8', extension: 'ndjson' },
};

/** An export's answer: what the route sends as the body and the headers that describe it. */
export interface ExportBody {
  contentType: string;
  /** `attachment; filename=...` */
  disposition: string;
  stream: Readable;
}

export interface ExportSource<R> {
  format: ExportFormat;
  /** The file's name without its extension (letters, digits, `-`, `_`, `.`). */
  name: string;
  columns: readonly Column<R>[];
  /** What one row is as an NDJSON object. */
  object: (row: R) => unknown;
  /** The rows, page by page: the stream asks for the next page only when the last one has been sent. */
  pages: AsyncIterable<readonly R[]>;
}

/**
 * The rows as a stream that reads its next page only once the reader (the HTTP connection) has taken
 * the last one: backpressure reaches the database, and memory holds a page or so. An error while
 * streaming destroys the stream, which makes the HTTP layer abort the connection rather than end the
 * response: a client never mistakes a cut export for a whole one.
 */
export function exportBody<R>(source: ExportSource<R>): ExportBody {
  const { format, columns, object, pages } = source;
  async function* text(): AsyncGenerator<string> {
    if (format === 'csv') yield csvHeader(columns);
    for await (const page of pages) {
      const chunk = format === 'csv' ? csvRows(columns, page) : ndjsonRows(page.map(object));
      if (chunk !== '') yield chunk;
    }
  }
  const { contentType, extension } = EXPORT_TYPES[format];
  const filename = `${source.name.replace(/[^A-Za-z0-9._-]/g, '_')}.${extension}`;
  return {
    contentType,
    disposition: `attachment; filename="${filename}"`,
    stream: Readable.from(text(), { objectMode: false, highWaterMark: 64 * 1024 }),
  };
}

/** Rows already at hand (a report's few rows), as the one page of an export. */
export async function* onePage<R>(rows: readonly R[]): AsyncGenerator<readonly R[]> {
  yield rows;
}
