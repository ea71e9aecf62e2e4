import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../db/errors.js';
import { AppError, ERROR_STATUS, errors, type ErrorCode } from './errors.js';
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
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
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
      mapped === 'INVALID_JSON' ? `The body is not valid JSON: ${e.message}` : e.message || 'The request was refused';
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
  return reply.code(status).headers(headers).send(body);
}

async function errorHandlerPlugin(app: FastifyInstance) {
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new AppError('NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`)),
  );
}

export default fp(errorHandlerPlugin, { name: 'error-handler' });
