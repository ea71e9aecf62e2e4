/**
 * The closed set of error codes this service answers with. Every error body is
 * `{ error, message, correlationId }` (+ `field` when one input is at fault, + `details`).
 * Business refusals that a flow branches on are not errors: they are 200 answers with an `outcome`.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CSRF: 403,
  ORIGIN_NOT_ALLOWED: 403,
  CAPTCHA_REQUIRED: 403,
  CAPTCHA_FAILED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export class AppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = ERROR_STATUS[code];
  }
}

export const errors = {
  validation: (field: string, message: string) => new AppError('VALIDATION_FAILED', message, field),
  badRequest: (message: string, field?: string) => new AppError('BAD_REQUEST', message, field),
  invalidJson: (message: string) => new AppError('INVALID_JSON', message),
  unauthorized: (message = 'A valid bearer token is required') =>
    new AppError('UNAUTHORIZED', message, undefined, undefined, { 'WWW-Authenticate': 'Bearer' }),
  forbidden: (message: string) => new AppError('FORBIDDEN', message),
  /** A sign-in refused: the same answer for an unknown username, a wrong password and a disabled account. */
  invalidCredentials: () => new AppError('INVALID_CREDENTIALS', 'The username or password is not correct'),
  /** A write with a session cookie but without the session's X-CSRF-Token. */
  csrf: () => new AppError('CSRF', 'This change needs the X-CSRF-Token header of the signed-in session'),
  /** A publishable key used from an origin it does not list (or without an Origin when it does not allow that). */
  originNotAllowed: (message: string) => new AppError('ORIGIN_NOT_ALLOWED', message),
  /** A publishable key that requires a CAPTCHA, called without a token (`captchaToken` or X-Captcha-Token). */
  captchaRequired: () => new AppError('CAPTCHA_REQUIRED', 'This key requires a CAPTCHA token: send it as captchaToken in the body or in the X-Captcha-Token header', 'captchaToken'),
  /** The CAPTCHA token was refused: invalid, expired, already used, or made for another action or site. */
  captchaFailed: (message: string, details?: Record<string, unknown>) => new AppError('CAPTCHA_FAILED', message, 'captchaToken', details),
  methodNotAllowed: (method: string, path: string, allowed: string[]) =>
    new AppError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`, undefined, undefined, {
      Allow: allowed.join(', '),
    }),
  notFound: (what: string, id?: string) =>
    new AppError('NOT_FOUND', id === undefined ? `${what} not found` : `${what} ${id} not found`),
  conflict: (message: string, details?: Record<string, unknown>) =>
    new AppError('CONFLICT', message, undefined, details),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError('RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds} s`, undefined, undefined, {
      'Retry-After': String(retryAfterSeconds),
    }),
  unavailable: (message: string, retryAfterSeconds = 5) =>
    new AppError('SERVICE_UNAVAILABLE', message, undefined, undefined, { 'Retry-After': String(retryAfterSeconds) }),
};
