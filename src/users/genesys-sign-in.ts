import { createHash, randomBytes } from 'node:crypto';
import { auditedChange } from '../audit/service.js';
import { assertMayChangeGlobalConfig, assertMayGrant } from '../auth/access.js';
import { ROLES, systemCaller, type Role } from '../auth/caller.js';
import type { GenesysSignInConfig } from '../config.js';
import type { Context, Services } from '../context.js';
import type { SignInMappingRow, UserRow } from '../db/types.js';
import { errors } from '../errors.js';
import { authorizeUrl, GenesysSignInError, identify, type GenesysIdentity } from '../genesys/sign-in.js';
import { listQueueRows } from '../queues/queries.js';
import { isoUtc } from '../time.js';
import type { SignInMappingKind } from '../vocabulary.js';
import * as mq from './mapping-queries.js';
import * as uq from './queries.js';
import { deleteSessionsOfUser } from './session-queries.js';
import { normalizeQueues, toApiUser } from './service.js';
import { openSession, type SessionSettings } from './sessions.js';

/**
 * Sign in with Genesys Cloud. `start` keeps the PKCE verifier server side, keyed by a hash of the
 * OAuth `state`, and binds the attempt to the browser with a nonce cookie (so a callback link made
 * for someone else's attempt signs no one in). `finish` takes the request out once, exchanges the
 * code, reads the person and their groups and roles, maps them to engine access through the mapping
 * table (the union of every matching row; no match, no access), keeps a `genesys` account for them
 * (updated at every sign-in) and opens a session.
 */

/** How long the person has to sign in at Genesys before the attempt is forgotten. */
export const SIGN_IN_REQUEST_TTL_MS = 10 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const SIGN_IN_ACTOR = systemCaller('genesys-sign-in');

export interface SignInMapping {
  id: string;
  kind: SignInMappingKind;
  genesysId: string;
  label: string | null;
  roles: Role[];
  queues: string[] | null;
  createdAt: string;
  updatedAt: string;
}

function toMapping(row: SignInMappingRow): SignInMapping {
  return {
    id: row.id,
    kind: row.kind,
    genesysId: row.genesys_id,
    label: row.label,
    roles: row.roles as Role[],
    queues: row.queues,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

export async function listMappings(ctx: Context): Promise<SignInMapping[]> {
  return (await mq.listMappingRows(ctx.db)).map(toMapping);
}

export interface MappingInput {
  kind: SignInMappingKind;
  genesysId: string;
  label?: string | null | undefined;
  roles: Role[];
  queues?: string[] | null | undefined;
}

/**
 * Replaces the whole table. It decides who in the Genesys org gets which access, so only an
 * unrestricted administrator changes it, and never to more than it holds itself.
 */
export async function replaceMappings(ctx: Context, items: MappingInput[]): Promise<SignInMapping[]> {
  assertMayChangeGlobalConfig(ctx.caller, 'Genesys sign-in mappings');
  const seen = new Map<string, number>();
  const normalized = items.map((m, i) => {
    const key = `${m.kind}:${m.genesysId.trim()}`;
    if (seen.has(key)) throw errors.validation(`items[${i}].genesysId`, `items[${i}] maps the same ${m.kind} as items[${seen.get(key)}]`);
    seen.set(key, i);
    return { kind: m.kind, genesysId: m.genesysId.trim(), label: m.label?.trim() || null, roles: [...new Set(m.roles)], queues: normalizeQueues(m.queues) };
  });
  const known = await listQueueRows(ctx.db);
  normalized.forEach((m) => assertMayGrant(ctx.caller, m, known));
  return auditedChange(ctx.db, ctx.caller, { entity: 'genesys-sign-in-mappings', action: 'replace' }, async (trx) => {
    const before = (await mq.lockMappings(trx)).map(toMapping);
    const after = (await mq.replaceMappingRows(trx, ctx.clock.now(), normalized)).map(toMapping);
    const strip = (list: SignInMapping[]) => ({ items: list.map(({ id: _i, createdAt: _c, updatedAt: _u, ...m }) => m) });
    return { entityId: 'all', before: strip(before), after: strip(after), result: after };
  });
}

/** The access a Genesys user gets: the union of the matching rows' roles; every queue if any match is unrestricted. */
export function accessFromMappings(identity: Pick<GenesysIdentity, 'groupIds' | 'roleIds'>, mappings: readonly SignInMappingRow[]): { roles: Role[]; queues: string[] | null } | null {
  const matched = mappings.filter((m) => (m.kind === 'group' ? identity.groupIds : identity.roleIds).includes(m.genesys_id));
  if (matched.length === 0) return null;
  // In a fixed order (roles as ROLES lists them, queues sorted), so an unchanged set is an unchanged account.
  const held = new Set(matched.flatMap((m) => m.roles as Role[]));
  const roles = ROLES.filter((r) => held.has(r));
  const queues = matched.some((m) => m.queues === null) ? null : [...new Set(matched.flatMap((m) => m.queues ?? []))].sort();
  return { roles, queues };
}

export async function startSignIn(services: Pick<Services, 'db' | 'clock'>, config: GenesysSignInConfig, redirectUri: string): Promise<{ url: string; browserNonce: string }> {
  const state = randomBytes(32).toString('base64url');
  const browserNonce = randomBytes(32).toString('base64url');
  // 64 random bytes as base64url: 86 characters of the unreserved set RFC 7636 allows (43–128).
  const codeVerifier = randomBytes(64).toString('base64url');
  const now = services.clock.now();
  await mq.insertSignInRequest(services.db, { stateHash: sha256(state), browserHash: sha256(browserNonce), codeVerifier, now, expiresAt: new Date(now.getTime() + SIGN_IN_REQUEST_TTL_MS) });
  return { url: authorizeUrl(config, { redirectUri, codeChallenge: sha256(codeVerifier), state }), browserNonce };
}

/** Why a Genesys sign-in was refused: the page the browser lands on says it in words. */
export type SignInRefusal = 'STATE_MISMATCH' | 'EXPIRED' | 'GENESYS_REFUSED' | 'NO_MAPPING' | 'DISABLED' | 'USERNAME_TAKEN';

export class SignInRefused extends Error {
  constructor(
    readonly reason: SignInRefusal,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'SignInRefused';
  }
}

export async function finishSignIn(
  services: Pick<Services, 'db' | 'clock'>,
  config: GenesysSignInConfig,
  settings: SessionSettings,
  o: { code: string; state: string; browserNonce: string | undefined; redirectUri: string },
) {
  const request = await mq.takeSignInRequest(services.db, sha256(o.state));
  if (!request || o.browserNonce === undefined || request.browser_hash !== sha256(o.browserNonce)) {
    throw new SignInRefused('STATE_MISMATCH', 'This sign-in was not started in this browser, or was already used. Start again from the sign-in page.', 400);
  }
  if (request.expires_at.getTime() <= services.clock.now().getTime()) throw new SignInRefused('EXPIRED', 'The sign-in took too long. Start again from the sign-in page.', 400);
  let identity: GenesysIdentity;
  try {
    identity = await identify(config, { code: o.code, codeVerifier: request.code_verifier, redirectUri: o.redirectUri });
  } catch (err) {
    if (err instanceof GenesysSignInError) throw new SignInRefused('GENESYS_REFUSED', `${err.message}. Start again from the sign-in page.`, 502);
    throw err;
  }
  if (identity.state !== undefined && identity.state !== 'active') throw new SignInRefused('DISABLED', 'Your Genesys Cloud account is not active.', 403);
  const user = await keepAccount(services, identity);
  const { token, session } = await openSession(services, user, 'genesys', settings);
  return { token, session, user };
}

/** The person's `genesys` account, created or brought in line with their Genesys groups and roles. */
async function keepAccount(services: Pick<Services, 'db' | 'clock'>, identity: GenesysIdentity): Promise<UserRow> {
  return auditedChange(services.db, SIGN_IN_ACTOR, { entity: 'user', action: 'genesys-sign-in' }, async (trx) => {
    const access = accessFromMappings(identity, await mq.listMappingRows(trx));
    const existing = await uq.findUserByGenesysId(trx, identity.id);
    if (existing?.disabled) throw new SignInRefused('DISABLED', 'Your account for this console is disabled. Ask an administrator.', 403);
    if (!access) {
      throw new SignInRefused('NO_MAPPING', 'None of your Genesys Cloud groups or roles gives access to this console. Ask an administrator to map one (Users > Genesys sign-in).', 403);
    }
    const now = services.clock.now();
    if (!existing) {
      const taken = await uq.findUserByUsername(trx, identity.username);
      if (taken) throw new SignInRefused('USERNAME_TAKEN', `An account named "${identity.username}" already exists here and is not linked to your Genesys Cloud user. Ask an administrator.`, 409);
      const created = await uq.insertUser(trx, {
        username: identity.username,
        display_name: identity.name,
        password_hash: null,
        source: 'genesys',
        genesys_user_id: identity.id,
        roles: access.roles,
        queues: access.queues,
        created_at: now,
        updated_at: now,
      });
      return { entityId: created.id, after: toApiUser(created), result: created };
    }
    const same = (a: readonly string[] | null, b: readonly string[] | null) => JSON.stringify(a === null ? null : [...a].sort()) === JSON.stringify(b === null ? null : [...b].sort());
    const accessChanged = !same(existing.roles, access.roles) || !same(existing.queues, access.queues);
    const updated = await uq.updateUserRow(trx, existing.id, now, { display_name: identity.name, roles: access.roles, queues: access.queues });
    // Sessions opened with the access the person no longer has end now.
    if (accessChanged) await deleteSessionsOfUser(trx, existing.id);
    return { entityId: existing.id, before: toApiUser(existing), after: toApiUser(updated), result: updated };
  });
}
