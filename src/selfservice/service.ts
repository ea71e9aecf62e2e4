import { timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../auth/encryption.js';
import { availability as queueAvailability } from '../availability/service.js';
import type { AvailabilityOutput } from '../availability/schemas.js';
import type { CreateAnswer } from '../callbacks/answers.js';
import { findCallback, waitingPosition } from '../callbacks/queries.js';
import { cancelById, estimatedWait, reschedule } from '../callbacks/service.js';
import { ownedCutOff } from '../callbacks/routing.js';
import type { Context } from '../context.js';
import type { CallbackRow, DB, ManageTokenRow } from '../db/types.js';
import { errors } from '../errors.js';
import { findQueue } from '../queues/queries.js';
import { isoLocal, isoUtc } from '../time.js';
import { CANCELLABLE } from '../vocabulary.js';
import { checkSelfServiceLink, type LinkSigner } from './link.js';
import type { PublicAvailabilityQuery, PublicRescheduleInput } from './schemas.js';
import { findManageTokenOf, generateManageToken, insertManageToken, manageTokenHash, MANAGE_TOKEN_RE } from './tokens.js';

/**
 * Customer self-service: what a callback created through a publishable key lets its customer do
 * with the manage token the create answered — read the status, cancel, reschedule — through the same
 * services as the data actions, as the customer.
 */

/** A completed callback's status stays readable with its token for this long; it never changes again. */
export const READ_AFTER_COMPLETION_HOURS = 24;

/**
 * The manage token of a created callback, for a create through a publishable key: a fresh one on the
 * first answer, the same one (unsealed) on an idempotent replay by the same key's client. None for a
 * server client, for refusals, or for a DUPLICATE (which names someone's existing callback).
 */
export async function manageTokenFor(ctx: Context, box: SecretBox, answer: CreateAnswer): Promise<string | undefined> {
  const caller = ctx.caller;
  if (caller.channel !== 'publishable' || answer.outcome !== 'CREATED' || answer.callbackId === '') return undefined;
  const callback = await findCallback(ctx.db, answer.callbackId);
  if (!callback || callback.created_by !== caller.id) return undefined;
  const token = generateManageToken();
  const row = { callback_id: callback.id, token_hash: manageTokenHash(token), token_sealed: box.encrypt(token), client_id: caller.id, key_id: caller.keyId ?? null };
  if (await insertManageToken(ctx.db, row)) return token;
  const existing = await findManageTokenOf(ctx.db, callback.id);
  return existing && existing.client_id === caller.id ? box.decrypt(existing.token_sealed) : undefined;
}

/** The publishable client a token names, as authentication caches it. */
export interface TokenClient {
  active: boolean;
  name: string;
  kind: 'server' | 'publishable';
  origins: readonly string[];
}

export interface Managed {
  callback: CallbackRow;
  /** The token's row; null when a signed link authenticated the read. */
  token: ManageTokenRow | null;
  client: TokenClient | null;
}

/** One answer for every failure, so that nothing tells whether the callback exists. */
const notFound = () => errors.notFound('Callback (with this manage token)');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Past its read window: completed more than READ_AFTER_COMPLETION_HOURS ago. */
function pastReadWindow(callback: CallbackRow, now: Date): boolean {
  return callback.completed_at !== null && now.getTime() - new Date(callback.completed_at).getTime() > READ_AFTER_COMPLETION_HOURS * 3_600_000;
}

export type Credential = { token: string } | { link: { exp: number; sig: string } };

/**
 * The callback a credential opens: its manage token (any route), or a signed link (reads). 404 for
 * every failure — no token, another callback's, a malformed one, past the read window, a key no
 * longer active, a tampered or expired link — the same answer as for an id that does not exist.
 */
export async function authenticateManage(
  deps: { db: Kysely<DB>; signer: LinkSigner; clientOf: (id: string) => Promise<TokenClient | null> },
  callbackId: string,
  credential: Credential | null,
  now: Date,
): Promise<Managed> {
  if (credential === null) throw notFound();
  let token: ManageTokenRow | null = null;
  let client: TokenClient | null = null;
  if ('token' in credential) {
    if (!MANAGE_TOKEN_RE.test(credential.token)) throw notFound();
    const row = await findManageTokenOf(deps.db, callbackId);
    if (!row || !sameHash(row.token_hash, manageTokenHash(credential.token))) throw notFound();
    client = await deps.clientOf(row.client_id);
    if (!client || !client.active || client.kind !== 'publishable') throw notFound();
    token = row;
  } else if (checkSelfServiceLink(deps.signer, callbackId, credential.link.exp, credential.link.sig, now) !== 'valid') {
    throw notFound();
  }
  const callback = await findCallback(deps.db, callbackId);
  if (!callback || pastReadWindow(callback, now)) throw notFound();
  return { callback, token, client };
}

export interface PublicStatus {
  callbackId: string;
  type: string;
  state: string;
  completionReason: string;
  scheduledTime: string;
  scheduledTimeLocal: string;
  timezone: string;
  queueName: string;
  position: number | null;
  ewtSeconds: number;
  canCancel: boolean;
  canReschedule: boolean;
}

/** What the customer sees of their callback. The context's caller is the customer. */
export async function status(ctx: Context, callback: CallbackRow): Promise<PublicStatus> {
  const queue = (await findQueue(ctx.db, callback.queue_id))!;
  const waiting = callback.state === 'QUEUED' || callback.state === 'ROUTING';
  const [position, ewtSeconds] = waiting ? await Promise.all([waitingPosition(ctx.db, callback), estimatedWait(ctx, queue.genesys_queue_id, ctx.clock.now())]) : [null, -1];
  const scheduled = callback.scheduled_time === null ? null : new Date(callback.scheduled_time);
  return {
    callbackId: callback.id,
    type: callback.type,
    state: callback.state,
    completionReason: callback.completion_reason ?? '',
    scheduledTime: scheduled ? isoUtc(scheduled) : '',
    scheduledTimeLocal: scheduled ? isoLocal(scheduled, queue.timezone) : '',
    timezone: queue.timezone,
    queueName: queue.name,
    position,
    ewtSeconds,
    canCancel: CANCELLABLE.includes(callback.state) && !ownedCutOff(callback, ctx.clock.now()),
    canReschedule: callback.type === 'scheduled' && callback.state === 'SCHEDULED' && !ownedCutOff(callback, ctx.clock.now()),
  };
}

/** The history's detail of a customer's change: it came through self-service, with this key. */
function via(managed: Managed) {
  return { channel: 'self-service', keyId: managed.token?.key_id ?? null };
}

/** Cancels as the data action does (its outcomes), as the customer: CANCELLED_BY_CUSTOMER. */
export function cancel(ctx: Context, managed: Managed) {
  return cancelById(ctx, managed.callback.id, 'CANCELLED_BY_CUSTOMER', via(managed));
}

/** Reschedules through the data action's service (its outcomes and alternative slots). */
export function move(ctx: Context, managed: Managed, input: PublicRescheduleInput) {
  return reschedule(ctx, { callbackId: managed.callback.id, ...input });
}

/** The callback's queue's bookable slots, for choosing a new time. */
export function availability(ctx: Context, managed: Managed, query: PublicAvailabilityQuery): Promise<AvailabilityOutput> {
  return queueAvailability(ctx, { queueId: managed.callback.queue_id, maxSlots: query.maxSlots ?? 10, ...(query.start !== undefined && { start: query.start }), ...(query.days !== undefined && { days: query.days }), ...(query.timezone !== undefined && { timezone: query.timezone }) });
}
