import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleSession, Role } from '../auth/caller.js';
import type { Services } from '../context.js';
import type { UserRow } from '../db/types.js';
import type { SignInMethod } from '../vocabulary.js';
import { touchLastSignIn } from './queries.js';
import * as q from './session-queries.js';
import { deleteExpiredSignInRequests } from './mapping-queries.js';

/**
 * Console sessions, kept server side. The cookie carries 32 random bytes; the table keeps only their
 * SHA-256, so a copy of the table cannot be replayed as cookies. The CSRF token is stored as it is:
 * it is worthless without the cookie (which the table cannot give back), and the console must be
 * able to read it again after a reload (GET /auth/v1/session answers it).
 */

export interface SessionSettings {
  idleMs: number;
  maxMs: number;
}

/** CONSOLE_IDLE_TIMEOUT_MINUTES' default (seed 003: the Callback UI ends a session after 20 minutes of inactivity). */
export const DEFAULT_IDLE_MS = 20 * 60_000;

/** Activity is recorded at most this often: the idle timeout is measured to within a minute, early. */
export const TOUCH_INTERVAL_MS = 60_000;

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function view(
  row: { id_hash: string; csrf_token: string; method: SignInMethod; created_at: Date; last_seen_at: Date; expires_at: Date },
  user: { id: string; username: string; display_name: string; roles: string[]; queues: string[] | null },
  settings: SessionSettings,
  lastSeen: Date,
): ConsoleSession {
  const idle = new Date(Math.min(row.expires_at.getTime(), lastSeen.getTime() + settings.idleMs));
  return {
    idHash: row.id_hash,
    csrfToken: row.csrf_token,
    method: row.method,
    user: { id: user.id, username: user.username, name: user.display_name, roles: user.roles as Role[], queues: user.queues },
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    idleExpiresAt: idle,
  };
}

/** Opens a session for a person who has just proved who they are; answers the cookie's value once. */
export async function openSession(
  services: Pick<Services, 'db' | 'clock'>,
  user: UserRow,
  method: SignInMethod,
  settings: SessionSettings,
): Promise<{ token: string; session: ConsoleSession }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const now = services.clock.now();
  const expiresAt = new Date(now.getTime() + settings.maxMs);
  const idHash = hashSessionToken(token);
  await services.db.transaction().execute(async (trx) => {
    await q.insertSession(trx, { idHash, userId: user.id, csrfToken, method, now, expiresAt });
    await touchLastSignIn(trx, user.id, now);
  });
  const row = { id_hash: idHash, csrf_token: csrfToken, method, created_at: now, last_seen_at: now, expires_at: expiresAt };
  return { token, session: view(row, user, settings, now) };
}

/**
 * The live session a cookie names, or null: unknown, signed out, past its absolute lifetime, idle
 * too long, or its account disabled. Each use slides the idle timeout (written at most once a minute).
 */
export async function resolveSession(services: Pick<Services, 'db' | 'clock'>, token: string, settings: SessionSettings): Promise<ConsoleSession | null> {
  if (token.length === 0 || token.length > 200) return null;
  const idHash = hashSessionToken(token);
  const row = await q.findSessionWithUser(services.db, idHash);
  if (!row) return null;
  const now = services.clock.now();
  const idleSince = now.getTime() - row.last_seen_at.getTime();
  if (row.expires_at.getTime() <= now.getTime() || idleSince >= settings.idleMs || row.disabled) {
    await q.deleteSession(services.db, idHash);
    return null;
  }
  let lastSeen = row.last_seen_at;
  if (idleSince >= TOUCH_INTERVAL_MS) {
    await q.touchSession(services.db, idHash, now, TOUCH_INTERVAL_MS);
    lastSeen = now;
  }
  const user = { id: row.user_id, username: row.username, display_name: row.display_name, roles: row.roles, queues: row.queues };
  return view(row, user, settings, lastSeen);
}

/** Signs out: the session is gone server side, whatever the browser keeps. */
export async function closeSession(services: Pick<Services, 'db'>, idHash: string): Promise<void> {
  await q.deleteSession(services.db, idHash);
}

/** Rows of sessions that have ended (absolute or idle) and sign-ins never finished: refused already, deleted hourly. */
export async function purgeEndedSessions(db: Services['db'], now: Date, idleMs: number): Promise<{ sessions: number; signIns: number }> {
  return { sessions: await q.deleteExpiredSessions(db, now, idleMs), signIns: await deleteExpiredSignInRequests(db, now) };
}
