import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../src/demo.js';
import { ROLES } from '../src/auth/caller.js';
import { authHeader, buildTestApp, makeClient, TestClock, type TestApp } from './helpers/app.js';
import { factories, WEEKDAYS_9_TO_5 } from './helpers/factories.js';

/**
 * Drives every operation of the OpenAPI document with hostile values of each schema type, as an
 * all-roles client in a seeded world, and holds the service to two promises: never a 5xx, and every
 * 4xx in the error shape. Each request changes one thing of an otherwise valid request (so it gets
 * deep into the services), and a share of requests are hostile all over.
 *
 * FUZZ_RUNS (default 2,500) is the total number of requests; FUZZ_SEED replays a run; FUZZ_TIMING
 * prints the slowest operations.
 */

const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 2_500);
const SEED = Number(process.env.FUZZ_SEED ?? 20_300_304);

// Monday 2030-03-04, 10:00 in New York.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let auth: { authorization: string };

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  examples?: unknown[];
  default?: unknown;
  $ref?: string;
};
interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query: { name: string; schema: Schema; required: boolean }[];
  body?: Schema;
  contentTypes: string[];
}

/** A value that is sent as raw JSON text (1e309, -0): JSON.stringify cannot write it. */
class Raw {
  constructor(readonly text: string) {}
}
interface Hostile {
  tag: string;
  value: unknown;
}
const h = (tag: string, value: unknown): Hostile => ({ tag, value });

const HOSTILE_STRINGS: Hostile[] = [
  h('string:nul', 'a\u0000b'),
  h('string:percent-nul', '%00'),
  h('string:lone-surrogate', 'x\ud800'),
  h('string:lone-low-surrogate', '\udc00'),
  h('string:huge', 'x'.repeat(40_000)),
  h('string:rtl-emoji', '\u202eevil\u202c😀👩‍👩‍👧'),
  h('string:sql', "' OR 1=1; DROP TABLE callbacks; --"),
  h('string:json-meta', '{"a":[1,"}]'),
  h('string:backslashes', '\\\\u0000\\'),
  h('string:bom', '\ufeff'),
  h('string:zero-width', '\u200b\u2060'),
  h('string:blank', '   '),
  h('string:empty', ''),
  h('string:path', '../../etc/passwd'),
  h('string:number-text', '1e309'),
  h('string:nan-text', 'NaN'),
  h('string:negative-zero-text', '-0'),
  h('string:control', '\u0001\u0007\u001b[31m'),
  h('string:newlines', 'a\r\nSet-Cookie: x=y'),
];
const HOSTILE_TIMES: Hostile[] = [
  h('time:year-9999', '9999-01-01T00:00:00Z'),
  h('time:year-0', '0000-01-01T00:00:00Z'),
  h('time:max-date', '+275760-09-13'),
  h('time:negative-year', '-000001-01-01'),
  h('time:leap-second', '2030-06-30T23:59:60Z'),
  h('time:february-30', '2030-02-30T10:00:00Z'),
  h('time:hour-24', '2030-03-05T24:00:00Z'),
  h('time:offset-99', '2030-03-05T10:00:00+99:00'),
  h('time:epoch-text', '1893456000000'),
];
const HOSTILE_NUMBERS: Hostile[] = [
  h('number:1e309', new Raw('1e309')),
  h('number:-1e309', new Raw('-1e309')),
  h('number:1e309-text', '1e309'),
  h('number:infinity-text', 'Infinity'),
  h('number:nan-text', 'NaN'),
  h('number:negative-zero', new Raw('-0')),
  h('number:huge', 1e300),
  h('number:unsafe-integer', new Raw('9007199254740993')),
  h('number:fraction', 0.5),
  h('number:negative', -1),
  h('number:zero', 0),
  h('number:hex-text', '0x10'),
];
const WRONG_SHAPES: Hostile[] = [
  h('shape:array', ['x']),
  h('shape:empty-array', []),
  h('shape:object', { a: 1 }),
  h('shape:null', null),
  h('shape:true', true),
  h('shape:number', 42),
  h('shape:string', 'x'),
];
const HOSTILE_PATH_PARAMS: Hostile[] = [
  h('path:not-uuid', 'not-a-uuid'),
  h('path:random-uuid', randomUUID()),
  h('path:nil-uuid', '00000000-0000-0000-0000-000000000000'),
  h('path:long', 'x'.repeat(150)),
  h('path:percent-nul', '%00'),
  h('path:bad-percent-encoding', '%ED%A0%80'),
  h('path:traversal', '..%2F..%2Fetc'),
  h('path:sql', encodeURIComponent("' or 1=1 --")),
  h('path:emoji', encodeURIComponent('😀')),
];
const DEEP_ARRAY = '['.repeat(20_000) + ']'.repeat(20_000);
const DEEP_OBJECT = '{"a":'.repeat(8_000) + '1' + '}'.repeat(8_000);
const WHOLE_BODIES: { tag: string; contentType: string | null; payload: string }[] = [
  { tag: 'body:deep-array', contentType: 'application/json', payload: DEEP_ARRAY },
  { tag: 'body:deep-object', contentType: 'application/json', payload: DEEP_OBJECT },
  { tag: 'body:invalid-json', contentType: 'application/json', payload: '{"a":' },
  { tag: 'body:empty', contentType: 'application/json', payload: '' },
  { tag: 'body:null', contentType: 'application/json', payload: 'null' },
  { tag: 'body:array', contentType: 'application/json', payload: '[]' },
  { tag: 'body:string', contentType: 'application/json', payload: '"x"' },
  { tag: 'body:infinite-number', contentType: 'application/json', payload: '1e309' },
  { tag: 'body:lone-surrogate-key', contentType: 'application/json', payload: '{"\\ud800":1}' },
  { tag: 'body:proto', contentType: 'application/json', payload: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
  { tag: 'content-type:text', contentType: 'text/plain', payload: 'hello' },
  { tag: 'content-type:xml', contentType: 'application/xml', payload: '<a/>' },
  { tag: 'content-type:form', contentType: 'application/x-www-form-urlencoded', payload: 'a=1&a=2&b=%00' },
  { tag: 'content-type:multipart', contentType: 'multipart/form-data; boundary=x', payload: '--x\r\n\r\n--x--' },
  { tag: 'content-type:utf16', contentType: 'application/json; charset=utf-16', payload: '{}' },
  { tag: 'content-type:none', contentType: null, payload: '{}' },
];

/** Where the seeded world's ids are, by the path segment that names the resource. */
const ids: Record<string, string[]> = {};
const known: Record<string, unknown[]> = {};

function resolveRef(schema: Schema, doc: { components?: { schemas?: Record<string, Schema> } }): Schema {
  if (!schema.$ref) return schema;
  return doc.components?.schemas?.[schema.$ref.split('/').pop()!] ?? {};
}

function operations(doc: { paths: Record<string, Record<string, Record<string, unknown>>>; components?: { schemas?: Record<string, Schema> } }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []) as { in: string; name: string; schema: Schema; required?: boolean }[];
      const content = (op.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)?.content ?? {};
      const contentTypes = Object.keys(content);
      const json = content['application/json'] ?? Object.values(content)[0];
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: resolveRef(p.schema, doc), required: p.required === true })),
        ...(json && { body: resolveRef(json.schema, doc) }),
        contentTypes,
      });
    }
  }
  // Deletes last, so the world the other requests need is still there.
  const rank = (m: string) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].indexOf(m);
  return ops.sort((a, b) => rank(a.method) - rank(b.method));
}

const typeOf = (s: Schema): string | undefined => (Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type) ?? (s.properties ? 'object' : undefined);

/** A valid value for the schema, preferring what the seeded world knows by that name. */
function valid(s: Schema, name: string, depth = 0): fc.Arbitrary<unknown> {
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return fc.oneof(...branches.map((b) => valid(b, name, depth)));
  if (known[name]) return fc.constantFrom(...known[name]!);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.examples?.length) return fc.constantFrom(...s.examples);
  switch (typeOf(s)) {
    case 'string': {
      if (s.format === 'uuid') return fc.constantFrom(...Object.values(ids).flat(), randomUUID());
      if (s.format === 'date-time') return fc.constantFrom('2030-03-05T15:00:00Z', '2030-03-04T00:00:00-05:00', '2030-04-01T00:00:00Z');
      // Anchored patterns (HH:mm, country codes) are cheap to generate; the visible-text one is met by the default below.
      if (s.pattern?.startsWith('^')) return fc.stringMatching(new RegExp(s.pattern, 'u')).filter((v) => v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? 200));
      return fc.string({ minLength: Math.max(1, s.minLength ?? 1), maxLength: Math.min(12, s.maxLength ?? 12), unit: 'grapheme-ascii' }).map((v) => `${name}-${v}`.slice(0, s.maxLength ?? 200));
    }
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1000, -1_000_000), max: Math.min(s.maximum ?? 1000, 1_000_000) });
    case 'number':
      return fc.double({ min: s.minimum ?? 0, max: Math.min(s.maximum ?? 1000, 1000), noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valid(s.items ?? {}, name, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)) });
    case 'object': {
      if (depth > 4) return fc.constant({});
      const props = Object.entries(s.properties ?? {});
      const required = new Set(s.required ?? []);
      const record = fc.record(Object.fromEntries(props.map(([k, v]) => [k, valid(v, k, depth + 1)])), { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)) });
      return record;
    }
    default:
      return fc.constantFrom('x', 1, {}, ['x']);
  }
}

/** A hostile value for a place of this schema. */
function hostile(s: Schema, name: string): fc.Arbitrary<Hostile> {
  const type = typeOf(s);
  const pool = [...WRONG_SHAPES, ...HOSTILE_STRINGS.slice(0, 6)];
  if (type === 'string') pool.push(...HOSTILE_STRINGS, ...HOSTILE_NUMBERS.slice(0, 3));
  if (type === 'string' && (s.format === 'date-time' || /time|at$|start|end|from|^to$/i.test(name))) pool.push(...HOSTILE_TIMES, ...HOSTILE_TIMES);
  if (type === 'integer' || type === 'number') pool.push(...HOSTILE_NUMBERS, ...HOSTILE_NUMBERS);
  if (type === 'array') pool.push(h('array:huge', Array.from({ length: 5_000 }, (_, i) => `x${i}`)), h('array:nested', [[['x']]]));
  if (type === 'object') pool.push(h('object:many-keys', Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, 'v']))));
  return fc.constantFrom(...pool);
}

/** Paths of the places a hostile value can go: top-level fields, and one level into objects and arrays. */
function places(s: Schema | undefined, prefix: string[] = [], depth = 0): { path: string[]; schema: Schema }[] {
  if (!s || depth > 2) return [];
  const out: { path: string[]; schema: Schema }[] = [];
  const inner = (s.anyOf ?? s.oneOf)?.find((b) => typeOf(b) !== 'null') ?? s;
  for (const [k, v] of Object.entries(inner.properties ?? {})) {
    out.push({ path: [...prefix, k], schema: v });
    out.push(...places(v, [...prefix, k], depth + 1));
  }
  if (typeOf(inner) === 'array' && inner.items) out.push({ path: [...prefix, '0'], schema: inner.items }, ...places(inner.items, [...prefix, '0'], depth + 1));
  return out;
}

function setAt(target: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (/^\d+$/.test(head)) {
    const arr = Array.isArray(target) ? [...target] : [];
    arr[Number(head)] = setAt(arr[Number(head)], rest, value);
    return arr;
  }
  const obj = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  obj[head] = setAt(obj[head], rest, value);
  return obj;
}

function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => (v instanceof Raw ? `__RAW_${raws.push(v.text) - 1}__` : v));
  return (text ?? 'null').replace(/"__RAW_(\d+)__"/g, (_m, i: string) => raws[Number(i)]!);
}

function queryValue(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(queryValue);
  const text = v instanceof Raw ? v.text : typeof v === 'object' ? JSON.stringify(v) : String(v);
  try {
    return [encodeURIComponent(text)];
  } catch {
    // A lone surrogate cannot be percent-encoded as UTF-8: send the bytes a client would.
    return ['%ED%A0%80'];
  }
}

interface Plan {
  tags: string[];
  method: string;
  url: string;
  contentType: string | null;
  payload?: string;
}

function planFor(op: Operation, all: Operation[]): fc.Arbitrary<Plan> {
  const queryArb = fc.record(Object.fromEntries(op.query.map((q) => [q.name, valid(q.schema, q.name)])), { requiredKeys: op.query.filter((q) => q.required).map((q) => q.name) });
  const params = fc.tuple(...op.pathParams.map((p) => fc.constantFrom(...(ids[resourceOf(op.path)] ?? []), ...(known[p] as string[] | undefined ?? []), randomUUID())));
  const bodyArb = op.body ? valid(op.body, 'body') : fc.constant(undefined);
  const bodyPlaces = places(op.body);
  const mutations: fc.Arbitrary<{ tag: string; apply(p: Draft): void }>[] = [fc.constant({ tag: 'valid', apply: () => undefined })];
  if (bodyPlaces.length > 0) {
    mutations.push(
      fc.constantFrom(...bodyPlaces).chain((place) =>
        hostile(place.schema, place.path[place.path.length - 1]!).map((x) => ({ tag: x.tag, apply: (d: Draft) => void (d.body = setAt(d.body, place.path, x.value)) })),
      ),
      fc.constantFrom(...bodyPlaces).map((place) => ({ tag: 'field:missing', apply: (d: Draft) => void (d.body = dropAt(d.body, place.path)) })),
      fc.constant({ tag: 'field:extra', apply: (d: Draft) => void (d.body = setAt(d.body, ['unexpected\u00e9'], 'x')) }),
    );
  }
  if (op.body) {
    mutations.push(hostile({}, 'body').map((x) => ({ tag: `body-${x.tag}`, apply: (d: Draft) => void (d.body = x.value) })));
    mutations.push(fc.constantFrom(...WHOLE_BODIES).map((w) => ({ tag: w.tag, apply: (d: Draft) => void ((d.raw = w.payload), (d.contentType = w.contentType)) })));
  }
  if (op.query.length > 0) {
    mutations.push(
      fc.constantFrom(...op.query).chain((q) => hostile(q.schema, q.name).map((x) => ({ tag: `query-${x.tag}`, apply: (d: Draft) => void (d.query[q.name] = x.value) }))),
      fc.constant({ tag: 'query:extra', apply: (d: Draft) => void (d.query['unexpected'] = 'x') }),
    );
  }
  if (op.pathParams.length > 0) {
    mutations.push(fc.constantFrom(...HOSTILE_PATH_PARAMS).map((x) => ({ tag: x.tag, apply: (d: Draft) => void (d.params[0] = String(x.value)) })));
  }
  const others = all.filter((o) => o.path === op.path).map((o) => o.method);
  const wrong = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !others.includes(m));
  if (wrong.length > 0) mutations.push(fc.constantFrom(...wrong).map((m) => ({ tag: 'method:wrong', apply: (d: Draft) => void (d.method = m) })));
  // Hostile all over: every field of the body replaced.
  if (bodyPlaces.length > 0) {
    mutations.push(
      fc.array(fc.constantFrom(...bodyPlaces).chain((place) => hostile(place.schema, place.path[place.path.length - 1]!).map((x) => ({ place, x }))), { minLength: 2, maxLength: 6 }).map((list) => ({
        tag: `chaos(${list.map((l) => l.x.tag).join(',')})`,
        apply: (d: Draft) => {
          for (const { place, x } of list) d.body = setAt(d.body, place.path, x.value);
        },
      })),
    );
  }
  return fc.record({ query: queryArb, params, body: bodyArb, mutation: fc.oneof(...mutations) }).map(({ query, params: ps, body, mutation }) => {
    const draft: Draft = { method: op.method, query: { ...query }, params: ps.map(String), body, contentType: op.body ? (op.contentTypes.includes('application/json') ? 'application/json' : op.contentTypes[0]!) : null };
    mutation.apply(draft);
    let path = op.path;
    op.pathParams.forEach((p, i) => (path = path.replace(`{${p}}`, draft.params[i]!.startsWith('%') || draft.params[i]!.includes('%') ? draft.params[i]! : encodeURIComponent(draft.params[i]!))));
    const qs = Object.entries(draft.query)
      .filter(([, v]) => v !== undefined)
      .flatMap(([k, v]) => queryValue(v).map((x) => `${k}=${x}`))
      .join('&');
    const payload = draft.raw ?? (draft.body === undefined ? undefined : draft.contentType === 'application/x-www-form-urlencoded' ? formOf(draft.body) : toJson(draft.body));
    return { tags: mutation.tag.split(/[(),]/).filter((x) => x !== ''), method: draft.method, url: qs ? `${path}?${qs}` : path, contentType: draft.contentType, ...(payload !== undefined && { payload }) };
  });
}

interface Draft {
  method: string;
  query: Record<string, unknown>;
  params: string[];
  body: unknown;
  raw?: string;
  contentType: string | null;
}

function dropAt(target: unknown, path: string[]): unknown {
  if (target === null || typeof target !== 'object') return target;
  const [head, ...rest] = path as [string, ...string[]];
  const copy = (Array.isArray(target) ? [...target] : { ...target }) as Record<string, unknown>;
  if (rest.length === 0) delete copy[head];
  else copy[head] = dropAt(copy[head], rest);
  return copy;
}

function formOf(body: unknown): string {
  if (body === null || typeof body !== 'object') return String(body);
  return Object.entries(body)
    .flatMap(([k, v]) => queryValue(v).map((x) => `${encodeURIComponent(k)}=${x}`))
    .join('&');
}

function resourceOf(path: string): string {
  return path.split('/')[3] ?? '';
}

const OAUTH_ERRORS = ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_grant', 'unauthorized_client', 'invalid_scope'];

/** Why the answer breaks a promise, or null when it keeps them. */
function broken(op: Operation, status: number, body: string): string | null {
  if (status >= 500) return `${status}`;
  if (status < 400) return null;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return `${status} not JSON`;
  }
  if (op.path === '/oauth/token' && typeof parsed.error === 'string' && OAUTH_ERRORS.includes(parsed.error)) return null;
  if (typeof parsed.error !== 'string' || typeof parsed.message !== 'string' || typeof parsed.correlationId !== 'string') return `${status} off-shape`;
  return null;
}

beforeAll(async () => {
  t = await buildTestApp({ clock, env: { RATE_LIMIT_MAX: '10000000', TOKEN_RATE_LIMIT_MAX: '1000000' } });
  const db = t.database.db;
  const demo = await seedDemo(db);
  auth = (await authHeader(t, [...ROLES])).headers;
  const make = factories(db);
  const hours = await make.hours();
  const queue = await make.queue({ businessHoursId: hours.id, maxPendingPerNumber: 20, genesysQueueId: 'gq-fuzz' });
  const post = async (url: string, payload: object) => {
    const res = await t.app.inject({ method: 'POST', url, headers: auth, payload });
    if (res.statusCode >= 300) throw new Error(`seeding ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, string>;
  };
  const callbacks: string[] = [];
  for (const [i, desiredTime] of ['2030-03-05T10:00', '2030-03-06T11:00', '2030-03-07T14:30', undefined].entries()) {
    const answer = await post('/actions/v1/callbacks/create', { queue: queue.name, phoneNumber: `+1202456${7100 + i}`, ...(desiredTime && { desiredTime }) });
    callbacks.push(answer.callbackId!);
  }
  await sql`update callbacks set state = 'COMPLETED', completion_reason = 'HANDLED', completed_at = now() where id = ${callbacks[3]!}`.execute(db);
  const policy = await post('/admin/v1/prioritization-policies', { name: 'fuzz aging', mode: 'step', intervalSeconds: 60, maxSteps: 3, maxPriority: 10 });
  const retry = await post('/admin/v1/retry-policies', { name: 'fuzz retry', match: 'ININ-OUTBOUND-PREVIEW-SKIPPED', waitSeconds: 60, maxAttempts: 2 });
  const campaign = await post('/admin/v1/campaigns', { name: 'fuzz campaign', contactListId: 'list-1', phoneColumn: 'Phone', businessHoursId: hours.id });
  await post('/events/v1/conversation-acd-start', { conversationId: 'conv-fuzz-1', participantId: 'p1', mediaType: 'CALLBACK', queueId: 'gq-fuzz', eventTime: clock.now().getTime() });
  await post('/events/v1/preview-accepted', { conversationId: 'conv-fuzz-2', phoneNumber: '+12024567200', contactId: 'contact-1', contactListId: 'list-1', campaignId: 'camp-1', eventTime: clock.now().getTime() }).catch(() => undefined);
  const preview = await db.selectFrom('preview_contacts').select('id').execute();
  const other = await makeClient(t, ['monitor']);
  const rows = async (table: 'queues' | 'business_hours' | 'capacity_rules' | 'number_rules') => (await db.selectFrom(table).select('id').execute()).map((r) => r.id);
  Object.assign(ids, {
    queues: await rows('queues'),
    'business-hours': await rows('business_hours'),
    'capacity-rules': await rows('capacity_rules'),
    'number-rules': await rows('number_rules'),
    callbacks,
    'prioritization-policies': [policy.id],
    'retry-policies': [retry.id],
    campaigns: [campaign.id],
    'preview-contacts': preview.map((p) => p.id),
    // Never the fuzzing client itself: rotating or deleting it would end the run in 401s.
    clients: [other.clientId],
  });
  Object.assign(known, {
    queue: [demo.queue!.name, queue.name],
    queueId: [demo.queue!.id, queue.id, 'gq-fuzz'],
    phoneNumber: ['+12025550143', '+12024567100', '(202) 456-7101', 'tel:+12024567102'],
    callbackId: callbacks,
    conversationId: ['conv-fuzz-1', 'conv-fuzz-2', 'conv-fuzz-3'],
    participantId: ['p1', 'p2'],
    desiredTime: ['2030-03-05T10:00', '2030-03-05T16:00:00Z', '2030-03-08T09:15'],
    start: ['2030-03-05T09:00', '2030-03-04T15:00:00Z'],
    end: ['2030-03-06T09:00'],
    at: ['2030-03-04T15:00:00Z', '2030-03-09T10:00'],
    timezone: ['America/New_York', 'Europe/Berlin', 'UTC'],
    campaign: ['fuzz campaign'],
    rule: ['Demo numbers'],
    roles: [['monitor'], ['actions', 'events']],
    weekly: [WEEKDAYS_9_TO_5],
    permittedCountries: [['US'], ['US', 'CA']],
    grant_type: ['client_credentials'],
    client_id: [other.clientId],
    client_secret: [other.clientSecret],
    eventTime: [clock.now().getTime(), '2030-03-04T15:00:00Z'],
    mediaType: ['CALLBACK'],
  });
}, 120_000);
afterAll(async () => t?.close());

it(
  `answers every operation in the OpenAPI document without a 5xx, and every 4xx in the error shape (${TOTAL_RUNS} hostile requests)`,
  async () => {
    const doc = t.app.swagger() as unknown as Parameters<typeof operations>[0];
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(70);
    const perOp = Math.max(1, Math.ceil(TOTAL_RUNS / ops.length));
    let requests = 0;
    let fiveHundreds = 0;
    const statuses: Record<string, number> = {};
    const failures = new Map<string, { count: number; sample: string }>();
    const timing: [string, number][] = [];
    for (const [i, op] of ops.entries()) {
      const started = performance.now();
      const plans = fc.sample(planFor(op, ops), { numRuns: perOp, seed: SEED + i });
      for (const plan of plans) {
        const res = await t.app.inject({
          method: plan.method as 'GET',
          url: plan.url,
          headers: { ...auth, ...(plan.contentType !== null && { 'content-type': plan.contentType }) },
          ...(plan.payload !== undefined && { payload: plan.payload }),
        });
        requests++;
        statuses[`${res.statusCode}`] = (statuses[`${res.statusCode}`] ?? 0) + 1;
        if (res.statusCode >= 500) fiveHundreds++;
        const why = broken(op, res.statusCode, res.body);
        if (!why) continue;
        const key = `${op.method} ${op.path} [${plan.tags.join(',')}] → ${why}`;
        const entry = failures.get(key) ?? { count: 0, sample: `${plan.method} ${plan.url.slice(0, 200)} ${plan.contentType ?? ''} ${(plan.payload ?? '').slice(0, 300)} => ${res.body.slice(0, 300)}` };
        entry.count++;
        failures.set(key, entry);
      }
      timing.push([`${op.method} ${op.path}`, performance.now() - started]);
    }
    if (process.env.FUZZ_TIMING) console.log(timing.sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, ms]) => `${Math.round(ms)} ms ${k}`).join('\n'));
    console.log(`fuzz: ${requests} requests over ${ops.length} operations (seed ${SEED}), ${fiveHundreds} answered 5xx; statuses ${JSON.stringify(statuses)}`);
    const report = [...failures].map(([k, v]) => `${v.count} × ${k}\n    e.g. ${v.sample}`).join('\n');
    expect(failures.size, `broken promises:\n${report}`).toBe(0);
  },
  600_000,
);
