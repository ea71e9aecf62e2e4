import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { auditedChange } from '../audit/service.js';
import { assertMayChangeGlobalConfig } from '../auth/access.js';
import { SecretBoxError, type SecretBox } from '../auth/encryption.js';
import type { Context } from '../context.js';
import { lockKey } from '../db/locks.js';
import type { DB } from '../db/types.js';
import { errors } from '../errors.js';
import { isoUtc } from '../time.js';
import type { FcmSender, PushCredential } from './fcm.js';
import { PUSH_SETTINGS_KEY } from './outbox.js';
import type { PushSettings, PushSettingsBody, PushTestBody } from './push-schemas.js';

/**
 * The deployment's Firebase service account, kept in `settings` under 'push' as
 * `{ projectId, clientEmail, privateKeySealed, keyFingerprint }`: the private key only sealed with
 * the SecretBox (auth/encryption.ts), never answered, audited or logged.
 */
export const MASKED_KEY = '•••• (configured)';

type Db = Kysely<DB> | Transaction<DB>;

interface StoredPushSettings {
  projectId: string;
  clientEmail: string;
  privateKeySealed: string;
  keyFingerprint?: string;
}

async function readStored(db: Db): Promise<{ value: StoredPushSettings; updatedAt: Date } | undefined> {
  const row = await db.selectFrom('settings').select(['value', 'updated_at']).where('key', '=', PUSH_SETTINGS_KEY).executeTakeFirst();
  return row ? { value: row.value as StoredPushSettings, updatedAt: row.updated_at } : undefined;
}

function view(stored: { value: StoredPushSettings; updatedAt: Date } | undefined): PushSettings {
  if (!stored) return { configured: false, projectId: null, clientEmail: null, privateKey: null, keyFingerprint: null, updatedAt: null };
  const { projectId, clientEmail, keyFingerprint } = stored.value;
  return { configured: true, projectId, clientEmail, privateKey: MASKED_KEY, keyFingerprint: keyFingerprint ?? null, updatedAt: isoUtc(stored.updatedAt) };
}

/** What the audit log keeps of the settings: everything but the key, which it names only by fingerprint. */
const audited = (v: PushSettings) => (v.configured ? { projectId: v.projectId, clientEmail: v.clientEmail, keyFingerprint: v.keyFingerprint } : undefined);

/**
 * The credential to send with, unsealed; null when push is not configured. Throws SecretBoxError
 * when the stored key was sealed with other key material (SECRETS_ENCRYPTION_KEY changed).
 */
export async function loadPushCredential(db: Db, secrets: SecretBox): Promise<PushCredential | null> {
  const stored = await readStored(db);
  if (!stored) return null;
  const { projectId, clientEmail, privateKeySealed } = stored.value;
  return { projectId, clientEmail, privateKey: secrets.decrypt(privateKeySealed) };
}

/** `GET /admin/v1/settings/push`. */
export async function getPushSettings(ctx: Context): Promise<PushSettings> {
  return view(await readStored(ctx.db));
}

// Firebase (Google Cloud) project ids: 6–30 lowercase letters, digits and hyphens, starting with a
// letter; older ones may carry a domain prefix ("example.com:project").
const PROJECT_ID = /^(?:[a-z0-9][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
const PEM_PKCS8 = /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PRIVATE KEY-----\n$/;

/** The key as PEM with plain line breaks, loaded by node:crypto; never echoed in a refusal. */
function readPrivateKey(raw: string): { pem: string; key: KeyObject } {
  // Pasted from the key file's JSON, the line breaks may still be "\n" escapes (or CRLF).
  const pem = `${raw.replace(/\\n/g, '\n').replace(/\r\n?/g, '\n').trim()}\n`;
  if (!PEM_PKCS8.test(pem)) {
    throw errors.validation('privateKey', 'privateKey must be a PEM PKCS#8 private key, from "-----BEGIN PRIVATE KEY-----" to "-----END PRIVATE KEY-----" (private_key in the service account’s JSON key file)');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw errors.validation('privateKey', 'privateKey cannot be read as a private key (is it complete?)');
  }
  if (key.asymmetricKeyType !== 'rsa') throw errors.validation('privateKey', `privateKey must be an RSA key (service accounts sign RS256), not ${key.asymmetricKeyType ?? 'this kind'}`);
  return { pem, key };
}

function fingerprintOf(key: KeyObject): string {
  return createHash('sha256').update(createPublicKey(key).export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

async function writeStored(trx: Transaction<DB>, value: StoredPushSettings, now: Date): Promise<void> {
  const json = JSON.stringify(value);
  await trx
    .insertInto('settings')
    .values({ key: PUSH_SETTINGS_KEY, value: json, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: now }))
    .execute();
}

/** `PUT /admin/v1/settings/push`: replaces the service account (all three fields). */
export async function savePushSettings(ctx: Context, secrets: SecretBox, body: PushSettingsBody): Promise<PushSettings> {
  assertMayChangeGlobalConfig(ctx.caller, 'the push notification credential');
  const projectId = body.projectId.trim();
  const clientEmail = body.clientEmail.trim();
  if (!PROJECT_ID.test(projectId)) throw errors.validation('projectId', 'projectId must be a Firebase project id: 6–30 lowercase letters, digits and hyphens, starting with a letter');
  if (!EMAIL.test(clientEmail)) throw errors.validation('clientEmail', 'clientEmail must be the service account’s email address (client_email of its key file)');
  const { pem, key } = readPrivateKey(body.privateKey);
  const now = ctx.clock.now();
  return auditedChange(ctx.db, ctx.caller, { entity: 'settings', action: 'update' }, async (trx) => {
    await lockKey(trx, `settings:${PUSH_SETTINGS_KEY}`);
    const before = view(await readStored(trx));
    await writeStored(trx, { projectId, clientEmail, privateKeySealed: secrets.encrypt(pem), keyFingerprint: fingerprintOf(key) }, now);
    const after = view(await readStored(trx));
    return { entityId: PUSH_SETTINGS_KEY, before: audited(before), after: audited(after), result: after };
  });
}

/** `DELETE /admin/v1/settings/push`: no more push notifications (answers 204 also when there were none). */
export async function deletePushSettings(ctx: Context): Promise<void> {
  assertMayChangeGlobalConfig(ctx.caller, 'the push notification credential');
  const stored = await readStored(ctx.db);
  if (!stored) return;
  await auditedChange(ctx.db, ctx.caller, { entity: 'settings', action: 'delete' }, async (trx) => {
    await lockKey(trx, `settings:${PUSH_SETTINGS_KEY}`);
    const before = view(await readStored(trx));
    await trx.deleteFrom('settings').where('key', '=', PUSH_SETTINGS_KEY).execute();
    return { entityId: PUSH_SETTINGS_KEY, before: audited(before), result: undefined };
  });
}

/** `POST /admin/v1/settings/push/test`: one notification to a device, now, with the stored credential. */
export async function testPush(ctx: Context, secrets: SecretBox, fcm: FcmSender, body: PushTestBody) {
  assertMayChangeGlobalConfig(ctx.caller, 'the push notification credential');
  let credential: PushCredential | null;
  try {
    credential = await loadPushCredential(ctx.db, secrets);
  } catch (err) {
    if (err instanceof SecretBoxError) throw errors.conflict(`The stored push credential cannot be read: ${err.message}; save it again`);
    throw err;
  }
  if (!credential) throw errors.conflict('Push notifications are not configured: PUT /admin/v1/settings/push first');
  const result = await fcm.send(credential, {
    token: body.deviceToken,
    title: 'Test notification',
    body: 'Push notifications from the callback service reach this device.',
    data: { type: 'TEST', sentAt: isoUtc(ctx.clock.now()) },
  });
  if (result.ok) return { ok: true, outcome: 'SENT' as const, message: result.messageName, statusCode: result.statusCode, retryable: false };
  return {
    ok: false,
    outcome: result.dropToken ? ('TOKEN_DEAD' as const) : ('FAILED' as const),
    message: result.dropToken ? `The device token is no longer valid (${result.error}): the app must register again` : result.error,
    statusCode: result.statusCode,
    retryable: result.retryable,
  };
}
