import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import pkg from '../../package.json' with { type: 'json' };
import type { Role } from '../auth/caller.js';
import type { Clock } from '../clock.js';
import type { ErrorCode } from '../errors.js';
import { EXAMPLE_TIME } from './schemas.js';

export const OPENAPI_TAGS = [
  { name: 'data-actions', description: 'Called by Genesys Architect flows through Web Services data actions (role actions)' },
  { name: 'events', description: 'Conversation events forwarded by trigger workflows (role events)' },
  { name: 'callbacks', description: 'The operator’s callback desk' },
  { name: 'priority-aging', description: 'Raising the priority of waiting callbacks over time' },
  { name: 'callback-retries', description: 'Retrying callbacks nobody answered, by the wrap-up of their conversation' },
  { name: 'webhooks', description: 'Signed notifications of what happens to callbacks, POSTed to other systems; their delivery log and test-send' },
  { name: 'preview-retries', description: 'Retrying preview-dialer contacts by wrap-up' },
  { name: 'campaigns', description: 'Always-running campaigns for automated callbacks' },
  { name: 'call-in', description: 'Click-To-Call-In: groups (a DNIS pool and access-code settings) and the call-in records' },
  { name: 'queues', description: 'Callback queues' },
  { name: 'genesys', description: 'What the simulated Genesys gateway was asked' },
  { name: 'business-hours', description: 'Weekly hours with date exceptions' },
  { name: 'capacity-rules', description: 'Weekly capacity calendars' },
  { name: 'number-rules', description: 'Number screening: permitted countries, blocked patterns and number types' },
  { name: 'notifications', description: 'Notifications of callback events: the push notification credential' },
  { name: 'self-service', description: 'A customer’s own callback, with its manage token (X-Manage-Token)' },
  { name: 'auth', description: 'OAuth 2.0 client-credentials tokens' },
  { name: 'clients', description: 'API clients (administrators)' },
  { name: 'users', description: 'Person accounts for the operator console (administrators)' },
  { name: 'console', description: 'Signing people in to the operator console: sessions, Genesys Cloud sign-in' },
  { name: 'reports', description: 'Offer tracking and summary reports (live records, then daily rollups)' },
  { name: 'audit', description: 'Audit log of configuration changes' },
  { name: 'operations', description: 'Health, readiness and metrics' },
];

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: unknown[];
  requestBody?: { content?: Record<string, Json> };
  responses?: Record<string, { description?: string; content?: Record<string, Json & { schema?: Json }> }>;
}
interface Document {
  paths?: Record<string, Record<string, Operation>>;
  [key: string]: unknown;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * The operation's id: its method and path, `v1` left out and `{param}` read as `By<Param>`
 * (`GET /admin/v1/queues/{id}` → `getAdminQueuesById`). Derived, so it changes only when the path
 * does; generated clients and the console's typed client name operations by it.
 */
export function operationIdOf(method: string, path: string): string {
  const words = [method.toLowerCase()];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === 'v1') continue;
    const param = /^\{(.+)\}$/.exec(segment);
    words.push(...(param ? ['by', param[1]!] : [segment]).flatMap((w) => w.split(/[-_]/)));
  }
  return words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}

const READERS: Role[] = ['administrator', 'supervisor', 'monitor', 'developer'];

/**
 * The roles that may call an operation, as the scopes in app.ts and the route files grant them
 * (test/api-docs.test.ts checks every operation against the running app); null = public.
 */
export function rolesOf(method: string, path: string, op: Operation): Role[] | null {
  if (Array.isArray(op.security) && op.security.length === 0) return null;
  // The console's own sign-in: a person's credentials or session cookie, whatever the roles.
  if (path.startsWith('/auth/v1/')) return null;
  // Customer self-service: the callback's manage token, no role.
  if (path.startsWith('/public/v1/')) return null;
  if (path.startsWith('/actions/')) return ['actions'];
  if (path.startsWith('/events/')) return ['events'];
  if (path.startsWith('/admin/v1/clients') || path.startsWith('/admin/v1/users') || path.startsWith('/admin/v1/genesys-sign-in')) return ['administrator'];
  // The push credential: administrators only, even to read it masked.
  if (path.startsWith('/admin/v1/settings/push')) return ['administrator'];
  if (path.startsWith('/admin/v1/audit')) return ['administrator', 'supervisor'];
  // Trying a number against a rule changes nothing: every operator role may.
  if (method === 'get' || path === '/admin/v1/number-rules/{id}/test') return READERS;
  if (path.startsWith('/admin/v1/callbacks') || path.startsWith('/admin/v1/campaign-callbacks')) return ['administrator', 'supervisor'];
  return ['administrator'];
}

/** The code an error answer of this status carries, for its example. */
const ERROR_EXAMPLES: Record<string, { error: ErrorCode; message: string; field?: string }> = {
  '400': { error: 'VALIDATION_FAILED', message: 'body/queue must NOT have fewer than 1 characters', field: 'queue' },
  '401': { error: 'UNAUTHORIZED', message: 'A valid bearer token is required' },
  '403': { error: 'FORBIDDEN', message: 'This needs one of the roles: administrator' },
  '404': { error: 'NOT_FOUND', message: 'Queue Demo not found' },
  '409': { error: 'CONFLICT', message: 'A queue named "Demo" already exists' },
  '413': { error: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
  '415': { error: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Media Type: text/plain' },
  '429': { error: 'RATE_LIMITED', message: 'Too many requests; retry in 12 s' },
  '500': { error: 'INTERNAL', message: 'Internal error' },
  '503': { error: 'SERVICE_UNAVAILABLE', message: 'The service is overloaded (eventLoopDelay)' },
};

/** What a DELETE's 409 means, per resource (absent: the delete cannot conflict). */
const DELETE_CONFLICTS: Record<string, string> = {
  '/admin/v1/queues/{id}': 'while it has callbacks',
  '/admin/v1/campaigns/{id}': 'while it has callbacks',
  '/admin/v1/business-hours/{id}': 'while a queue or campaign uses them',
  '/admin/v1/number-rules/{id}': 'while a queue or campaign uses it',
  '/admin/v1/capacity-rules/{id}': 'while a queue uses it',
  '/admin/v1/prioritization-policies/{id}': 'while a queue uses it',
  '/admin/v1/callback-retry-policies/{id}': 'while a queue uses it',
  '/admin/v1/call-in-groups/{id}': 'while it has pending requests not expired yet',
};

function successDescription(method: string, path: string, status: string): string {
  if (status === '201') return 'Created: the new record';
  if (status === '204') return 'Deleted';
  if (path.startsWith('/actions/')) return 'The answer. Refusals a flow branches on (a full slot, a blocked number, ...) are 200 answers with an `outcome`';
  if (path.startsWith('/events/')) return 'The event was taken; `action` says what it did';
  if (method === 'get') return 'The record(s)';
  return 'Done: the result';
}

function responseDescription(method: string, path: string, status: string): string {
  if (/^2/.test(status)) return successDescription(method, path, status);
  switch (status) {
    case '400':
      return path === '/oauth/token'
        ? 'The grant is malformed or unsupported (OAuth error), or the edge refused the body'
        : 'The input is invalid (`VALIDATION_FAILED`, `BAD_REQUEST` or `INVALID_JSON`); `field` names it';
    case '401':
      return path === '/oauth/token' ? 'Unknown client, wrong secret or an inactive client (OAuth error `invalid_client`)' : 'No valid bearer token (`UNAUTHORIZED`)';
    case '403':
      return 'The token lacks the role this needs, or the queue is outside the client’s allow-list (`FORBIDDEN`)';
    case '404':
      return path.startsWith('/actions/') ? 'The queue, rule or campaign named is unknown (`NOT_FOUND`)' : 'No such record (`NOT_FOUND`)';
    case '409':
      if (method === 'delete') return `The record cannot be deleted ${DELETE_CONFLICTS[path] ?? ''} (\`CONFLICT\`)`;
      if (path.endsWith('/recreate')) return 'Only a completed callback can be recreated (`CONFLICT`)';
      return 'A record with this name already exists, or the change conflicts with one (`CONFLICT`)';
    case '413':
      return 'The body is too large (`PAYLOAD_TOO_LARGE`)';
    case '415':
      if (path.endsWith('/dnis/import')) return 'The body is not CSV (`text/csv`) (`UNSUPPORTED_MEDIA_TYPE`)';
      return 'The content type is not form-encoded or JSON (`UNSUPPORTED_MEDIA_TYPE`)';
    case '429':
      return 'Too many requests from this client; retry after `Retry-After` seconds (`RATE_LIMITED`)';
    case '500':
      return 'The metrics could not be collected (`INTERNAL`)';
    case '503':
      return path === '/readyz' ? 'Not ready: the database or the job worker is down' : 'Overloaded or the database is unavailable (`SERVICE_UNAVAILABLE`)';
    default:
      return `HTTP ${status}`;
  }
}

function operationDescription(method: string, path: string, op: Operation): string {
  const parts = [op.description ?? `${op.summary ?? `${method.toUpperCase()} ${path}`}.`];
  const roles = rolesOf(method, path, op);
  const cookieOnly = Array.isArray(op.security) && op.security.some((s) => typeof s === 'object' && s !== null && 'consoleSession' in s);
  const manageOnly = Array.isArray(op.security) && op.security.some((s) => typeof s === 'object' && s !== null && 'manageToken' in s);
  parts.push(manageOnly ? 'Public: no API token, but the callback’s manage token (X-Manage-Token); without it, or with another callback’s, 404.' : cookieOnly ? 'Public: no token needed; it reads the console session cookie.' : roles === null ? 'Public: no token needed.' : `Needs a token with one of the roles: ${roles.map((r) => `\`${r}\``).join(', ')}.`);
  if (path.startsWith('/actions/')) parts.push('Flat input and output, as Genesys data actions need; refusals a flow branches on are 200 answers with an `outcome`.');
  if (path.startsWith('/events/')) parts.push('Each event is processed once (by conversation, participant and event time); repeats answer `DUPLICATE`.');
  return parts.join(' ');
}

/** A weekday at 16:00 UTC (11:00 or 12:00 in New York: inside the demo queue's hours), one to three days after `now`. */
export function exampleTimeAfter(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 16));
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().replace('.000Z', 'Z');
}

/** The clock the committed openapi/ files are generated with, so that they are the same on every run. */
export const DOCS_CLOCK: Clock = { now: () => new Date('2030-03-04T12:00:00Z') };

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value.split(from).join(to);
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  return value;
}

export interface DocumentOptions {
  publicBaseUrl: string;
  clock: Clock;
}

/**
 * What the route schemas cannot say: an operationId, a description per operation and per response,
 * error examples with the status's code, request examples timed relative to now, servers, contact
 * and license.
 */
export function completeDocument(doc: Document, opts: DocumentOptions): Document {
  const exampleTime = exampleTimeAfter(opts.clock.now());
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      op.operationId ??= operationIdOf(method, path);
      op.description = operationDescription(method, path, op);
      if (method === 'delete' && op.summary) {
        const conflict = DELETE_CONFLICTS[path];
        op.summary = op.summary.replace(/ \(409 while a queue uses it\)$/, conflict ? ` (409 ${conflict})` : '');
        if (!conflict) delete op.responses?.['409'];
      }
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        response.description = responseDescription(method, path, status);
        const json = response.content?.['application/json'];
        const example = ERROR_EXAMPLES[status];
        if (json && example && (json.schema as Json | undefined)?.title === 'Error') {
          json.example = { ...example, correlationId: '6f1c2a9e-3b7d-4e10-9a55-0c2d8e7f4b13' };
        }
      }
      const body = op.requestBody?.content?.['application/json'];
      if (body && 'example' in body) body.example = replaceDeep(body.example, EXAMPLE_TIME, exampleTime);
    }
  }
  return {
    ...doc,
    servers: [
      {
        url: opts.publicBaseUrl,
        description: 'This service (PUBLIC_BASE_URL; default http://127.0.0.1:PORT). Set PUBLIC_BASE_URL to the public HTTPS address Genesys calls.',
      },
    ],
  };
}

export interface SwaggerOptions {
  publicBaseUrl: string;
  clock: Clock;
}

/** OpenAPI 3 document built from the route schemas; must be registered before the routes. */
async function swaggerPlugin(app: FastifyInstance, opts: SwaggerOptions) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Callback engine for Genesys Cloud',
        version: pkg.version,
        description:
          'Data actions for Genesys Architect (`/actions/v1`), event webhooks for trigger workflows (`/events/v1`) ' +
          'and the operators\' admin API (`/admin/v1`). Get a token with `POST /oauth/token` (client credentials), ' +
          'then send `Authorization: Bearer <token>`. Every error body is `{ error, message, correlationId }`.',
        // package.json is private and names no licence, repository or address: nothing public to link to.
        contact: { name: 'The callback engine team (see the README)' },
        license: { name: 'Proprietary: a private package, no licence granted' },
      },
      tags: OPENAPI_TAGS,
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          manageToken: { type: 'apiKey', in: 'header', name: 'X-Manage-Token', description: 'A callback’s manage token, answered by its create through a publishable key (customer self-service)' },
          consoleSession: { type: 'apiKey', in: 'cookie', name: 'cbe_session', description: 'The console session cookie (POST /auth/v1/session); the admin API accepts it too, with X-CSRF-Token on every write' },
          oauth2: {
            type: 'oauth2',
            flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } },
          },
        },
      },
      security: [{ bearerAuth: [] }, { oauth2: [] }],
    },
    // Built once, at the first request for the document: the live /docs examples are relative to then.
    transformObject: (documentObject) =>
      'openapiObject' in documentObject ? (completeDocument(documentObject.openapiObject as Document, opts) as typeof documentObject.openapiObject) : documentObject.swaggerObject,
  });
}

export default fp(swaggerPlugin, { name: 'swagger' });
