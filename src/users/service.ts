import type { Transaction } from 'kysely';
import { auditedChange } from '../audit/service.js';
import { assertMayGrant, assertNotOwnAccessChange, assertNotSelf, assertPrincipalInScope, mayGrant, type Access } from '../auth/access.js';
import type { Role } from '../auth/caller.js';
import { generateSecret, hashSecret, verifySecret } from '../auth/secrets.js';
import type { Context, Services } from '../context.js';
import type { DB, UserRow } from '../db/types.js';
import { errors } from '../errors.js';
import { listQueueRows } from '../queues/queries.js';
import { isoUtc, isoUtcOrNull } from '../time.js';
import type { UserSource } from '../vocabulary.js';
import * as q from './queries.js';
import { deleteSessionsOfUser } from './session-queries.js';

/**
 * Person accounts: the console's users. They hold roles and a queue allow-list exactly as API
 * clients do, under the same rules (src/auth/access.ts); passwords are stored as scrypt hashes like
 * client secrets. Any change to a person's access, password or state signs them out everywhere.
 */

export interface ApiUser {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  /** Queue allow-list (names or ids); null means every queue. */
  queues: string[] | null;
  disabled: boolean;
  /** `local` (a password set here) or `genesys` (created by a Genesys Cloud sign-in). */
  source: UserSource;
  genesysUserId: string | null;
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
  lastSignInAt: string | null;
}

/** Never includes the password hash: this is what the API, the CLI and the audit log see. */
export function toApiUser(row: UserRow): ApiUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles as Role[],
    queues: row.queues,
    disabled: row.disabled,
    source: row.source,
    genesysUserId: row.genesys_user_id,
    hasPassword: row.password_hash !== null,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
    lastSignInAt: isoUtcOrNull(row.last_sign_in_at),
  };
}

function accessOf(row: Pick<UserRow, 'roles' | 'queues'>): Access {
  return { roles: row.roles as Role[], queues: row.queues };
}

export function normalizeQueues(queues: readonly string[] | null | undefined): string[] | null {
  if (queues === undefined || queues === null) return null;
  return [...new Set(queues.map((s) => s.trim()).filter((s) => s !== ''))];
}

export const MIN_PASSWORD_LENGTH = 12;

/** A chosen password, or a generated one (returned once, only then). */
async function passwordFor(input: string | undefined): Promise<{ hash: string; generated: string | undefined }> {
  if (input !== undefined && input.length < MIN_PASSWORD_LENGTH) throw errors.validation('password', `password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  const generated = input === undefined ? generateSecret() : undefined;
  return { hash: await hashSecret(input ?? generated!), generated };
}

export interface NewUserInput {
  username: string;
  displayName?: string | undefined;
  roles: Role[];
  queues?: string[] | null | undefined;
  password?: string | undefined;
  disabled?: boolean | undefined;
}

export interface UserWithPassword {
  user: ApiUser;
  /** Only when the service generated it: shown this once. */
  password?: string;
}

function withPassword(user: ApiUser, generated: string | undefined): UserWithPassword {
  return generated === undefined ? { user } : { user, password: generated };
}

export async function createUser(ctx: Context, input: NewUserInput): Promise<UserWithPassword> {
  const access = { roles: [...new Set(input.roles)], queues: normalizeQueues(input.queues) };
  assertMayGrant(ctx.caller, access, await listQueueRows(ctx.db));
  const { hash, generated } = await passwordFor(input.password);
  const username = input.username.trim();
  return auditedChange(ctx.db, ctx.caller, { entity: 'user', action: 'create', name: username }, async (trx) => {
    if (await q.findUserByUsername(trx, username)) throw errors.conflict(`A user named "${username}" already exists`);
    const created = await q.insertUser(trx, {
      username,
      display_name: (input.displayName ?? username).trim(),
      password_hash: hash,
      roles: access.roles,
      queues: access.queues,
      disabled: input.disabled ?? false,
    });
    const user = toApiUser(created);
    return { entityId: created.id, after: user, result: withPassword(user, generated) };
  });
}

/** The accounts in the caller's scope: those whose access is within its own. */
export async function listUsers(ctx: Context): Promise<ApiUser[]> {
  const [rows, known] = await Promise.all([q.listUserRows(ctx.db), listQueueRows(ctx.db)]);
  return rows.filter((row) => mayGrant(ctx.caller, accessOf(row), known)).map(toApiUser);
}

export async function getUser(ctx: Context, id: string): Promise<ApiUser> {
  const row = await q.findUser(ctx.db, id);
  if (!row) throw errors.notFound('User', id);
  assertPrincipalInScope(ctx.caller, accessOf(row), await listQueueRows(ctx.db), 'user');
  return toApiUser(row);
}

async function lockInScope(ctx: Context, trx: Transaction<DB>, id: string) {
  const row = await q.lockUser(trx, id);
  if (!row) throw errors.notFound('User', id);
  const known = await listQueueRows(trx);
  assertPrincipalInScope(ctx.caller, accessOf(row), known, 'user');
  return { row, known };
}

export interface UserPatch {
  username?: string | undefined;
  displayName?: string | undefined;
  roles?: Role[] | undefined;
  queues?: string[] | null | undefined;
  disabled?: boolean | undefined;
}

const sameList = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((x) => b.includes(x));

export async function updateUser(ctx: Context, id: string, patch: UserPatch): Promise<ApiUser> {
  return auditedChange(ctx.db, ctx.caller, { entity: 'user', action: 'update', name: patch.username }, async (trx) => {
    const { row: before, known } = await lockInScope(ctx, trx, id);
    const roles = patch.roles === undefined ? undefined : [...new Set(patch.roles)];
    const queues = patch.queues === undefined ? undefined : normalizeQueues(patch.queues);
    const access = { roles: roles ?? accessOf(before).roles, queues: queues === undefined ? before.queues : queues };
    const principal = { kind: 'user' as const, id };
    assertNotOwnAccessChange(ctx.caller, principal, accessOf(before), access);
    if (patch.disabled === true) assertNotSelf(ctx.caller, principal, 'disable');
    assertMayGrant(ctx.caller, access, known);
    const username = patch.username?.trim();
    if (username !== undefined && username.toLowerCase() !== before.username.toLowerCase() && (await q.findUserByUsername(trx, username))) {
      throw errors.conflict(`A user named "${username}" already exists`);
    }
    const after = await q.updateUserRow(trx, id, ctx.clock.now(), {
      ...(username !== undefined && { username }),
      ...(patch.displayName !== undefined && { display_name: patch.displayName.trim() }),
      ...(roles !== undefined && { roles }),
      ...(queues !== undefined && { queues }),
      ...(patch.disabled !== undefined && { disabled: patch.disabled }),
    });
    // Less (or other) access, or disabled: open sessions end now rather than at their idle timeout.
    if (after.disabled || !sameList(before.roles, after.roles) || !sameList(before.queues, after.queues)) await deleteSessionsOfUser(trx, id);
    return { entityId: id, before: toApiUser(before), after: toApiUser(after), result: toApiUser(after) };
  });
}

/** An administrator sets a person's password (generated and shown once when none is sent); the person is signed out everywhere. */
export async function setPassword(ctx: Context, id: string, password: string | undefined): Promise<UserWithPassword> {
  const { hash, generated } = await passwordFor(password);
  return auditedChange(ctx.db, ctx.caller, { entity: 'user', action: 'set-password' }, async (trx) => {
    await lockInScope(ctx, trx, id);
    const after = await q.updateUserRow(trx, id, ctx.clock.now(), { password_hash: hash });
    await deleteSessionsOfUser(trx, id);
    return { entityId: id, result: withPassword(toApiUser(after), generated) };
  });
}

export async function deleteUser(ctx: Context, id: string): Promise<void> {
  await auditedChange(ctx.db, ctx.caller, { entity: 'user', action: 'delete' }, async (trx) => {
    const { row: before } = await lockInScope(ctx, trx, id);
    assertNotSelf(ctx.caller, { kind: 'user', id }, 'delete');
    await q.deleteUserRow(trx, id); // its sessions go with it (on delete cascade)
    return { entityId: id, before: toApiUser(before), result: undefined };
  });
}

/**
 * Checks a username and password, before there is a caller. An unknown username, a wrong password,
 * a disabled account and one without a password all cost the same scrypt and give the same answer.
 */
export async function authenticatePassword(services: Pick<Services, 'db'>, username: string, password: string): Promise<UserRow | undefined> {
  const row = await q.findUserByUsername(services.db, username.trim());
  const ok = await verifySecret(password, row?.password_hash ?? undefined);
  if (!ok || !row || row.disabled) return undefined;
  return row;
}
