import { textProblem } from '../http/input-guard.js';
import { normalizeNumber } from '../numbers/normalize.js';
import { FORMULA_TRIGGERS } from '../vocabulary.js';

/**
 * A Click-To-Call-In group's DNIS pool: the numbers a caller is told to dial. The rules of one
 * number (E.164, at most 16 characters, a description of at most 32) live here, for the JSON bodies
 * and the CSV import alike.
 */

export const DNIS_MAX_POOL = 10_000;
export const DNIS_MAX_LENGTH = 16;
export const DNIS_DESCRIPTION_MAX = 32;
/** How many of a refused file's bad lines the answer lists. */
export const CSV_MAX_LISTED_ERRORS = 100;

export interface DnisEntry {
  number: string;
  description: string | null;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const E164_SHAPE = /^\+?[0-9]+$/;

/**
 * One number as stored: `+` and digits (the `+` may be left out: it is added), at most 16
 * characters with the `+`, and a number libphonenumber knows as valid, written in E.164 exactly
 * (no national trunk zero, nothing dropped).
 */
export function checkDnisNumber(raw: string): Checked<string> {
  const text = raw.trim();
  if (text === '') return { ok: false, message: 'the number is empty' };
  if (!E164_SHAPE.test(text)) return { ok: false, message: `"${text}" is not E.164: only a leading + and digits` };
  const number = text.startsWith('+') ? text : `+${text}`;
  if (number.length > DNIS_MAX_LENGTH) return { ok: false, message: `${number} is longer than ${DNIS_MAX_LENGTH} characters` };
  const parsed = normalizeNumber(number);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  if (parsed.number.e164 !== number) return { ok: false, message: `${number} is not E.164 (as E.164 it is ${parsed.number.e164})` };
  return { ok: true, value: number };
}

/** A description as stored: trimmed, null when blank, at most 32 characters (code points, as PostgreSQL counts them). */
export function checkDnisDescription(raw: string | null | undefined): Checked<string | null> {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  const text = raw.trim();
  if (text === '') return { ok: true, value: null };
  const problem = textProblem(text);
  if (problem) return { ok: false, message: `the description ${problem}` };
  if ([...text].length > DNIS_DESCRIPTION_MAX) return { ok: false, message: `the description is longer than ${DNIS_DESCRIPTION_MAX} characters` };
  return { ok: true, value: text };
}

export interface LineError {
  /** 1-based line of the file (of a JSON body: the 0-based index in `dnis`). */
  line: number;
  message: string;
}

/**
 * Entries checked one by one and for repeats (a number listed twice is an error on its second
 * line); every problem is collected, so a caller fixes the whole file at once.
 */
export function checkEntries(
  items: readonly { at: number; number: string; description?: string | null | undefined }[],
  where: (at: number) => string,
): { entries: (DnisEntry & { at: number })[]; errors: LineError[] } {
  const entries: (DnisEntry & { at: number })[] = [];
  const errors: LineError[] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const number = checkDnisNumber(item.number);
    const description = checkDnisDescription(item.description);
    if (!number.ok) errors.push({ line: item.at, message: number.message });
    if (!description.ok) errors.push({ line: item.at, message: description.message });
    if (!number.ok || !description.ok) continue;
    const first = seen.get(number.value);
    if (first !== undefined) {
      errors.push({ line: item.at, message: `${number.value} is listed twice (first ${where(first)})` });
      continue;
    }
    seen.set(number.value, item.at);
    entries.push({ at: item.at, number: number.value, description: description.value });
  }
  return { entries, errors };
}

/** A cell an export wrote neutralised (`'+12125550100`, so a spreadsheet keeps it text) reads as what it was. */
function unneutralise(cell: string): string {
  return cell.length > 1 && cell[0] === "'" && (FORMULA_TRIGGERS as readonly string[]).includes(cell[1]!) ? cell.slice(1) : cell;
}

interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * RFC 4180 records with the line each starts on: comma-separated, a quoted cell may hold commas,
 * line breaks and doubled quotes; CRLF, LF or CR end a record; blank lines are skipped.
 */
export function csvRecords(text: string): { records: CsvRecord[]; errors: LineError[] } {
  const records: CsvRecord[] = [];
  const errors: LineError[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  while (i < body.length) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let broken: string | null = null;
    let quotedCell = false;
    for (;;) {
      const ch = body[i];
      if (ch === undefined) {
        cells.push(cell);
        break;
      }
      if (ch === '"' && cell === '' && !quotedCell) {
        // A quoted cell: up to the closing quote, "" for a quote.
        quotedCell = true;
        i += 1;
        let closed = false;
        while (i < body.length) {
          const c = body[i]!;
          if (c === '"') {
            if (body[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i += 1;
            closed = true;
            break;
          }
          if (c === '\r' || c === '\n') {
            if (c === '\r' && body[i + 1] === '\n') i += 1;
            line += 1;
            cell += '\n';
            i += 1;
            continue;
          }
          cell += c;
          i += 1;
        }
        if (!closed) broken = 'a quoted cell is not closed';
        const next = body[i];
        if (closed && next !== undefined && next !== ',' && next !== '\r' && next !== '\n') broken ??= 'text after a quoted cell (quote a quote as "")';
        continue;
      }
      if (ch === ',') {
        cells.push(cell);
        cell = '';
        quotedCell = false;
        i += 1;
        continue;
      }
      if (ch === '\r' || ch === '\n') {
        cells.push(cell);
        i += ch === '\r' && body[i + 1] === '\n' ? 2 : 1;
        line += 1;
        break;
      }
      if (ch === '"' && !quotedCell) broken ??= 'a quote inside an unquoted cell (quote the cell and double the quote)';
      cell += ch;
      i += 1;
    }
    if (broken !== null) {
      errors.push({ line: start, message: broken });
      continue;
    }
    if (cells.length === 1 && cells[0]!.trim() === '') continue;
    records.push({ line: start, cells });
  }
  return { records, errors };
}

const HEADER = ['number', 'description'];

/**
 * A DNIS file: `number,description` a line (the description may be empty, the comma may be left
 * out), with an optional header line `number,description`. Every line is checked; the answer holds
 * the entries, or every error found (a file with any error imports nothing).
 */
export function parseDnisCsv(text: string): { entries: (DnisEntry & { at: number })[]; errors: LineError[] } {
  const { records, errors } = csvRecords(text);
  const rows = [...records];
  const first = rows[0];
  if (first && first.cells[0]!.trim().toLowerCase() === HEADER[0]) {
    rows.shift();
    const rest = first.cells.slice(1).map((c) => c.trim().toLowerCase());
    if (rest.length > 1 || (rest.length === 1 && rest[0] !== HEADER[1])) errors.push({ line: first.line, message: 'the header must be "number,description"' });
  }
  const items: { at: number; number: string; description: string | null }[] = [];
  for (const row of rows) {
    if (row.cells.length > 2) {
      errors.push({ line: row.line, message: `${row.cells.length} columns: a line is number,description` });
      continue;
    }
    const problem = row.cells.map((c) => textProblem(c)).find((p) => p !== null);
    if (problem) {
      errors.push({ line: row.line, message: `the line ${problem}` });
      continue;
    }
    items.push({ at: row.line, number: unneutralise(row.cells[0]!.trim()), description: row.cells[1] === undefined ? null : unneutralise(row.cells[1].trim()) });
  }
  const checked = checkEntries(items, (at) => `on line ${at}`);
  const all = [...errors, ...checked.errors].sort((a, b) => a.line - b.line);
  return { entries: checked.entries, errors: all };
}
