/** PostgreSQL error codes we turn into answers a caller can act on. */

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
}

export function isUniqueViolation(err: unknown): boolean {
  return (err as PgError | undefined)?.code === '23505';
}

export function isForeignKeyViolation(err: unknown): boolean {
  return (err as PgError | undefined)?.code === '23503';
}

const snakeToCamel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The column a foreign-key violation names ("Key (business_hours_id)=(...)" → `businessHoursId`). */
export function violatedColumn(err: unknown): string | undefined {
  const match = /Key \(([a-z_]+)\)/.exec((err as PgError | undefined)?.detail ?? '');
  return match ? snakeToCamel(match[1]!) : undefined;
}

/** Node socket errors: the server is gone, unreachable or reset the connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * SQLSTATEs that say nothing about the request and everything about the server's state right now:
 * connection exceptions (class 08), insufficient resources (class 53: too many connections, out of
 * memory or disk), shutdown and start-up (57P01-57P03), statement timeout or cancel (57014), and a
 * session the server ended for idling in a transaction (25P03).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57014', '25P03']);
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(['08', '53']);

/** What node-postgres and pg-pool throw (as plain Errors without a code) when the connection is lost or never made. */
const CLIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^Cannot use a pool after calling end on the pool/,
];

/**
 * True when an error means the database cannot be reached or did not answer in time: the caller
 * should come back later, and nothing about its input was wrong. The one place that knows.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATES.has(e.code)) return true;
    if (/^[0-9A-Z]{5}$/.test(e.code) && UNAVAILABLE_SQLSTATE_CLASSES.has(e.code.slice(0, 2))) return true;
  }
  if (typeof e.message === 'string' && CLIENT_MESSAGES.some((re) => re.test(e.message as string))) return true;
  // Connecting to "localhost" tries every address: Node reports an AggregateError of the attempts.
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return e.cause !== undefined && isDatabaseUnavailable(e.cause, depth + 1);
}

/** A client-side wait that gave up: the connection may still be busy with the abandoned query. */
export function isClientTimeout(err: unknown): boolean {
  return err instanceof Error && /^Query read timeout/.test(err.message);
}
