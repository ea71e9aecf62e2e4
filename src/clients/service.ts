import type { Kysely, Transaction } from 'kysely';
import { auditedChange, recordAudit } from '../audit/service.js';
import type { Actor } from '../auth/caller.js';
import { generateSecret, hashSecret, verifySecret } from '../auth/secrets.js';
import { isUniqueViolation } from '../db/errors.js';
import type { ApiClientRow, DB } from '../db/types.js';
import { errors } from '../errors.js';
import type { Role } from '../auth/caller.js';
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

/** Inserts a client and its audit record in the caller's transaction; the secret is returned once. */
export async function insertClient(
  trx: Transaction<DB>,
  input: NewClientInput,
  actor: Actor,
): Promise<{ client: ApiClient; clientSecret: string }> {
  const clientSecret = generateSecret();
  const created = await q.insertClient(trx, {
    name: input.name.trim(),
    secret_hash: await hashSecret(clientSecret),
    roles: [...new Set(input.roles)],
    queues: normalizeQueues(input.queues),
    active: input.active ?? true,
  });
  const client = toApiClient(created);
  await recordAudit(trx, actor, { action: 'create', entity: 'client', entityId: created.id, after: client });
  return { client, clientSecret };
}

export async function createClient(
  db: Kysely<DB>,
  input: NewClientInput,
  actor: Actor,
): Promise<{ client: ApiClient; clientSecret: string }> {
  try {
    return await db.transaction().execute((trx) => insertClient(trx, input, actor));
  } catch (err) {
    if (isUniqueViolation(err)) throw errors.conflict(`A client named "${input.name}" already exists`);
    throw err;
  }
}

export async function listClients(db: Kysely<DB>): Promise<ApiClient[]> {
  return (await q.listClients(db)).map(toApiClient);
}

export async function getClient(db: Kysely<DB>, id: string): Promise<ApiClient> {
  const row = await q.findClient(db, id);
  if (!row) throw errors.notFound('Client', id);
  return toApiClient(row);
}

export interface ClientPatch {
  name?: string | undefined;
  roles?: Role[] | undefined;
  queues?: string[] | null | undefined;
  active?: boolean | undefined;
}

export async function updateClient(db: Kysely<DB>, id: string, patch: ClientPatch, actor: Actor): Promise<ApiClient> {
  return auditedChange(db, actor, { entity: 'client', action: 'update', name: patch.name }, async (trx) => {
    const before = await q.lockClient(trx, id);
    if (!before) throw errors.notFound('Client', id);
    const after = toApiClient(
      await q.updateClientRow(trx, id, {
        ...(patch.name !== undefined && { name: patch.name.trim() }),
        ...(patch.roles !== undefined && { roles: [...new Set(patch.roles)] }),
        ...(patch.queues !== undefined && { queues: normalizeQueues(patch.queues) }),
        ...(patch.active !== undefined && { active: patch.active }),
      }),
    );
    return { entityId: id, before: toApiClient(before), after, result: after };
  });
}

/** A new secret, shown once. Tokens issued before the rotation stop working: a leaked secret's tokens die with it. */
export async function rotateSecret(
  db: Kysely<DB>,
  id: string,
  actor: Actor,
): Promise<{ client: ApiClient; clientSecret: string }> {
  const clientSecret = generateSecret();
  const secretHash = await hashSecret(clientSecret);
  return auditedChange(db, actor, { entity: 'client', action: 'rotate-secret' }, async (trx) => {
    const before = await q.lockClient(trx, id);
    if (!before) throw errors.notFound('Client', id);
    const after = await q.updateClientRow(trx, id, {
      secret_hash: secretHash,
      tokens_not_before: new Date(),
      token_generation: before.token_generation + 1,
    });
    return { entityId: id, result: { client: toApiClient(after), clientSecret } };
  });
}

export async function deleteClient(db: Kysely<DB>, id: string, actor: Actor): Promise<void> {
  await auditedChange(db, actor, { entity: 'client', action: 'delete' }, async (trx) => {
    const before = await q.lockClient(trx, id);
    if (!before) throw errors.notFound('Client', id);
    await q.deleteClientRow(trx, id);
    return { entityId: id, before: toApiClient(before), result: undefined };
  });
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks a client id and secret. Unknown ids cost the same scrypt as known ones, so response
 * time does not tell an attacker which ids exist. Inactive clients are refused.
 */
export async function authenticateClient(db: Kysely<DB>, id: string, secret: string): Promise<ApiClientRow | undefined> {
  const row = UUID_RE.test(id) ? await q.findClient(db, id) : undefined;
  const ok = await verifySecret(secret, row?.secret_hash);
  if (!ok || !row || !row.active) return undefined;
  await q.touchLastToken(db, row.id);
  return row;
}
