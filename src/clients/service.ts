import type { Transaction } from 'kysely';
import { auditedChange } from '../audit/service.js';
import { assertPrincipalInScope, assertMayGrant, assertNotOwnAccessChange, mayGrant, type Access } from '../auth/access.js';
import { generateSecret, hashSecret, verifySecret } from '../auth/secrets.js';
import type { ApiClientRow, DB } from '../db/types.js';
import { errors } from '../errors.js';
import type { Role } from '../auth/caller.js';
import type { Context, Services } from '../context.js';
import { listQueueRows } from '../queues/queries.js';
import * as q from './queries.js';
import { isoUtc, isoUtcOrNull } from '../time.js';

export interface ApiClient {
  clientId: string;
  name: string;
  roles: Role[];
  /** Queue allow-list (names or ids); null means every queue. */
  queues: string[] | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  lastTokenAt: string | null;
}

/** Never includes the secret hash: this is what the API, the CLI and the audit log see. */
export function toApiClient(row: ApiClientRow): ApiClient {
  return {
    clientId: row.id,
    name: row.name,
    roles: row.roles as Role[],
    queues: row.queues,
    active: row.active,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
    lastTokenAt: isoUtcOrNull(row.last_token_at),
  };
}

export interface NewClientInput {
  name: string;
  roles: Role[];
  queues?: string[] | null | undefined;
  active?: boolean | undefined;
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
  return rows.filter((row) => mayGrant(ctx.caller, accessOf(row), known)).map(toApiClient);
}

export async function getClient(ctx: Context, id: string): Promise<ApiClient> {
  const row = await q.findClient(ctx.db, id);
  if (!row) throw errors.notFound('Client', id);
  assertPrincipalInScope(ctx.caller, accessOf(row), await listQueueRows(ctx.db));
  return toApiClient(row);
}

export interface ClientPatch {
  name?: string | undefined;
  roles?: Role[] | undefined;
  queues?: string[] | null | undefined;
  active?: boolean | undefined;
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

export async function updateClient(ctx: Context, id: string, patch: ClientPatch): Promise<ApiClient> {
  return auditedChange(ctx.db, ctx.caller, { entity: 'client', action: 'update', name: patch.name }, async (trx) => {
    const { row: before, known } = await lockInScope(ctx, trx, id);
    const roles = patch.roles === undefined ? undefined : [...new Set(patch.roles)];
    const queues = patch.queues === undefined ? undefined : normalizeQueues(patch.queues);
    const access = { roles: roles ?? accessOf(before).roles, queues: queues === undefined ? before.queues : queues };
    assertNotOwnAccessChange(ctx.caller, { kind: 'client', id }, accessOf(before), access);
    assertMayGrant(ctx.caller, access, known);
    const after = toApiClient(
      await q.updateClientRow(trx, id, ctx.clock.now(), {
        ...(patch.name !== undefined && { name: patch.name.trim() }),
        ...(roles !== undefined && { roles }),
        ...(queues !== undefined && { queues }),
        ...(patch.active !== undefined && { active: patch.active }),
      }),
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
    const now = ctx.clock.now();
    const after = await q.updateClientRow(trx, id, now, {
      secret_hash: secretHash,
      tokens_not_before: now,
      token_generation: before.token_generation + 1,
    });
    return { entityId: id, result: { client: toApiClient(after), clientSecret } };
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
export async function authenticateClient(services: Pick<Services, 'db' | 'clock'>, id: string, secret: string): Promise<ApiClientRow | undefined> {
  const row = await q.findClient(services.db, id);
  const ok = await verifySecret(secret, row?.secret_hash);
  if (!ok || !row || !row.active) return undefined;
  await q.touchLastToken(services.db, row.id, services.clock.now());
  return row;
}
