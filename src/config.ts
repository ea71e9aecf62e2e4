/**
 * All settings come from environment variables, validated once at boot into a typed object.
 * A bad value fails fast with the variable's name; nothing else in the code reads process.env.
 */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type DatabaseConfig =
  | { kind: 'url'; url: string }
  | { kind: 'embedded'; port: number };

export interface DatabaseTimeouts {
  /** Opening a connection, or waiting for a free one in the pool. */
  connectMs: number;
  /** One statement, enforced by the server (and, a little later, by the client when the server is silent). */
  statementMs: number;
  /** A transaction left idle this long is ended by the server, releasing its locks. */
  idleInTransactionMs: number;
}

// A data action's worst case (a connection wait, then one statement) stays inside Genesys' 10 s action timeout.
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 3_000, statementMs: 4_000, idleInTransactionMs: 10_000 };

export interface GenesysConfig {
  region: string | undefined;
  baseUrl: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
}

/** People in the operator console: sessions and sign-in limits. */
export interface ConsoleConfig {
  /** A session ends after this long without a request (seed 003: 20 minutes). */
  idleTimeoutMinutes: number;
  /** And this long after sign-in, however active. */
  sessionMaxHours: number;
  /** Failed sign-ins allowed per username, and per client IP, in each window; then 429. */
  loginMaxPerUsername: number;
  loginMaxPerIp: number;
  loginWindowSeconds: number;
}

/**
 * "Sign in with Genesys Cloud": an OAuth client of grant type Code Authorization (PKCE, no secret)
 * in the org, and where its login and API are.
 */
export interface GenesysSignInConfig {
  clientId: string;
  /** The org's region (GENESYS_LOGIN_REGION, else GENESYS_REGION), as a region key or host: login.<host>, api.<host>. */
  region: string | undefined;
  /** Login and API both on this base URL instead of login./api.<region> (tests, proxies), as GENESYS_BASE_URL. */
  baseUrl: string | undefined;
}

export interface WebConfig {
  /** Requests per publishable key per window, and per client IP per key, unless the key sets its own. */
  rateLimitPerKey: number;
  rateLimitPerIp: number;
  rateLimitWindowSeconds: number;
  /** How long a browser may cache a preflight's answer. */
  corsMaxAgeSeconds: number;
  /** Replaces the scheme and host of every CAPTCHA provider's verify URL (tests, egress proxies); the path is kept. */
  captchaVerifyBaseUrl: string | undefined;
  captchaVerifyTimeoutMs: number;
  /** A retried request (same token, same body or idempotency key) within this many seconds passes without a new check. */
  captchaRetrySeconds: number;
}

export interface Config {
  host: string;
  port: number;
  /** Base URL printed at start and used in generated artifacts; derived from HOST/PORT when unset. */
  publicBaseUrl: string;
  database: DatabaseConfig;
  databasePoolMax: number;
  /** Bounds on every wait for PostgreSQL, so a stopped or frozen server answers 503 instead of hanging. */
  databaseTimeouts: DatabaseTimeouts;
  dataDir: string;
  logLevel: LogLevel;
  /** Undefined only on the embedded default, where it is generated and kept under DATA_DIR. */
  jwtSecret: string | undefined;
  /** Older signing secrets that still verify tokens during a rotation. */
  jwtPreviousSecrets: string[];
  tokenTtlSeconds: number;
  bodyLimitBytes: number;
  rateLimit: {
    /** Requests per client (or per IP when unauthenticated) per window. */
    max: number;
    windowSeconds: number;
    /** Token requests per IP per window. */
    tokenMax: number;
  };
  /** Browsers and apps calling with publishable keys: their limits, CORS and CAPTCHA checks. */
  web: WebConfig;
  /** Key material for secrets stored encrypted (CAPTCHA secrets); undefined: derived from the token signing secret. */
  secretsEncryptionKey: string | undefined;
  /**
   * Where Firebase Cloud Messaging and Google's OAuth token endpoint are (FCM_BASE_URL, e.g. a proxy
   * or a test server: one origin standing in for both); undefined: the real Google endpoints.
   */
  fcmBaseUrl: string | undefined;
  trustProxy: boolean;
  /** Create the demo clients on first start (default on for the embedded database only). */
  demoSeed: boolean;
  shutdownTimeoutSeconds: number;
  /** A client must send its whole request (headers and body) within this; 408 otherwise. */
  requestTimeoutSeconds: number;
  /** Shed load (503 with Retry-After) when the event loop lags this long; 0 turns the guard off. */
  overloadMaxEventLoopDelayMs: number;
  /** Run the job worker inside the service (the default); off when separate `npm run worker` processes do it. */
  workerEnabled: boolean;
  workerConcurrency: number;
  /** How often workers announce themselves, and when a silent one counts as dead (its jobs are released). */
  workerHeartbeatSeconds: number;
  workerDeadAfterSeconds: number;
  /**
   * How long a worker holds a notification it is sending: one cut off by a dead worker is sent again
   * (same id) this long after it was taken. At least 15 s, longer than any sender's 10 s timeout.
   */
  notifyLeaseSeconds: number;
  /** A standalone worker serves its own metrics on this port (0: none). */
  workerMetricsPort: number;
  /** How long the database figures of /metrics (pending callbacks, jobs, reconcile lag) are reused between scrapes. */
  metricsCacheSeconds: number;
  /** Days callbacks are kept after their desired time. */
  retentionDays: number;
  /** Days the daily report rollups are kept after the records themselves are deleted. */
  reportRetentionDays: number;
  /** The reconciler: seconds between runs (0: off) and the Genesys requests one run may make. */
  reconcile: { intervalSeconds: number; maxRequests: number };
  genesys: GenesysConfig;
  console: ConsoleConfig;
  /** Undefined when GENESYS_LOGIN_CLIENT_ID is unset: the console offers only username and password. */
  genesysSignIn: GenesysSignInConfig | undefined;
  /**
   * Origins allowed to frame /console besides the Genesys Cloud UI of the configured regions
   * (CONSOLE_FRAME_ANCESTORS); see genesys/framing.ts.
   */
  consoleFrameAncestors: string[];
  /**
   * SameSite of the session cookie: `strict` (default), or `none` (then Secure) so the console keeps
   * its session inside the Genesys Cloud UI's frame, a third-party context.
   */
  consoleCookieSameSite: 'strict' | 'lax' | 'none';
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return def;
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be an absolute URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

function sameSite(env: Env): 'strict' | 'lax' | 'none' {
  const raw = (str(env, 'CONSOLE_COOKIE_SAMESITE') ?? 'strict').toLowerCase();
  if (raw !== 'strict' && raw !== 'lax' && raw !== 'none') throw new ConfigError('CONSOLE_COOKIE_SAMESITE', `must be strict, lax or none, got "${raw}"`);
  return raw;
}

const MIN_SECRET_LENGTH = 32;
export const DEFAULT_DATA_DIR = '.data';

export function loadConfig(env: Env = process.env): Config {
  const host = str(env, 'HOST') ?? '127.0.0.1';
  const port = int(env, 'PORT', 3000, 0, 65535);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const database: DatabaseConfig = databaseUrl
    ? { kind: 'url', url: databaseUrl }
    : { kind: 'embedded', port: int(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535) };

  const logLevel = (str(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const jwtSecret = str(env, 'JWT_SECRET');
  if (jwtSecret === undefined && database.kind === 'url') {
    throw new ConfigError('JWT_SECRET', 'is required when DATABASE_URL is set (at least 32 characters, e.g. from `openssl rand -hex 32`)');
  }
  if (jwtSecret !== undefined && jwtSecret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError('JWT_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters (e.g. from \`openssl rand -hex 32\`)`);
  }
  const jwtPreviousSecrets = (str(env, 'JWT_PREVIOUS_SECRETS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (jwtPreviousSecrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
    throw new ConfigError('JWT_PREVIOUS_SECRETS', `each secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }

  const genesys: GenesysConfig = {
    region: str(env, 'GENESYS_REGION'),
    baseUrl: url(env, 'GENESYS_BASE_URL', ['http:', 'https:']),
    clientId: str(env, 'GENESYS_CLIENT_ID'),
    clientSecret: str(env, 'GENESYS_CLIENT_SECRET'),
  };
  if ((genesys.clientId === undefined) !== (genesys.clientSecret === undefined)) {
    throw new ConfigError(
      genesys.clientId === undefined ? 'GENESYS_CLIENT_ID' : 'GENESYS_CLIENT_SECRET',
      'GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET must be set together',
    );
  }
  if (genesys.clientId !== undefined && genesys.region === undefined && genesys.baseUrl === undefined) {
    throw new ConfigError('GENESYS_REGION', 'is required with Genesys credentials (or set GENESYS_BASE_URL)');
  }

  const loginClientId = str(env, 'GENESYS_LOGIN_CLIENT_ID');
  const loginRegion = str(env, 'GENESYS_LOGIN_REGION') ?? genesys.region;
  const loginBaseUrl = url(env, 'GENESYS_LOGIN_BASE_URL', ['http:', 'https:'])?.replace(/\/+$/, '');
  if (loginClientId !== undefined && loginRegion === undefined && loginBaseUrl === undefined) {
    throw new ConfigError('GENESYS_LOGIN_REGION', 'is required with GENESYS_LOGIN_CLIENT_ID (or GENESYS_REGION, or GENESYS_LOGIN_BASE_URL)');
  }
  const genesysSignIn: GenesysSignInConfig | undefined = loginClientId === undefined ? undefined : { clientId: loginClientId, region: loginRegion, baseUrl: loginBaseUrl };

  const extraAncestors = (str(env, 'CONSOLE_FRAME_ANCESTORS') ?? '').split(/[\s,]+/).filter((s) => s !== '');
  for (const origin of extraAncestors) {
    if (!/^https:\/\/[a-z0-9.-]+(:\d+)?$/i.test(origin)) throw new ConfigError('CONSOLE_FRAME_ANCESTORS', `"${origin}" is not an https origin (https://host)`);
  }

  const secretsEncryptionKey = str(env, 'SECRETS_ENCRYPTION_KEY');
  if (secretsEncryptionKey !== undefined && secretsEncryptionKey.length < MIN_SECRET_LENGTH) {
    throw new ConfigError('SECRETS_ENCRYPTION_KEY', `must be at least ${MIN_SECRET_LENGTH} characters (e.g. from \`openssl rand -hex 32\`)`);
  }

  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const publicBaseUrl =
    url(env, 'PUBLIC_BASE_URL', ['http:', 'https:'])?.replace(/\/+$/, '') ?? `http://${displayHost}:${port}`;

  return {
    host,
    port,
    publicBaseUrl,
    database,
    databasePoolMax: int(env, 'DATABASE_POOL_MAX', 10, 1, 500),
    databaseTimeouts: {
      connectMs: int(env, 'DATABASE_CONNECT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.connectMs, 100, 600_000),
      statementMs: int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.statementMs, 100, 3_600_000),
      idleInTransactionMs: int(env, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.idleInTransactionMs, 100, 3_600_000),
    },
    dataDir: str(env, 'DATA_DIR') ?? DEFAULT_DATA_DIR,
    logLevel,
    jwtSecret,
    jwtPreviousSecrets,
    tokenTtlSeconds: int(env, 'TOKEN_TTL_SECONDS', 86_400, 60, 30 * 86_400),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 65_536, 1_024, 10 * 1024 * 1024),
    rateLimit: {
      max: int(env, 'RATE_LIMIT_MAX', 6_000, 1, 10_000_000),
      windowSeconds: int(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
      tokenMax: int(env, 'TOKEN_RATE_LIMIT_MAX', 60, 1, 1_000_000),
    },
    web: {
      rateLimitPerKey: int(env, 'PUBLISHABLE_RATE_LIMIT_PER_KEY', 600, 1, 10_000_000),
      rateLimitPerIp: int(env, 'PUBLISHABLE_RATE_LIMIT_PER_IP', 30, 1, 10_000_000),
      rateLimitWindowSeconds: int(env, 'PUBLISHABLE_RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
      corsMaxAgeSeconds: int(env, 'CORS_MAX_AGE_SECONDS', 600, 0, 86_400),
      captchaVerifyBaseUrl: url(env, 'CAPTCHA_VERIFY_BASE_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
      captchaVerifyTimeoutMs: int(env, 'CAPTCHA_VERIFY_TIMEOUT_MS', 5_000, 100, 60_000),
      captchaRetrySeconds: int(env, 'CAPTCHA_RETRY_SECONDS', 120, 1, 3_600),
    },
    secretsEncryptionKey,
    fcmBaseUrl: url(env, 'FCM_BASE_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    demoSeed: bool(env, 'DEMO_SEED', database.kind === 'embedded'),
    shutdownTimeoutSeconds: int(env, 'SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 600),
    requestTimeoutSeconds: int(env, 'REQUEST_TIMEOUT_SECONDS', 30, 1, 600),
    overloadMaxEventLoopDelayMs: int(env, 'OVERLOAD_MAX_EVENT_LOOP_DELAY_MS', 2_000, 0, 60_000),
    workerEnabled: bool(env, 'WORKER_ENABLED', true),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 5, 1, 100),
    workerHeartbeatSeconds: int(env, 'WORKER_HEARTBEAT_SECONDS', 5, 1, 300),
    workerDeadAfterSeconds: int(env, 'WORKER_DEAD_AFTER_SECONDS', 30, 2, 3600),
    notifyLeaseSeconds: int(env, 'NOTIFY_LEASE_SECONDS', 60, 15, 3600),
    workerMetricsPort: int(env, 'WORKER_METRICS_PORT', 0, 0, 65535),
    metricsCacheSeconds: int(env, 'METRICS_CACHE_SECONDS', 5, 0, 300),
    retentionDays: int(env, 'RETENTION_DAYS', 14, 1, 3650),
    reportRetentionDays: int(env, 'REPORT_RETENTION_DAYS', 400, 1, 3650),
    reconcile: {
      intervalSeconds: int(env, 'RECONCILE_INTERVAL_SECONDS', 60, 0, 86_400),
      // Genesys allows 300 requests per token per minute, shared with deliveries, aging and waits.
      maxRequests: int(env, 'RECONCILE_MAX_REQUESTS', 100, 1, 300),
    },
    genesys,
    console: {
      idleTimeoutMinutes: int(env, 'CONSOLE_IDLE_TIMEOUT_MINUTES', 20, 1, 24 * 60),
      sessionMaxHours: int(env, 'CONSOLE_SESSION_MAX_HOURS', 12, 1, 24 * 30),
      loginMaxPerUsername: int(env, 'LOGIN_RATE_LIMIT_PER_USERNAME', 10, 1, 1_000_000),
      loginMaxPerIp: int(env, 'LOGIN_RATE_LIMIT_PER_IP', 50, 1, 1_000_000),
      loginWindowSeconds: int(env, 'LOGIN_RATE_LIMIT_WINDOW_SECONDS', 900, 1, 86_400),
    },
    genesysSignIn,
    consoleFrameAncestors: extraAncestors,
    consoleCookieSameSite: sameSite(env),
  };
}
