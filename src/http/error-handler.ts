import { randomUUID } from 'node:crypto';
import { STATUS_CODES as HTTP_REASONS } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../db/errors.js';
import { AppError, ERROR_STATUS, errors, type ErrorCode } from '../errors.js';
import type { ErrorBody } from './schemas.js';

interface ValidationItem {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `/a/0/b` + missingProperty `c` → `a[0].b.c`: the input's name as the caller wrote it. */
function fieldOf(item: ValidationItem, context: string | undefined): string {
  const parts = (item.instancePath ?? '').split('/').filter((p) => p !== '');
  const extra = item.params?.missingProperty ?? item.params?.additionalProperty;
  if (typeof extra === 'string') parts.push(extra);
  const path = parts
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');
  return path === '' ? (context ?? 'body') : path;
}

function describe(item: ValidationItem, field: string): string {
  if (item.params?.additionalProperty !== undefined) return `${field} is not an accepted input`;
  if (item.params?.missingProperty !== undefined) return `${field} is required`;
  if (Array.isArray(item.params?.allowedValues)) return `${field} must be one of: ${item.params.allowedValues.join(', ')}`;
  return `${field} ${item.message ?? 'is invalid'}`;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

/** Fastify's own messages for these echo the raw path; ours say what to fix. */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'The path is not a valid URL: malformed percent-encoding or invalid UTF-8',
  FST_ERR_MAX_PARAM_LENGTH: 'A path segment is longer than 100 characters',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

export interface RenderedError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

export function renderError(err: unknown, correlationId: string): RenderedError {
  if (err instanceof AppError) {
    return {
      status: err.statusCode,
      headers: err.headers ?? {},
      body: {
        error: err.code,
        message: err.message,
        correlationId,
        ...(err.field !== undefined && { field: err.field }),
        ...(err.details !== undefined && { details: err.details }),
      },
    };
  }
  const e = err as FastifyError & { validation?: ValidationItem[]; validationContext?: string };
  if (Array.isArray(e.validation) && e.validation.length > 0) {
    const first = e.validation[0]!;
    const field = fieldOf(first, e.validationContext);
    return {
      status: 400,
      headers: {},
      body: { error: 'VALIDATION_FAILED', message: describe(first, field), correlationId, field },
    };
  }
  const mapped = (e.code && FASTIFY_CODES[e.code]) ?? (err instanceof SyntaxError ? 'INVALID_JSON' : undefined);
  if (mapped) {
    const message =
      FASTIFY_MESSAGES[e.code] ??
      (mapped === 'INVALID_JSON' ? `The body is not valid JSON: ${e.message}` : e.message || 'The request was refused');
    return { status: ERROR_STATUS[mapped], headers: {}, body: { error: mapped, message, correlationId } };
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = STATUS_CODES[status] ?? 'BAD_REQUEST';
    return { status: ERROR_STATUS[code] === status ? status : 400, headers: {}, body: { error: code, message: e.message, correlationId } };
  }
  if (status === 503) {
    return { status, headers: {}, body: { error: 'SERVICE_UNAVAILABLE', message: 'The service is unavailable', correlationId } };
  }
  if (isDatabaseUnavailable(err)) return renderError(errors.unavailable('The database is unavailable; retry shortly'), correlationId);
  // Internals (SQL, stack traces, upstream bodies) never reach the caller.
  return { status: 500, headers: {}, body: { error: 'INTERNAL', message: 'Internal error', correlationId } };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body, headers } = renderError(err, request.id);
  if (status >= 500) request.log.error({ err }, 'request failed');
  else request.log.info({ error: body.error, field: body.field, message: body.message }, 'request refused');
  // Serialized here, not by the route's response schema: an error must render even on a route
  // whose declared error shape is another one (the token endpoint's RFC 6749 errors).
  return reply
    .code(status)
    .headers({ ...headers, 'ININ-Correlation-Id': request.id, 'content-type': 'application/json; charset=utf-8' })
    .send(JSON.stringify(body));
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** A route's path as a regular expression: a segment with `:param` matches one segment, `*` the rest. */
function patternRegExp(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment.includes(':')) return '[^/]+';
      const star = segment.indexOf('*');
      return star < 0 ? escapeRegExp(segment) : `${escapeRegExp(segment.slice(0, star))}.*`;
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * The methods each path answers, collected as routes are added, so that a known path asked with
 * another method is a 405 with Allow rather than a 404.
 */
class RouteMethods {
  private readonly exact = new Map<string, Set<string>>();
  private readonly patterns: { regexp: RegExp; methods: Set<string> }[] = [];

  add(url: string, methods: string[]): void {
    let set: Set<string> | undefined;
    if (/[:*]/.test(url)) {
      const regexp = patternRegExp(url);
      set = this.patterns.find((p) => p.regexp.source === regexp.source)?.methods;
      if (!set) this.patterns.push({ regexp, methods: (set = new Set()) });
    } else {
      set = this.exact.get(url);
      if (!set) this.exact.set(url, (set = new Set()));
    }
    for (const m of methods) set.add(m);
    if (set.has('GET')) set.add('HEAD');
  }

  /** The methods allowed on a concrete path (OPTIONS included), or [] when no route has it. */
  allowed(path: string): string[] {
    const found = new Set(this.exact.get(path));
    for (const p of this.patterns) if (p.regexp.test(path)) for (const m of p.methods) found.add(m);
    if (found.size === 0) return [];
    found.add('OPTIONS');
    return METHOD_ORDER.filter((m) => found.has(m));
  }
}

/** Errors the router raises before any route runs (malformed or over-long path segments). */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendError(request, reply, err);
}

/**
 * Errors Node's HTTP parser raises before there is a request (headers too large, a client too slow,
 * bytes that are not HTTP): answered in the error shape with a fresh correlation id.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new AppError('REQUEST_TIMEOUT', 'The request was not received in time')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? new AppError('HEADERS_TOO_LARGE', 'The request line and headers are too large')
        : errors.badRequest('The request is not valid HTTP');
  const correlationId = randomUUID();
  const { status, body } = renderError(error, correlationId);
  this.log.info({ correlationId, error: body.error, code: err.code }, 'client error');
  // Like Node's own handler: never write into a response that has already started.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const text = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${status} ${HTTP_REASONS[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nININ-Correlation-Id: ${correlationId}\r\n\r\n${text}`,
    );
  }
  socket.destroy(err);
}

async function errorHandlerPlugin(app: FastifyInstance) {
  const routes = new RouteMethods();
  app.addHook('onRoute', (route: RouteOptions) => {
    // The CORS preflight catch-all (OPTIONS *, http/web.ts) answers only the preflights it allows: it makes no path exist.
    if (route.url === '*' && route.method === 'OPTIONS') return;
    routes.add(route.url, Array.isArray(route.method) ? route.method : [route.method]);
  });
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = routes.allowed(path);
    if (allowed.length === 0) return sendError(request, reply, errors.notFound(`Route ${request.method} ${path}`));
    if (request.method === 'OPTIONS') return reply.code(204).header('Allow', allowed.join(', ')).send();
    return sendError(request, reply, errors.methodNotAllowed(request.method, path, allowed));
  });
}

export default fp(errorHandlerPlugin, { name: 'error-handler' });
