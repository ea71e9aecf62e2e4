import type { Kysely, Transaction, Updateable } from 'kysely';
import { auditedChange } from '../audit/service.js';
import { assertQueueDataAccess, mayUseQueueData, type QueueIdentity } from '../auth/access.js';
import type { Context } from '../context.js';
import { lockKey } from '../db/locks.js';
import type { CallInGroupRow, CallInGroupsTable, DB } from '../db/types.js';
import { AppError, errors } from '../errors.js';
import { findQueue, listQueueRows } from '../queues/queries.js';
import { csvHeader, csvRows, type Column } from '../reports/csv.js';
import { isoUtc } from '../time.js';
import type { CallInMatchCriteria } from '../vocabulary.js';
import { checkEntries, CSV_MAX_LISTED_ERRORS, DNIS_MAX_POOL, parseDnisCsv, type DnisEntry, type LineError } from './dnis-csv.js';
import {
  allDnis,
  countLivePendingRequests,
  deleteAllDnis,
  deleteCallInGroupRow,
  dnisCounts,
  dnisPage,
  findCallInGroup,
  insertCallInGroup,
  insertDnis,
  listCallInGroupRows,
  lockCallInGroup,
  updateCallInGroupRow,
} from './group-queries.js';
import type { CreateCallInGroupBody, DnisImportMode, DnisQuery, ReplaceDnisBody, UpdateCallInGroupBody } from './group-schemas.js';

/**
 * `/admin/v1/call-in-groups`: Click-To-Call-In groups, each a DNIS pool (the numbers a caller is
 * told to dial) with its access-code settings. A group belongs to its queue like a campaign does: a
 * client restricted to some queues sees and changes only its queues' groups, and a group without a
 * queue is an unrestricted client's alone. The name never changes after creation.
 */

const ENTITY = 'call-in-group';
const LABEL = 'Call-in group';
/** Changed numbers an audit entry lists (the counts are always whole). */
const AUDIT_LISTED = 100;

type Db = Kysely<DB> | Transaction<DB>;

function toApi(r: CallInGroupRow, dnisCount: number) {
  return {
    id: r.id,
    name: r.name,
    queueId: r.queue_id,
    accessCodeEnabled: r.access_code_enabled,
    accessCodeLength: r.access_code_length,
    expirySeconds: r.expiry_seconds,
    uniqueDnis: r.unique_dnis,
    matchCriteria: r.match_criteria,
    maxCodeAttempts: r.max_code_attempts,
    dnisCount,
    createdBy: r.created_by,
    createdAt: isoUtc(r.created_at),
    updatedAt: isoUtc(r.updated_at),
  };
}

/** The group's queue (null: none); a queueId naming no queue is a 400. */
async function queueOf(db: Db, queueId: string | null): Promise<QueueIdentity | null> {
  if (queueId === null) return null;
  const queue = await findQueue(db, queueId);
  if (!queue) throw errors.validation('queueId', 'queueId does not name an existing queue');
  return queue;
}

async function assertMayUse(db: Db, ctx: Context, queueId: string | null): Promise<void> {
  assertQueueDataAccess(ctx.caller, await queueOf(db, queueId), 'call-in group');
}

/** A code-based match needs codes: DNIS_AND_CODE and ALL with accessCodeEnabled false say two things at once. */
function assertCoherent(accessCodeEnabled: boolean, matchCriteria: CallInMatchCriteria): void {
  if (!accessCodeEnabled && matchCriteria !== 'DNIS_AND_CALLER') {
    throw errors.validation('matchCriteria', `matchCriteria ${matchCriteria} needs an access code: set accessCodeEnabled to true, or matchCriteria to DNIS_AND_CALLER`);
  }
}

/** A refused pool: every problem in `details.errors` (the first 100), the first in the message. */
function poolRefused(field: string, found: readonly LineError[], where: (at: number) => string, what: string, detail: (e: LineError) => object): AppError {
  const first = found[0]!;
  const more = found.length > 1 ? ` (and ${found.length - 1} more)` : '';
  return new AppError('VALIDATION_FAILED', `${what}: ${where(first.line)}: ${first.message}${more}; nothing was changed`, field, {
    errorCount: found.length,
    errors: found.slice(0, CSV_MAX_LISTED_ERRORS).map(detail),
  });
}

const onLine = (line: number) => `line ${line}`;
const fileRefused = (found: readonly LineError[]) => poolRefused('body', found, onLine, `The file has ${found.length} error(s)`, (e) => ({ line: e.line, message: e.message }));

/** The pool of a JSON body, checked (numbers, descriptions, repeats). */
function poolOf(dnis: ReplaceDnisBody['dnis']): DnisEntry[] {
  const checked = checkEntries(
    dnis.map((d, i) => ({ at: i, number: d.number, description: d.description ?? null })),
    (at) => `at dnis[${at}]`,
  );
  if (checked.errors.length > 0) {
    throw poolRefused('dnis', checked.errors, (at) => `dnis[${at}]`, 'The DNIS pool is invalid', (e) => ({ index: e.line, message: e.message }));
  }
  return checked.entries.map(({ number, description }) => ({ number, description }));
}

function columns(b: UpdateCallInGroupBody): Updateable<CallInGroupsTable> {
  return {
    ...(b.queueId !== undefined && { queue_id: b.queueId }),
    ...(b.accessCodeEnabled !== undefined && { access_code_enabled: b.accessCodeEnabled }),
    ...(b.accessCodeLength !== undefined && { access_code_length: b.accessCodeLength }),
    ...(b.expirySeconds !== undefined && { expiry_seconds: b.expirySeconds }),
    ...(b.uniqueDnis !== undefined && { unique_dnis: b.uniqueDnis }),
    ...(b.matchCriteria !== undefined && { match_criteria: b.matchCriteria }),
    ...(b.maxCodeAttempts !== undefined && { max_code_attempts: b.maxCodeAttempts }),
  };
}

async function countOf(db: Db, id: string): Promise<number> {
  return (await dnisCounts(db, [id])).get(id) ?? 0;
}

/** A group the caller may use (locked for the change, inside a transaction), or 404 / 403. */
async function visibleGroup(db: Db, ctx: Context, id: string, lock = false): Promise<CallInGroupRow> {
  const row = lock ? await lockCallInGroup(db as Transaction<DB>, id) : await findCallInGroup(db, id);
  if (!row) throw errors.notFound(LABEL, id);
  await assertMayUse(db, ctx, row.queue_id);
  return row;
}

export async function listCallInGroups(ctx: Context) {
  const [rows, queues] = await Promise.all([listCallInGroupRows(ctx.db), listQueueRows(ctx.db)]);
  const byId = new Map(queues.map((q) => [q.id, q]));
  const visible = rows.filter((r) => mayUseQueueData(ctx.caller, r.queue_id === null ? null : (byId.get(r.queue_id) ?? null)));
  const counts = await dnisCounts(ctx.db, visible.map((r) => r.id));
  return visible.map((r) => toApi(r, counts.get(r.id) ?? 0));
}

export async function getCallInGroup(ctx: Context, id: string) {
  const row = await visibleGroup(ctx.db, ctx, id);
  return toApi(row, await countOf(ctx.db, id));
}

export async function createCallInGroup(ctx: Context, body: CreateCallInGroupBody) {
  const name = body.name.trim();
  const accessCodeEnabled = body.accessCodeEnabled ?? true;
  const matchCriteria = body.matchCriteria ?? 'DNIS_AND_CODE';
  assertCoherent(accessCodeEnabled, matchCriteria);
  const pool = poolOf(body.dnis);
  await assertMayUse(ctx.db, ctx, body.queueId ?? null);
  const now = ctx.clock.now();
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'create', name }, async (trx) => {
    // The unique index compares lower(name) as the database's locale lowers it (ASCII only under C):
    // names are compared here too, by Unicode case, one creation at a time.
    await lockKey(trx, 'call-in-groups:names');
    const folded = name.toLowerCase();
    const clash = (await listCallInGroupRows(trx)).find((g) => g.name.toLowerCase() === folded);
    if (clash) throw errors.conflict(`A call-in group named "${clash.name}" already exists`);
    const row = await insertCallInGroup(trx, {
      name,
      queue_id: body.queueId ?? null,
      access_code_enabled: accessCodeEnabled,
      access_code_length: body.accessCodeLength ?? 6,
      expiry_seconds: body.expirySeconds ?? 30,
      unique_dnis: body.uniqueDnis ?? false,
      match_criteria: matchCriteria,
      max_code_attempts: body.maxCodeAttempts ?? 3,
      created_by: ctx.caller.name,
      created_at: now,
      updated_at: now,
    });
    await insertDnis(trx, row.id, pool);
    const result = toApi(row, pool.length);
    return { entityId: row.id, after: { ...result, dnis: pool.slice(0, AUDIT_LISTED) }, result };
  });
}

/** Only the fields sent; the name is not among them (the route refuses it). */
export async function updateCallInGroup(ctx: Context, id: string, patch: UpdateCallInGroupBody) {
  const values = columns(patch);
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'update' }, async (trx) => {
    const before = await visibleGroup(trx, ctx, id, true);
    // Moving it to another queue: the caller must be allowed there too.
    if (patch.queueId !== undefined) await assertMayUse(trx, ctx, patch.queueId);
    assertCoherent(patch.accessCodeEnabled ?? before.access_code_enabled, patch.matchCriteria ?? before.match_criteria);
    const row = await updateCallInGroupRow(trx, id, { ...values, updated_at: ctx.clock.now() });
    const count = await countOf(trx, id);
    return { entityId: id, before: toApi(before, count), after: toApi(row, count), result: toApi(row, count) };
  });
}

/** Refused (409) while a request handed out from the group can still be called in for. */
export async function deleteCallInGroup(ctx: Context, id: string): Promise<void> {
  await auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action: 'delete' }, async (trx) => {
    const before = await visibleGroup(trx, ctx, id, true);
    const pending = await countLivePendingRequests(trx, id, ctx.clock.now());
    if (pending > 0) throw errors.conflict(`The call-in group has ${pending} pending request(s) not expired yet; delete it once they have matched or expired`, { pendingRequests: pending });
    const count = await countOf(trx, id);
    await deleteCallInGroupRow(trx, id);
    return { entityId: id, before: toApi(before, count), result: undefined };
  });
}

export async function listGroupDnis(ctx: Context, id: string, query: DnisQuery) {
  await visibleGroup(ctx.db, ctx, id);
  const [items, total] = await Promise.all([dnisPage(ctx.db, id, query.limit, query.offset), countOf(ctx.db, id)]);
  return { items, total, offset: query.offset };
}

/**
 * Writes the new pool in place of (or after) the old one, in the group's lock, with an audit entry
 * of what changed: the counts, and the first numbers added and removed.
 */
async function writePool(ctx: Context, id: string, action: string, field: string, decide: (current: DnisEntry[]) => { replace: boolean; entries: DnisEntry[] }) {
  return auditedChange(ctx.db, ctx.caller, { entity: ENTITY, action }, async (trx) => {
    await visibleGroup(trx, ctx, id, true);
    const current = await allDnis(trx, id);
    const { replace, entries } = decide(current);
    const next = replace ? entries : [...current, ...entries];
    if (next.length > DNIS_MAX_POOL) throw errors.validation(field, `the pool would hold ${next.length.toLocaleString('en-US')} numbers: at most ${DNIS_MAX_POOL.toLocaleString('en-US')}`);
    if (replace) await deleteAllDnis(trx, id);
    await insertDnis(trx, id, entries);
    await updateCallInGroupRow(trx, id, { updated_at: ctx.clock.now() });
    const was = new Set(current.map((d) => d.number));
    const now = new Set(next.map((d) => d.number));
    const added = next.filter((d) => !was.has(d.number)).map((d) => d.number);
    const removed = current.filter((d) => !now.has(d.number)).map((d) => d.number);
    return {
      entityId: id,
      before: { dnisCount: current.length },
      after: { dnisCount: next.length, addedCount: added.length, removedCount: removed.length, added: added.slice(0, AUDIT_LISTED), removed: removed.slice(0, AUDIT_LISTED) },
      result: { imported: entries.length, dnisCount: next.length },
    };
  });
}

/** `PUT .../dnis`: the body's numbers become the pool. */
export async function replaceGroupDnis(ctx: Context, id: string, body: ReplaceDnisBody) {
  const pool = poolOf(body.dnis);
  await writePool(ctx, id, 'replace-dnis', 'dnis', () => ({ replace: true, entries: pool }));
  return getCallInGroup(ctx, id);
}

/**
 * `POST .../dnis/import`: a CSV file of one group's numbers. Every line is checked (and, when
 * appending, against the pool); any error refuses the whole file, listing the lines at fault.
 */
export async function importGroupDnis(ctx: Context, id: string, csv: string, mode: DnisImportMode) {
  const parsed = parseDnisCsv(csv);
  if (parsed.errors.length > 0) throw fileRefused(parsed.errors);
  if (parsed.entries.length === 0) throw errors.validation('body', 'the file holds no numbers (a line is number,description)');
  const result = await writePool(ctx, id, 'import-dnis', 'body', (current) => {
    if (mode === 'append') {
      const have = new Set(current.map((d) => d.number));
      const clashes = parsed.entries.filter((e) => have.has(e.number)).map((e) => ({ line: e.at, message: `${e.number} is already in the pool` }));
      if (clashes.length > 0) throw fileRefused(clashes);
    }
    return { replace: mode === 'replace', entries: parsed.entries.map(({ number, description }) => ({ number, description })) };
  });
  return { mode, ...result };
}

const CSV_COLUMNS: readonly Column<DnisEntry>[] = [
  { header: 'number', value: (d) => d.number },
  { header: 'description', value: (d) => d.description },
];

/** `GET .../dnis/export`: the pool as the import reads it (numbers kept text for spreadsheets: `'+1...`). */
export async function exportGroupDnis(ctx: Context, id: string): Promise<{ filename: string; csv: string }> {
  const row = await visibleGroup(ctx.db, ctx, id);
  const pool = await allDnis(ctx.db, id);
  return { filename: `call-in-group-${row.name.replace(/[^A-Za-z0-9._-]/g, '_')}.csv`, csv: csvHeader(CSV_COLUMNS) + csvRows(CSV_COLUMNS, pool) };
}
