import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/service.js';
import { assertUnrestricted } from '../auth/access.js';
import type { Context } from '../context.js';
import { lockKey } from '../db/locks.js';
import type { DB, MessageOptOutsTable } from '../db/types.js';
import { errors } from '../errors.js';
import { digitsOf, normalizeNumber } from '../numbers/normalize.js';
import { isoUtc } from '../time.js';

/**
 * The SMS opt-out list (`message_opt_outs`): numbers that are never texted. The outbox makes no SMS
 * delivery for them and the SMS sender checks again just before sending; this module keeps the list.
 *
 * Two ways onto it: the customer texts a stop keyword (the `messages/opt-out` data action, source
 * 'STOP'), or an operator puts the number on the do-not-message list (source 'list'). The customer's
 * START takes off only what the customer's STOP put there: a number an operator listed stays listed
 * until an operator removes it. Numbers belong to no queue, so the list is one for every queue.
 *
 * Every change to one number is made under a lock on that number and audited; a request that
 * changes nothing (a second STOP, the same PUT again) writes no audit entry.
 */

export const OPT_OUT_SOURCES = ['STOP', 'list'] as const;
export type OptOutSource = (typeof OPT_OUT_SOURCES)[number];
export const OPT_OUT_OUTCOMES = ['OPTED_OUT', 'OPTED_IN', 'STILL_BLOCKED', 'INVALID_NUMBER', 'IGNORED'] as const;
export type OptOutOutcome = (typeof OPT_OUT_OUTCOMES)[number];

/** The carriers' (CTIA) opt-out and opt-in keywords. */
export const STOP_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'] as const;
export const START_KEYWORDS = ['START', 'UNSTOP', 'YES'] as const;

const ENTITY = 'message-opt-out';
const LABEL = 'Opt-out';

type OptOutRow = Omit<MessageOptOutsTable, 'created_at'> & { created_at: Date };

function toApi(row: OptOutRow) {
  return { phoneE164: row.phone_e164, source: row.source, note: row.note, createdBy: row.created_by, createdAt: isoUtc(row.created_at) };
}
/** What the audit log keeps of an entry. */
const audited = (row: OptOutRow) => ({ source: row.source, note: row.note });

/** A number as the list keys it (E.164); anything else is a 400 naming `field`. */
export function optOutNumber(input: string, field: string): string {
  const parsed = normalizeNumber(input);
  if (!parsed.ok) throw errors.validation(field, `${field}: ${parsed.message}`);
  return parsed.number.e164;
}

/** The keyword a message is, if it is one: the whole message, trimmed, in any case, trailing . or ! ignored. */
export function keywordOf(text: string): { keyword: string; kind: 'stop' | 'start' } | null {
  const word = text.trim().replace(/[.!]+$/, '').trim().toUpperCase();
  if ((STOP_KEYWORDS as readonly string[]).includes(word)) return { keyword: word, kind: 'stop' };
  if ((START_KEYWORDS as readonly string[]).includes(word)) return { keyword: word, kind: 'start' };
  return null;
}

async function lockedRow(trx: Transaction<DB>, phone: string): Promise<OptOutRow | undefined> {
  await lockKey(trx, `message-opt-out:${phone}`);
  return trx.selectFrom('message_opt_outs').selectAll().where('phone_e164', '=', phone).executeTakeFirst();
}

export async function listOptOuts(ctx: Context, query: { phone?: string | undefined; source?: OptOutSource | undefined; limit: number; cursor?: string | undefined }) {
  let q = ctx.db.selectFrom('message_opt_outs').selectAll();
  if (query.phone !== undefined) {
    const digits = digitsOf(query.phone);
    if (digits === '') throw errors.validation('phone', 'phone: give the digits the numbers start with');
    q = q.where('phone_e164', 'like', `+${digits}%`);
  }
  if (query.source !== undefined) q = q.where('source', '=', query.source);
  if (query.cursor !== undefined) q = q.where('phone_e164', '>', query.cursor);
  const rows = await q.orderBy('phone_e164').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  return { items: page.map(toApi), nextCursor: rows.length > query.limit ? page[page.length - 1]!.phone_e164 : null };
}

export async function getOptOut(ctx: Context, phoneInput: string) {
  const phone = optOutNumber(phoneInput, 'phone');
  const row = await ctx.db.selectFrom('message_opt_outs').selectAll().where('phone_e164', '=', phone).executeTakeFirst();
  if (!row) throw errors.notFound(LABEL, phone);
  return toApi(row);
}

/**
 * `PUT /admin/v1/message-opt-outs/:phone`: the number on the do-not-message list (source 'list').
 * A number the customer's STOP put there becomes the operator's (a START no longer takes it off).
 * Answers the entry and whether it was created.
 */
export async function putOptOut(ctx: Context, phoneInput: string, body: { note?: string | null | undefined }) {
  const phone = optOutNumber(phoneInput, 'phone');
  const note = body.note === undefined ? undefined : body.note === null || body.note.trim() === '' ? null : body.note.trim();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await lockedRow(trx, phone);
    if (before && before.source === 'list' && (note === undefined || note === before.note)) return { created: false, entry: toApi(before) };
    const row = before
      ? await trx
          .updateTable('message_opt_outs')
          .set({ source: 'list', created_by: before.source === 'list' ? before.created_by : ctx.caller.name, ...(note !== undefined && { note }) })
          .where('phone_e164', '=', phone)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await trx
          .insertInto('message_opt_outs')
          .values({ phone_e164: phone, source: 'list', note: note ?? null, created_by: ctx.caller.name, created_at: ctx.clock.now() })
          .returningAll()
          .executeTakeFirstOrThrow();
    await recordAudit(trx, ctx.caller, { entity: ENTITY, action: before ? 'update' : 'create', entityId: phone, ...(before && { before: audited(before) }), after: audited(row) });
    return { created: !before, entry: toApi(row) };
  });
}

/**
 * `DELETE /admin/v1/message-opt-outs/:phone`: texts to the number are made again from the next
 * notification on. SMS deliveries dropped while it was listed stay dropped. The list serves every
 * queue, so only an unrestricted administrator removes a number.
 */
export async function deleteOptOut(ctx: Context, phoneInput: string): Promise<void> {
  const phone = optOutNumber(phoneInput, 'phone');
  assertUnrestricted(ctx.caller, 'take a number off the opt-out list: it applies to every queue');
  await ctx.db.transaction().execute(async (trx) => {
    const before = await lockedRow(trx, phone);
    if (!before) throw errors.notFound(LABEL, phone);
    await trx.deleteFrom('message_opt_outs').where('phone_e164', '=', phone).execute();
    await recordAudit(trx, ctx.caller, { entity: ENTITY, action: 'delete', entityId: phone, before: audited(before) });
  });
}

export interface OptOutAnswer {
  outcome: OptOutOutcome;
  optedOut: boolean;
  phoneE164: string;
  source: string;
  keyword: string;
  message: string;
}

/**
 * `POST /actions/v1/messages/opt-out`, called by an inbound message flow with the sender and the text:
 * a stop keyword puts the number on the list (OPTED_OUT), a start keyword takes off what a STOP put
 * there (OPTED_IN) but not an operator's entry (STILL_BLOCKED); any other text is IGNORED.
 */
export async function messageOptOut(ctx: Context, input: { phoneNumber: string; text?: string | undefined }): Promise<OptOutAnswer> {
  const word = keywordOf(input.text ?? '');
  const parsed = normalizeNumber(input.phoneNumber);
  const phoneE164 = parsed.ok ? parsed.number.e164 : '';
  const answer = (outcome: OptOutOutcome, row: OptOutRow | undefined, message: string): OptOutAnswer => ({
    outcome,
    optedOut: row !== undefined,
    phoneE164,
    source: row?.source ?? '',
    keyword: word?.keyword ?? '',
    message,
  });
  if (!word) {
    const row = parsed.ok ? await ctx.db.selectFrom('message_opt_outs').selectAll().where('phone_e164', '=', phoneE164).executeTakeFirst() : undefined;
    return answer('IGNORED', row, 'Not an opt-out or opt-in keyword: nothing changed');
  }
  if (!parsed.ok) return answer('INVALID_NUMBER', undefined, `The sender is not a phone number: ${parsed.message}`);

  return ctx.db.transaction().execute(async (trx) => {
    const before = await lockedRow(trx, phoneE164);
    if (word.kind === 'stop') {
      if (before) return answer('OPTED_OUT', before, 'The number was already on the opt-out list');
      const row = await trx
        .insertInto('message_opt_outs')
        .values({ phone_e164: phoneE164, source: 'STOP', note: null, created_by: ctx.caller.name, created_at: ctx.clock.now() })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, ctx.caller, { entity: ENTITY, action: 'opt-out', entityId: phoneE164, after: { ...audited(row), keyword: word.keyword } });
      return answer('OPTED_OUT', row, 'The number is on the opt-out list: it is sent no more text messages');
    }
    if (!before) return answer('OPTED_IN', undefined, 'The number was not on the opt-out list');
    if (before.source === 'list') return answer('STILL_BLOCKED', before, 'The number is on the do-not-message list an operator keeps: only an operator takes it off');
    await trx.deleteFrom('message_opt_outs').where('phone_e164', '=', phoneE164).execute();
    await recordAudit(trx, ctx.caller, { entity: ENTITY, action: 'opt-in', entityId: phoneE164, before: audited(before), after: { keyword: word.keyword } });
    return answer('OPTED_IN', undefined, 'The number is off the opt-out list: text messages are sent again');
  });
}
