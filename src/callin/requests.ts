import { sql, type Transaction } from 'kysely';
import { assertQueueDataAccess, mayUseQueueData, type QueueIdentity } from '../auth/access.js';
import { parseUserData } from '../callbacks/user-data.js';
import type { Context } from '../context.js';
import type { CallInGroupRow, CallInRequestRow, DB } from '../db/types.js';
import { errors } from '../errors.js';
import { normalizeNumber } from '../numbers/normalize.js';
import { screenForQueue, screenWith } from '../numbers/service.js';
import { findQueueWithConfig } from '../queues/queries.js';
import { isoUtc } from '../time.js';
import type { CodeHasher } from './codes.js';
import { allocate } from './allocate.js';
import { findCallInGroupByName } from './group-queries.js';
import { calledIn } from './delayed.js';
import type { CallbackState } from '../vocabulary.js';
import type { CallInMatchInput, CallInMatchOutput, CallInRequestInput, CallInRequestOutput, RequestOutcome } from './request-schemas.js';

/**
 * Click-To-Call-In requests: the customer is handed a number of the group's DNIS pool to dial (and,
 * when the group wants one, an access code) instead of being called; the inbound flow's match finds
 * the request again by what the call presents.
 */

/** How far back a match looks for a request that expired or was used, to say so rather than NO_MATCH. */
const RECENT_MS = 24 * 3_600_000;

type Group = CallInGroupRow & { queue: QueueIdentity | null };

async function findGroup(ctx: Context, name: string): Promise<Group | undefined> {
  const row = await findCallInGroupByName(ctx.db, name);
  if (!row) return undefined;
  const { queue_name, genesys_queue_id, ...group } = row;
  return { ...group, queue: group.queue_id && queue_name ? { id: group.queue_id, name: queue_name, genesys_queue_id } : null };
}

const refused = (outcome: RequestOutcome, message: string, phoneE164 = ''): CallInRequestOutput => ({ outcome, requestId: '', toPhoneNumber: '', accessCode: '', expiresAt: '', expiresInSeconds: 0, phoneE164, message });

/**
 * Hands out a number (and a code) of a group. The number is the pool's least busy one — the fewest
 * live requests, ties at random — and, with unique DNIS, one no live request holds. Allocations of
 * one group are serialized on its row, so racing requests count each other. A live request's code
 * is never handed out again on its number.
 */
export async function requestCallIn(ctx: Context, codes: CodeHasher, input: CallInRequestInput): Promise<CallInRequestOutput> {
  const group = await findGroup(ctx, input.group);
  if (!group) throw errors.notFound('call-in group', input.group);
  assertQueueDataAccess(ctx.caller, group.queue, 'call-in group');
  const userData = parseUserData(input.userData);
  const config = group.queue_id ? await findQueueWithConfig(ctx.db, { queueId: group.queue_id }) : undefined;
  const screened = config ? await screenForQueue(ctx.db, ctx.caches.numberRules, config, input.fromPhoneNumber, input.defaultCountry) : await screenWith(ctx.caches.numberRules, null, input.fromPhoneNumber, input.defaultCountry);
  if (!screened.allowed) return refused(screened.outcome as RequestOutcome, screened.message, screened.phoneE164);
  const phone = screened.phoneE164;

  const callback = input.callbackId === undefined ? undefined : await callbackFor(ctx, input.callbackId);
  if (callback === null) return refused('NOT_FOUND', `No callback ${input.callbackId}`, phone);
  if (callback?.state === 'COMPLETED') return refused('ALREADY_COMPLETED', 'The callback is completed (handled, cancelled or purged): it takes no call-in', phone);

  return ctx.db.transaction().execute(async (trx) => {
    const handed = await allocate(trx, codes, group, {
      phone,
      callback,
      userData,
      expirySeconds: group.expiry_seconds,
      createdBy: ctx.caller.id,
      now: ctx.clock.now(),
    });
    if (!handed.ok) return refused('NO_NUMBER_AVAILABLE', handed.message, phone);
    const { requestId, dnis, code, expiresAt } = handed;
    return { outcome: 'READY', requestId, toPhoneNumber: dnis, accessCode: code, expiresAt: isoUtc(expiresAt), expiresInSeconds: group.expiry_seconds, phoneE164: phone, message: code ? `Call ${dnis} and enter ${code}` : `Call ${dnis}` };
  });
}

/** The callback a request is for (null: none such); a callback of a queue the caller may not use is a 403. */
async function callbackFor(ctx: Context, id: string) {
  const c = await ctx.db
    .selectFrom('callbacks as c')
    .innerJoin('queues as q', 'q.id', 'c.queue_id')
    .select(['c.id', 'c.queue_id', 'c.priority', 'c.user_data', 'c.state', 'q.name', 'q.genesys_queue_id'])
    .where('c.id', '=', id)
    .executeTakeFirst();
  if (!c) return null;
  assertQueueDataAccess(ctx.caller, { id: c.queue_id, name: c.name, genesys_queue_id: c.genesys_queue_id }, 'callback');
  return c;
}

type Candidate = CallInRequestRow & Pick<CallInGroupRow, 'match_criteria' | 'max_code_attempts'> & { queue_name: string | null; genesys_queue_id: string | null; default_priority: number | null; callback_state: CallbackState | null };

const noMatch = (outcome: CallInMatchOutput['outcome'], message: string, extra: Partial<CallInMatchOutput> = {}): CallInMatchOutput => ({
  matched: false,
  outcome,
  requestId: '',
  callbackId: '',
  queueId: '',
  genesysQueueId: '',
  queueName: '',
  priority: 0,
  userData: '{}',
  attemptsLeft: 0,
  message,
  ...extra,
});

/**
 * Matches an inbound call to its request, once. The requests on the dialed number (live and recent)
 * are locked, so racing calls see each other: one MATCHED, the others ALREADY_USED. Each request's
 * group says what must match: the code (DNIS_AND_CODE), the caller's number (DNIS_AND_CALLER), or
 * both (ALL). A wrong code counts against the request it can be told to be for — the caller's own,
 * else the only live one on the number when that one matches by code alone — and after the group's
 * maxCodeAttempts it is LOCKED.
 */
export async function matchCallIn(ctx: Context, codes: CodeHasher, input: CallInMatchInput): Promise<CallInMatchOutput> {
  const normalized = normalizeNumber(input.dialedNumber);
  if (!normalized.ok) throw errors.validation('dialedNumber', normalized.message);
  const dialed = normalized.number.e164;
  // A withheld or unreadable caller number matches nothing by caller.
  const caller = input.callerNumber ? normalizeNumber(input.callerNumber) : undefined;
  const callerE164 = caller?.ok ? caller.number.e164 : null;
  const code = input.accessCode?.trim() ?? '';
  if (code !== '' && !/^[0-9]{1,20}$/.test(code)) throw errors.validation('accessCode', 'an access code is digits only');
  const hash = code === '' ? null : codes.hash(dialed, code);

  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const rows = (await sql<Candidate>`
      select r.*, g.match_criteria, g.max_code_attempts, q.name as queue_name, q.genesys_queue_id, q.default_priority, c.state as callback_state
        from call_in_requests r
        join call_in_groups g on g.id = r.group_id
        left join queues q on q.id = r.queue_id
        left join callbacks c on c.id = r.callback_id
       where r.to_number = ${dialed} and r.created_at > ${new Date(now.getTime() - RECENT_MS)}
       order by r.created_at
         for update of r`.execute(trx)).rows.filter((r) => r.queue_id === null || mayUseQueueData(ctx.caller, { id: r.queue_id, name: r.queue_name ?? '', genesys_queue_id: r.genesys_queue_id }));
    for (const r of rows) {
      if (r.state === 'PENDING' && r.expires_at.getTime() <= now.getTime()) {
        await trx.updateTable('call_in_requests').set({ state: 'EXPIRED' }).where('id', '=', r.id).execute();
        r.state = 'EXPIRED';
      }
    }
    const presents = (r: Candidate): boolean => {
      const byCode = r.access_code_hash !== null && hash !== null && r.access_code_hash === hash;
      const byCaller = callerE164 !== null && r.from_phone_e164 === callerE164;
      if (r.match_criteria === 'DNIS_AND_CODE') return byCode;
      if (r.match_criteria === 'DNIS_AND_CALLER') return byCaller;
      return byCode && byCaller;
    };
    // A request for a callback that has since completed (cancelled, purged) takes no call.
    const live = rows.filter((r) => r.state === 'PENDING' && r.callback_state !== 'COMPLETED');
    const hit = live.find(presents);
    if (hit) {
      await trx.updateTable('call_in_requests').set({ state: 'MATCHED', matched_at: now }).where('id', '=', hit.id).execute();
      // A delayed call-in's callback is done: the customer called.
      if (hit.callback_id) await calledIn(trx, ctx, hit.callback_id, hit.id, now);
      return matchedAnswer(hit);
    }
    // The newest one the call presents, if it is no longer live: say why.
    const gone = rows.filter((r) => r.state !== 'PENDING' && presents(r)).at(-1);
    if (gone?.state === 'MATCHED') return noMatch('ALREADY_USED', 'That request has already been matched to a call', { requestId: gone.id });
    if (gone?.state === 'EXPIRED') return noMatch('EXPIRED', 'That request expired before the call', { requestId: gone.id });
    // A wrong code, counted against the request it is for.
    if (code !== '') {
      const wantsCode = live.filter((r) => r.access_code_hash !== null && r.access_code_hash !== hash && r.match_criteria !== 'DNIS_AND_CALLER');
      const own = wantsCode.filter((r) => callerE164 !== null && r.from_phone_e164 === callerE164);
      // Another caller's request counts a wrong code only when it matches by code alone and is the only one.
      const byCodeAlone = wantsCode.filter((r) => r.match_criteria === 'DNIS_AND_CODE');
      const target = own.at(-1) ?? (wantsCode.length === 1 && byCodeAlone.length === 1 ? byCodeAlone[0] : undefined);
      if (target) {
        const wrong = target.wrong_codes + 1;
        const locked = wrong >= target.max_code_attempts;
        await trx.updateTable('call_in_requests').set({ wrong_codes: wrong, ...(locked && { state: 'LOCKED' }) }).where('id', '=', target.id).execute();
        if (locked) return noMatch('NO_MATCH', 'Too many wrong codes: the request no longer matches', { requestId: target.id });
        return noMatch('WRONG_CODE', 'The access code is wrong', { requestId: target.id, attemptsLeft: target.max_code_attempts - wrong });
      }
    }
    return noMatch('NO_MATCH', 'No pending request matches this call');
  });
}

function matchedAnswer(r: Candidate): CallInMatchOutput {
  return {
    matched: true,
    outcome: 'MATCHED',
    requestId: r.id,
    callbackId: r.callback_id ?? '',
    queueId: r.queue_id ?? '',
    genesysQueueId: r.genesys_queue_id ?? '',
    queueName: r.queue_name ?? '',
    priority: r.priority ?? r.default_priority ?? 0,
    userData: JSON.stringify(r.user_data),
    attemptsLeft: 0,
    message: 'Matched',
  };
}
