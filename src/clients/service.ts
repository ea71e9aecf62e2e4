import type { Transaction } from 'kysely';
import { auditedChange } from '../audit/service.js';
import { assertPrincipalInScope, assertMayGrant, assertNotOwnAccessChange, mayGrant, type Access } from '../auth/access.js';
import type { SecretBox } from '../auth/encryption.js';
import { generatePublishableKey, generateSecret, hashSecret, maskKey, maskSecret, sha256Hex, verifySecret } from '../auth/secrets.js';
import type { ApiClientRow, DB, PublishableKeyRow, StoredCaptcha } from '../db/types.js';
import type { CaptchaProvider, ClientKind } from '../vocabulary.js';
import { DEFAULT_KEY_OVERLAP_SECONDS, MAX_KEY_OVERLAP_SECONDS } from './schemas.js';
import { errors } from '../errors.js';
import type { Role } from '../auth/caller.js';
import type { Context, Services } from '../context.js';
import { listQueueRows } from '../queues/queries.js';
import * as q from './queries.js';
import { isoUtc, isoUtcOrNull } from '../time.js';

export interface PublishableKeyView {
  keyId: string;
  /** Masked. */
  key: string;
  createdAt: string;
  expiresAt: string | null;
}

export interface CaptchaView {
  provider: CaptchaProvider;
  /** Masked. */
  secret: string;
  minScore?: number;
  action?: string;
  hostnames?: string[];
}

export interface ApiClient {
  clientId: string;
  name: string;
  kind: ClientKind;
  roles: Role[];
  /** Queue allow-list (names or ids); null means every queue. */
  queues: string[] | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  lastTokenAt: string | null;
  /** Publishable keys only, from here on. */
  origins?: string[];
  allowNoOrigin?: boolean;
  rateLimit?: { perKey: number | null; perIp: number | null };
  captcha?: CaptchaView | null;
  keys?: PublishableKeyView[];
}

function captchaView(stored: StoredCaptcha | null): CaptchaView | null {
  if (stored === null) return null;
  return {
    provider: stored.provider,
    secret: stored.secretHint,
    ...(stored.minScore !== undefined && { minScore: stored.minScore }),
    ...(stored.action !== undefined && { action: stored.action }),
    ...(stored.hostnames !== undefined && { hostnames: stored.hostnames }),
  };
}

function keyView(key: PublishableKeyRow): PublishableKeyView {
  return { keyId: key.id, key: key.hint, createdAt: isoUtc(key.created_at), expiresAt: isoUtcOrNull(key.expires_at) };
}

/**
 * Never includes the secret hash, a whole key or a CAPTCHA secret: this is what the API, the CLI and
 * the audit log see. A publishable client's view lists its working keys when they are given.
 */
export function toApiClient(row: ApiClientRow, keys?: readonly PublishableKeyRow[]): ApiClient {
  const base: ApiClient = {
    clientId: row.id,
    name: row.name,
    kind: row.kind,
    roles: row.roles as Role[],
    queues: row.queues,
    active: row.active,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
    lastTokenAt: isoUtcOrNull(row.last_token_at),
  };
  if (row.kind !== 'publishable') return base;
  return {
    ...base,
    origins: row.origins ?? [],
    allowNoOrigin: row.allow_no_origin,
    rateLimit: { perKey: row.rate_limit_per_key, perIp: row.rate_limit_per_ip },
    captcha: captchaView(row.captcha),
    ...(keys !== undefined && { keys: keys.map(keyView) }),
  };
}

export interface NewClientInput {
  name: string;
  roles: Role[];
  queues?: string[] | null | undefined;
  active?: boolean | undefined;
}

/** What only a publishable key has: a server client sent any of these is told which field is at fault. */
const PUBLISHABLE_FIELDS = ['origins', 'allowNoOrigin', 'rateLimit', 'captcha'] as const;

export interface WebSettingsInput {
  origins?: string[] | undefined;
  allowNoOrigin?: boolean | undefined;
  rateLimit?: { perKey?: number | null | undefined; perIp?: number | null | undefined } | undefined;
  captcha?: CaptchaInput | null | undefined;
}

export interface CaptchaInput {
  provider: CaptchaProvider;
  secret?: string | undefined;
  minScore?: number | undefined;
  action?: string | undefined;
  hostnames?: string[] | undefined;
}

export interface NewPublishableInput extends WebSettingsInput {
  name: string;
  queues?: string[] | null | undefined;
  active?: boolean | undefined;
  roles?: Role[] | undefined;
}

/** A server client's body carrying a publishable key's field: 400 naming it. */
export function refusePublishableFields(input: object, kind: 'server'): void {
  for (const field of PUBLISHABLE_FIELDS) {
    if ((input as Record<string, unknown>)[field] !== undefined) throw errors.validation(field, `${field} is for publishable keys (kind: "publishable"), not ${kind} clients`);
  }
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An allowed origin is exactly what a browser sends in `Origin`: `scheme://host[:port]`, lower case,
 * no default port, no path, no wildcard. https, or http for a local development host.
 */
export function normalizeOrigins(origins: readonly string[]): string[] {
  const out: string[] = [];
  origins.forEach((raw, i) => {
    const field = `origins[${i}]`;
    if (raw.includes('*')) throw errors.validation(field, `"${raw}": wildcards are not allowed; list each origin`);
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw errors.validation(field, `"${raw}" is not an origin (scheme://host[:port])`);
    }
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOCAL_HOSTS.has(parsed.hostname))) {
      throw errors.validation(field, `"${raw}" must use https (http only for localhost)`);
    }
    if (parsed.origin !== raw) throw errors.validation(field, `"${raw}" is not exactly an origin: use "${parsed.origin}" (no path, no trailing slash, lower case, no default port)`);
    if (!out.includes(raw)) out.push(raw);
  });
  return out;
}

function hostsOf(origins: readonly string[]): string[] {
  return [...new Set(origins.map((o) => new URL(o).hostname))];
}

/**
 * The CAPTCHA settings to store: the secret sealed (kept from `existing` when a change sends none),
 * the checks each provider supports. reCAPTCHA v3 needs an action; only it has a score.
 */
function captchaToStore(input: CaptchaInput, existing: StoredCaptcha | null, box: SecretBox | undefined): StoredCaptcha {
  if (input.minScore !== undefined && input.provider !== 'recaptcha-v3') throw errors.validation('captcha.minScore', 'only reCAPTCHA v3 answers with a score');
  if (input.action !== undefined && input.provider !== 'recaptcha-v3' && input.provider !== 'turnstile') {
    throw errors.validation('captcha.action', 'only reCAPTCHA v3 and Turnstile tokens carry an action');
  }
  if (input.provider === 'recaptcha-v3' && input.action === undefined) throw errors.validation('captcha.action', 'reCAPTCHA v3 needs the action the page executes (e.g. "callback")');
  let secretCiphertext: string;
  let secretHint: string;
  if (input.secret !== undefined) {
    if (!box) throw new Error('storing a CAPTCHA secret needs the secret box');
    secretCiphertext = box.encrypt(input.secret);
    secretHint = maskSecret(input.secret);
  } else if (existing && existing.provider === input.provider) {
    ({ secretCiphertext, secretHint } = existing);
  } else {
    throw errors.validation('captcha.secret', existing ? 'a new provider needs its secret' : "the provider's secret is required");
  }
  return {
    provider: input.provider,
    secretCiphertext,
    secretHint,
    ...(input.provider === 'recaptcha-v3' && { minScore: input.minScore ?? 0.5 }),
    ...(input.action !== undefined && { action: input.action }),
    ...(input.hostnames !== undefined && { hostnames: [...new Set(input.hostnames.map((h) => h.trim().toLowerCase()))] }),
  };
}

function publishableQueues(queues: string[] | null | undefined): string[] {
  const normalized = normalizeQueues(queues);
  if (normalized === null || normalized.length === 0) throw errors.validation('queues', 'a publishable key needs a non-empty queue allow-list');
  return normalized;
}

/** The access a publishable key holds: the data actions role, on the routes open to keys only. */
const PUBLISHABLE_ROLES: Role[] = ['actions'];

/**
 * Creates a publishable key: no secret, a key shown once (stored as SHA-256), its queues (required)
 * and origins (required), its own rate limits and CAPTCHA. Granted like a client with the `actions` role.
 */
export async function createPublishableClient(ctx: Context, input: NewPublishableInput, box?: SecretBox): Promise<{ client: ApiClient; publishableKey: string }> {
  if (input.roles !== undefined) throw errors.validation('roles', 'a publishable key takes no roles: it reaches only the routes open to keys');
  const queues = publishableQueues(input.queues);
  if (input.origins === undefined) throw errors.validation('origins', 'a publishable key needs at least one allowed origin');
  const origins = normalizeOrigins(input.origins);
  assertMayGrant(ctx.caller, { roles: PUBLISHABLE_ROLES, queues }, await listQueueRows(ctx.db));
  const captcha = input.captcha ? captchaToStore(input.captcha, null, box) : null;
  const publishableKey = generatePublishableKey();
  return auditedChange(ctx.db, ctx.caller, { entity: 'client', action: 'create', name: input.name }, async (trx) => {
    const created = await q.insertClient(trx, {
      name: input.name.trim(),
      kind: 'publishable',
      secret_hash: null,
      roles: PUBLISHABLE_ROLES,
      queues,
      active: input.active ?? true,
      origins,
      allow_no_origin: input.allowNoOrigin ?? false,
      rate_limit_per_key: input.rateLimit?.perKey ?? null,
      rate_limit_per_ip: input.rateLimit?.perIp ?? null,
      captcha: captcha === null ? null : JSON.stringify(captcha),
    });
    const key = await q.insertPublishableKey(trx, { client_id: created.id, key_hash: sha256Hex(publishableKey), hint: maskKey(publishableKey), created_at: ctx.clock.now() });
    const client = toApiClient(created, [key]);
    return { entityId: created.id, after: client, result: { client, publishableKey } };
  });
}

function normalizeQueues(queues: string[] | null | undefined): string[] | null {
  if (queues === undefined || queues === null) return null;
  return [...new Set(queues.map((s) => s.trim()).filter((s) => s !== ''))];
}

/** Creates a client with its audit record; the secret is returned once. No one grants more access than it has. */
export async function createClient(ctx: Context, input: NewClientInput): Promise<{ client: ApiClient; clientSecret: string }> {
  const access = { roles: [...new Set(input.roles)], queues: normalizeQueues(input.queues) };
  assertMayGrant(ctx.caller, access, await listQueueRows(ctx.db));
  const clientSecret = generateSecret();
  const secretHash = await hashSecret(clientSecret);
  return auditedChange(ctx.db, ctx.caller, { entity: 'client', action: 'create', name: input.name }, async (trx) => {
    const created = await q.insertClient(trx, {
      name: input.name.trim(),
      secret_hash: secretHash,
      roles: access.roles,
      queues: access.queues,
      active: input.active ?? true,
    });
    const client = toApiClient(created);
    return { entityId: created.id, after: client, result: { client, clientSecret } };
  });
}

/** The clients in the caller's scope: those whose access is within its own. */
export async function listClients(ctx: Context): Promise<ApiClient[]> {
  const [rows, known] = await Promise.all([q.listClients(ctx.db), listQueueRows(ctx.db)]);
  const visible = rows.filter((row) => mayGrant(ctx.caller, accessOf(row), known));
  const keys = await q.liveKeysOfMany(ctx.db, visible.filter((r) => r.kind === 'publishable').map((r) => r.id), ctx.clock.now());
  return visible.map((row) => toApiClient(row, row.kind === 'publishable' ? keys.filter((k) => k.client_id === row.id) : undefined));
}

export async function getClient(ctx: Context, id: string): Promise<ApiClient> {
  const row = await q.findClient(ctx.db, id);
  if (!row) throw errors.notFound('Client', id);
  assertPrincipalInScope(ctx.caller, accessOf(row), await listQueueRows(ctx.db));
  return toApiClient(row, row.kind === 'publishable' ? await q.liveKeysOf(ctx.db, id, ctx.clock.now()) : undefined);
}

export interface ClientPatch extends WebSettingsInput {
  name?: string | undefined;
  roles?: Role[] | undefined;
  queues?: string[] | null | undefined;
  active?: boolean | undefined;
}

/** A publishable key's own columns from a change: only what was sent. */
function webChanges(patch: ClientPatch, before: ApiClientRow, box: SecretBox | undefined) {
  return {
    ...(patch.origins !== undefined && { origins: normalizeOrigins(patch.origins) }),
    ...(patch.allowNoOrigin !== undefined && { allow_no_origin: patch.allowNoOrigin }),
    ...(patch.rateLimit?.perKey !== undefined && { rate_limit_per_key: patch.rateLimit.perKey }),
    ...(patch.rateLimit?.perIp !== undefined && { rate_limit_per_ip: patch.rateLimit.perIp }),
    ...(patch.captcha !== undefined && { captcha: patch.captcha === null ? null : JSON.stringify(captchaToStore(patch.captcha, before.captcha, box)) }),
  };
}

function accessOf(row: Pick<ApiClientRow, 'roles' | 'queues'>): Access {
  return { roles: row.roles as Role[], queues: row.queues };
}

/** A client in the caller's scope, locked for a change; 404 if unknown, 403 if beyond the caller's access. */
async function lockInScope(ctx: Context, trx: Transaction<DB>, id: string) {
  const row = await q.lockClient(trx, id);
  if (!row) throw errors.notFound('Client', id);
  const known = await listQueueRows(trx);
  assertPrincipalInScope(ctx.caller, accessOf(row), known);
  return { row, known };
}

export async function updateClient(ctx: Context, id: string, patch: ClientPatch, box?: SecretBox): Promise<ApiClient> {
  return auditedChange(ctx.db, ctx.caller, { entity: 'client', action: 'update', name: patch.name }, async (trx) => {
    const { row: before, known } = await lockInScope(ctx, trx, id);
    const publishable = before.kind === 'publishable';
    if (publishable && patch.roles !== undefined) throw errors.validation('roles', 'a publishable key takes no roles: it reaches only the routes open to keys');
    if (!publishable) refusePublishableFields(patch, 'server');
    const roles = patch.roles === undefined ? undefined : [...new Set(patch.roles)];
    const queues = patch.queues === undefined ? undefined : publishable ? publishableQueues(patch.queues) : normalizeQueues(patch.queues);
    const access = { roles: roles ?? accessOf(before).roles, queues: queues === undefined ? before.queues : queues };
    assertNotOwnAccessChange(ctx.caller, { kind: 'client', id }, accessOf(before), access);
    assertMayGrant(ctx.caller, access, known);
    const after = toApiClient(
      await q.updateClientRow(trx, id, ctx.clock.now(), {
        ...(patch.name !== undefined && { name: patch.name.trim() }),
        ...(roles !== undefined && { roles }),
        ...(queues !== undefined && { queues }),
        ...(patch.active !== undefined && { active: patch.active }),
        ...(publishable && webChanges(patch, before, box)),
      }),
      publishable ? await q.liveKeysOf(trx, id, ctx.clock.now()) : undefined,
    );
    return { entityId: id, before: toApiClient(before), after, result: after };
  });
}

/** A new secret, shown once. Tokens issued before the rotation stop working: a leaked secret's tokens die with it. */
export async function rotateSecret(ctx: Context, id: string): Promise<{ client: ApiClient; clientSecret: string }> {
  const clientSecret = generateSecret();
  const secretHash = await hashSecret(clientSecret);
  return auditedChange(ctx.db, ctx.caller, { entity: 'client', action: 'rotate-secret' }, async (trx) => {
    const { row: before } = await lockInScope(ctx, trx, id);
    if (before.kind === 'publishable') throw errors.conflict('A publishable key has no secret: rotate its key (POST /admin/v1/clients/{id}/rotate-key)');
    const now = ctx.clock.now();
    const after = await q.updateClientRow(trx, id, now, {
      secret_hash: secretHash,
      tokens_not_before: now,
      token_generation: before.token_generation + 1,
    });
    return { entityId: id, result: { client: toApiClient(after), clientSecret } };
  });
}

/**
 * A new publishable key, shown once. The keys working until now keep working for `overlapSeconds`
 * (at most 7 days; 0: they stop at once), so pages and apps can move to the new key without an outage.
 */
export async function rotateKey(ctx: Context, id: string, overlapSeconds = DEFAULT_KEY_OVERLAP_SECONDS): Promise<{ client: ApiClient; publishableKey: string }> {
  if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_KEY_OVERLAP_SECONDS) {
    throw errors.validation('overlapSeconds', `must be a whole number of seconds from 0 to ${MAX_KEY_OVERLAP_SECONDS} (7 days)`);
  }
  const publishableKey = generatePublishableKey();
  return auditedChange(ctx.db, ctx.caller, { entity: 'client', action: 'rotate-key' }, async (trx) => {
    const { row: before } = await lockInScope(ctx, trx, id);
    if (before.kind !== 'publishable') throw errors.conflict('A server client has no publishable key: rotate its secret (POST /admin/v1/clients/{id}/rotate-secret)');
    const now = ctx.clock.now();
    const key = await q.insertPublishableKey(trx, { client_id: id, key_hash: sha256Hex(publishableKey), hint: maskKey(publishableKey), created_at: now });
    await q.expireKeys(trx, id, key.id, new Date(now.getTime() + overlapSeconds * 1000));
    const after = await q.updateClientRow(trx, id, now, {});
    return { entityId: id, result: { client: toApiClient(after, await q.liveKeysOf(trx, id, now)), publishableKey } };
  });
}

export async function deleteClient(ctx: Context, id: string): Promise<void> {
  await auditedChange(ctx.db, ctx.caller, { entity: 'client', action: 'delete' }, async (trx) => {
    const { row: before } = await lockInScope(ctx, trx, id);
    await q.deleteClientRow(trx, id);
    return { entityId: id, before: toApiClient(before), result: undefined };
  });
}

/**
 * Checks a client id and secret, before there is a caller (the token route is public). Unknown ids
 * cost the same scrypt as known ones, so response time does not tell an attacker which ids exist.
 * Inactive clients are refused.
 */
export async function authenticateClient(services: Pick<Services, 'db' | 'clock'>, id: string, secret: string): Promise<ApiClientRow | 'publishable' | undefined> {
  const row = await q.findClient(services.db, id);
  const ok = await verifySecret(secret, row?.secret_hash ?? undefined);
  // A publishable key has no secret and gets no token: it is sent as it is, in x-api-key.
  if (row?.kind === 'publishable') return 'publishable';
  if (!ok || !row || !row.active) return undefined;
  await q.touchLastToken(services.db, row.id, services.clock.now());
  return row;
}
