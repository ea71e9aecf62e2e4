import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from './config.js';

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log line. Fastify does not log
 * bodies or headers by default; this is the net under anything that logs an object carrying them.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-captcha-token"]',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'req.headers["x-manage-token"]',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'config.headers.Authorization',
  '*.config.headers.Authorization',
  'config.data',
  '*.config.data',
  'client_secret',
  'clientSecret',
  'secret',
  'password',
  'access_token',
  'token',
  'publishableKey',
  'captchaToken',
  'manageToken',
  'privateKey',
  'private_key',
  'deviceToken',
  '*.client_secret',
  '*.clientSecret',
  '*.secret',
  '*.password',
  '*.access_token',
  '*.token',
  '*.publishableKey',
  '*.captchaToken',
  '*.manageToken',
  '*.privateKey',
  '*.private_key',
  '*.deviceToken',
];

/**
 * Query parameters that carry a credential in a URL (the OAuth authorization code and state of the
 * Genesys sign-in callback, the signature of a self-service link): logged as "[redacted]" in every request line.
 */
const SECRET_QUERY = /([?&](?:code|state|code_verifier|sig)=)[^&#]*/g;
const HAS_SECRET_QUERY = /[?&](?:code|state|code_verifier|sig)=/;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: {
      // The request as Fastify logs it, with its URL's credentials taken out (everything else read through to it).
      log(obj) {
        const req = obj.req as { url?: unknown } | undefined;
        if (req === undefined || req === null || typeof req.url !== 'string' || !HAS_SECRET_QUERY.test(req.url)) return obj;
        return { ...obj, req: Object.create(req, { url: { value: redactUrl(req.url), enumerable: true } }) as unknown };
      },
    },
    base: { service: 'callback-engine' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

/** JSON lines, or pretty output when a person is watching a terminal. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const opts = loggerOptions(level);
  if (destination) return pino(opts, destination);
  if (process.stdout.isTTY) return pino({ ...opts, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } });
  return pino(opts);
}
