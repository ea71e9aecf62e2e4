import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import hclParser from 'hcl2-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { OPENAPI_DIR } from '../src/docs/generate.js';
import { actionRoutes, DEFAULT_BASE_URL, genesysFiles, GenesysContractError, type OpenApiPaths } from '../src/docs/genesys/index.js';
import { buildTestApp, authHeader, makeClient, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { javaJsonString, minimalJsonString, resolveResponse, schemaProblems, velocity, type Escaper, type ResponseConfig } from './helpers/genesys-runtime.js';
import { genesysFixture } from './helpers/fixtures.js';

/**
 * The committed Genesys artifacts (openapi/genesys/) run the way Genesys runs them — Velocity,
 * JSONPath, success template — against the real service, with the token their own Custom Auth
 * action obtains. `test/generated.test.ts` proves they are what the generator writes today.
 */

type Json = Record<string, unknown>;
interface ActionExport {
  name: string;
  integrationType: string;
  actionType: string;
  config: {
    request: { requestUrlTemplate: string; requestType: string; headers: Record<string, string>; requestTemplate: string };
    response: ResponseConfig;
    timeoutSeconds: number;
  };
  contract: { input: { inputSchema: Json }; output: { successSchema: Json } };
  secure: boolean;
}
type InputValue = string | number | boolean | undefined;
type Inputs = Record<string, InputValue>;

const GENESYS_DIR = path.join(OPENAPI_DIR, 'genesys');
const read = (rel: string) => readFileSync(path.join(GENESYS_DIR, rel), 'utf8');
const ACTIONS = readdirSync(path.join(GENESYS_DIR, 'actions'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f.slice(0, -'.json'.length), def: JSON.parse(read(`actions/${f}`)) as ActionExport }));
const AUTH = JSON.parse(read('auth/custom-auth-action.json')) as { request: ActionExport['config']['request']; response: ResponseConfig };
const acdStartEvent = genesysFixture('acd-start-callback.json') as Json;

const ACTION_PREFIX = 'Callback Engine - ';
const propertiesOf = (def: ActionExport) => (def.contract.input.inputSchema.properties ?? {}) as Record<string, { type: string }>;

// Monday 2030-03-04 10:00 in New York: the queue's hours (weekdays 9–17) are open.
const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
// Names a flow could well pass along, with everything JSON and Velocity are touchy about.
const QUEUE = 'Sales "East" \\ Zoë 😀';
const CAMPAIGN = 'Auto "callbacks" ü';
const CALL_IN_GROUP = 'Call-in "East" ü';
const DNIS = '+18005550100';
let t: TestApp;
let authResponse: { access_token: string; token_type: string; expires_in: number };

/** Inputs that should get a 200 from each endpoint. An action without one must get its 200 from the schema-derived inputs. */
const FIXTURES: Record<string, () => Inputs> = {
  availability: () => ({ queue: QUEUE, maxSlots: 3, timezone: 'America/New_York' }),
  'open-for': () => ({ queue: QUEUE }),
  'queue-status': () => ({ queue: QUEUE }),
  offers: () => ({ queue: QUEUE, conversationId: `conv "${randomUUID()}" \\ 😀`, offered: 'BOTH', result: 'NO_INPUT' }),
  'numbers-check': () => ({ queue: QUEUE, phoneNumber: '+1 (202) 456-1111' }),
  'callbacks-create': () => ({
    queue: QUEUE,
    phoneNumber: 'tel:+12024561112',
    customerName: 'Zoë "Z" O\'Brien \\ 😀\nsecond line',
    idempotencyKey: `key "${randomUUID()}"`,
    userData: JSON.stringify({ note: 'a "quoted" \\ value', emoji: '🎉' }),
    priority: 5,
    acceptNearest: true,
  }),
  'callbacks-lookup': () => ({ queue: QUEUE, phoneNumber: '+12024561112' }),
  'callbacks-cancel': () => ({ queue: QUEUE, phoneNumber: '+12024561113' }),
  'callbacks-reschedule': () => ({ callbackId: randomUUID(), desiredTime: '2030-03-05T14:15:00Z', timezone: 'America/New_York' }),
  'campaign-callbacks': () => ({ campaign: CAMPAIGN, phoneNumber: '+12024561114', fullName: 'Ada "Countess" Lovelace', delaySeconds: 60, priority: true }),
  'campaign-callbacks-cancel': () => ({ campaign: CAMPAIGN, phoneNumber: '+12024561114' }),
  'call-in-requests': () => ({ group: CALL_IN_GROUP, fromPhoneNumber: '+12024561116', userData: JSON.stringify({ note: 'a "quoted" \\ value', emoji: '🎉' }) }),
  'call-in-match': () => ({ dialedNumber: DNIS, callerNumber: 'tel:+12024561116', accessCode: '123456' }),
  'conversation-acd-start': () => ({ jsonData: JSON.stringify({ ...acdStartEvent, conversationId: randomUUID(), callbackUserName: 'Zoë "Z" \\ 😀' }) }),
  'conversation-acd-end': () => ({ conversationId: randomUUID(), participantId: randomUUID(), eventTime: 1769706000000, acdOutcome: 'ANSWERED', queueId: randomUUID() }),
  'conversation-user-start': () => ({ conversationId: randomUUID(), participantId: randomUUID(), eventTime: 1769706900000, mediaType: 'CALLBACK', userId: randomUUID(), callbackUserName: 'Zoë "Z" \\ 😀' }),
  'conversation-wrapup': () => ({ conversationId: randomUUID(), participantId: randomUUID(), eventTime: 1769706900000, mediaType: 'CALLBACK', wrapupCode: randomUUID(), wrapupNotes: 'Zoë "Z" \\ 😀' }),
  'conversation-user-end': () => ({
    conversationId: randomUUID(),
    participantId: randomUUID(),
    eventTime: 1769706784067,
    disconnectType: 'CLIENT',
    mediaType: 'CALLBACK',
    provider: 'PureCloud Callback',
    direction: 'OUTBOUND',
    callbackNumber: '+15555551234',
  }),
  'preview-accepted': () => ({ conversationId: randomUUID(), eventTime: 1769706000000, phoneNumber: '+12024561115', contactId: 'c "1"', contactListId: 'list-1', campaignId: 'camp-1' }),
};

/** Inputs from the contract alone: required ones, plausibly typed. */
function derivedInputs(def: ActionExport): Inputs {
  const required = (def.contract.input.inputSchema.required ?? []) as string[];
  const plausible = { string: 'x', integer: 1, number: 1, boolean: true } as Record<string, InputValue>;
  return Object.fromEntries(required.map((k) => [k, plausible[propertiesOf(def)[k]!.type]]));
}

const NASTY_STRINGS = [
  'He said "hi" \\ and \\" left',
  'line 1\nline 2\r\n\ttabbed',
  'Zoë Ünïcødé 中文 \u2028\u2029 ½',
  'emoji 😀👍🏽🇫🇷',
  '$input.queue ${input.queue} $!{esc} #if(true)x#end #set($sep = "") ##comment',
  '{"a": [1, 2]}, "injected": true, "x": "',
  'control \u0001\u001f\u007f and NUL \u0000',
  'lone surrogate \ud800 here',
  ' ',
  'x'.repeat(3000),
];
const NASTY_INTEGERS = [0, -1, 2147483647, -2147483648, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
const NASTY_NUMBERS = [0, -0.5, 1.5e-300, 1.7976931348623157e308, 1e21, -1e21];

/** Adversarial input sets: nothing, all empty, and rounds of nasty values in every input. */
function adversarialInputs(def: ActionExport): Inputs[] {
  const props = Object.entries(propertiesOf(def));
  const sets: Inputs[] = [{}, Object.fromEntries(props.filter(([, s]) => s.type === 'string').map(([k]) => [k, '']))];
  for (let round = 0; round < NASTY_STRINGS.length; round++) {
    sets.push(
      Object.fromEntries(
        props.map(([k, s], i) => {
          const n = round + i;
          if (s.type === 'string') return [k, NASTY_STRINGS[n % NASTY_STRINGS.length]];
          if (s.type === 'integer') return [k, NASTY_INTEGERS[n % NASTY_INTEGERS.length]];
          if (s.type === 'number') return [k, NASTY_NUMBERS[n % NASTY_NUMBERS.length]];
          return [k, n % 2 === 0];
        }),
      ),
    );
  }
  return sets;
}

/** The body Genesys would send: the rendered request template, which must be JSON holding exactly the non-empty inputs. */
function renderBody(def: ActionExport, inputs: Inputs, esc: Escaper): string {
  const input = Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined));
  const body = velocity(def.config.request.requestTemplate, { input }, esc);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error(`${def.name}: the request template rendered invalid JSON for ${JSON.stringify(inputs)}:\n${body}`);
  }
  const expected = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== ''));
  expect(parsed, `${def.name} ${JSON.stringify(inputs)}`).toEqual(expected);
  return body;
}

/** Sends it as Genesys would and checks the service took it as JSON; returns the answer. */
async function call(def: ActionExport, body: string) {
  const url = velocity(def.config.request.requestUrlTemplate, {});
  expect(url.startsWith(`${DEFAULT_BASE_URL}/`)).toBe(true);
  const headers = Object.fromEntries(Object.entries(def.config.request.headers).map(([k, v]) => [k.toLowerCase(), velocity(v, { authResponse })]));
  const res = await t.app.inject({ method: 'POST', url: url.slice(DEFAULT_BASE_URL.length), headers, payload: body });
  const answer = res.json() as Json;
  const what = `${def.name} → ${res.statusCode} ${res.body.slice(0, 300)}\nsent: ${body.slice(0, 500)}`;
  expect(res.statusCode, what).toBeLessThan(500);
  expect([200, 400, 403, 404], what).toContain(res.statusCode);
  if (res.statusCode === 400) {
    expect(answer.error, what).not.toBe('INVALID_JSON');
    expect(answer.field, what).toEqual(expect.any(String));
  }
  return { status: res.statusCode, answer };
}

/** The answer through the translation map and success template: valid against the success contract, every output present and faithful. */
function checkResolved(def: ActionExport, answer: Json): void {
  const resolved = resolveResponse(def.config.response, answer) as Json;
  const schema = def.contract.output.successSchema;
  expect(schemaProblems(schema, resolved), def.name).toEqual([]);
  const outputs = Object.keys((schema.properties ?? {}) as Json);
  expect(Object.keys(resolved).sort(), def.name).toEqual([...outputs].sort());
  for (const key of outputs) expect(resolved[key], `${def.name}.${key}`).toEqual(answer[key]);
}

beforeAll(async () => {
  t = await buildTestApp({ clock });
  const make = factories(t.database.db);
  const hours = await make.hours();
  const queue = await make.queue({ name: QUEUE, businessHoursId: hours.id });
  const group = await t.database.db.insertInto('call_in_groups').values({ name: CALL_IN_GROUP, queue_id: queue.id, created_by: 'test' }).returning('id').executeTakeFirstOrThrow();
  await t.database.db.insertInto('call_in_dnis').values({ group_id: group.id, number: DNIS, description: null }).execute();
  const admin = (await authHeader(t, ['administrator'])).headers;
  const campaign = await t.app.inject({
    method: 'POST',
    url: '/admin/v1/campaigns',
    headers: admin,
    payload: { name: CAMPAIGN, contactListId: 'list-1', phoneColumn: 'PhoneNumber', nameColumn: 'FullName', maxDelaySeconds: 3600 },
  });
  expect(campaign.statusCode, campaign.body).toBe(201);

  // Log in exactly as Genesys does, with the generated Custom Auth action and a User Defined (OAuth) credential.
  const client = await makeClient(t, ['actions', 'events']);
  const credentials = { clientId: client.clientId, clientSecret: client.clientSecret, loginUrl: `${DEFAULT_BASE_URL}/oauth/token` };
  const loginUrl = velocity(AUTH.request.requestUrlTemplate, { credentials });
  const headers = Object.fromEntries(Object.entries(AUTH.request.headers).map(([k, v]) => [k.toLowerCase(), velocity(v, { credentials })]));
  const login = await t.app.inject({
    method: AUTH.request.requestType as 'POST',
    url: loginUrl.slice(DEFAULT_BASE_URL.length),
    headers,
    payload: velocity(AUTH.request.requestTemplate, { credentials }),
  });
  expect(login.statusCode, login.body).toBe(200);
  authResponse = resolveResponse(AUTH.response, login.json()) as typeof authResponse;
});
afterAll(async () => t?.close());

describe('Genesys data-action exports', () => {
  it('exist for every /actions/v1 and /events/v1 endpoint, in the import format', async () => {
    const doc = t.app.swagger() as unknown as OpenApiPaths;
    const endpoints = Object.keys(doc.paths).filter((p) => /^\/(actions|events)\/v1\//.test(p));
    expect(endpoints.length).toBeGreaterThanOrEqual(12);
    const urls = ACTIONS.map((a) => a.def.config.request.requestUrlTemplate.slice(DEFAULT_BASE_URL.length));
    expect(urls.sort()).toEqual(endpoints.sort());
    for (const { name, def } of ACTIONS) {
      expect(Object.keys(def), name).toEqual(['name', 'integrationType', 'actionType', 'config', 'contract', 'secure']);
      expect(def).toMatchObject({ integrationType: 'custom-rest-actions', actionType: 'custom', secure: false });
      expect(def.name.endsWith(name)).toBe(true);
      expect(def.config.request.requestType).toBe('POST');
      expect(def.config.request.headers).toEqual({ 'Content-Type': 'application/json', Authorization: 'Bearer ${authResponse.access_token}' });
      expect(def.config.timeoutSeconds).toBeGreaterThanOrEqual(1);
      expect(def.config.timeoutSeconds).toBeLessThanOrEqual(60);
      expect(def.contract.input.inputSchema.description, name).toContain('Do not edit by hand');
    }
    // The whole folder is generated: nothing in it that the generator does not write.
    const onDisk = readdirSync(GENESYS_DIR, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(OPENAPI_DIR, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    expect(onDisk.sort()).toEqual(Object.keys(genesysFiles(doc)).sort());
  });

  it('the Custom Auth action logs in with Basic client credentials and exposes access_token, token_type, expires_in', () => {
    expect(AUTH.request).toEqual({
      requestUrlTemplate: '${credentials.loginUrl}',
      requestType: 'POST',
      headers: { Authorization: 'Basic $encoding.base64("${credentials.clientId}:${credentials.clientSecret}")', 'Content-Type': 'application/x-www-form-urlencoded' },
      requestTemplate: 'grant_type=client_credentials',
    });
    expect(authResponse).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number) });
  });

  it('contracts are ones Genesys accepts: flat inputs with legal, unreserved names; outputs without nested arrays or $ref', () => {
    const LEGAL = /^[a-zA-Z][a-zA-Z0-9_]*$/;
    for (const { name, def } of ACTIONS) {
      const { inputSchema } = def.contract.input;
      const { successSchema } = def.contract.output;
      expect(JSON.stringify(def.contract), name).not.toContain('"$ref"');
      expect(inputSchema.type).toBe('object');
      const props = propertiesOf(def);
      for (const [key, s] of Object.entries(props)) {
        expect(key, name).toMatch(LEGAL);
        expect(['orgId', 'integrationId', 'rawRequest'], `${name}.${key}`).not.toContain(key);
        expect(['string', 'integer', 'number', 'boolean'], `${name}.${key}`).toContain(s.type);
        expect(Object.keys(s).filter((k) => k !== 'type' && k !== 'description'), `${name}.${key}`).toEqual([]);
      }
      const required = inputSchema.required as string[] | undefined;
      if (required !== undefined) {
        expect(required.length, `${name}: draft-04 forbids an empty required`).toBeGreaterThan(0);
        for (const r of required) expect(props, `${name} requires ${r}`).toHaveProperty(r);
      }
      const walk = (s: Json, at: string, inArray: boolean): void => {
        if (s.type === 'array') {
          expect(inArray, `${name}: nested array at ${at}`).toBe(false);
          expect(['string', 'integer', 'number', 'boolean'], `${name}: items of ${at}`).toContain((s.items as Json).type);
        } else if (s.type === 'object') {
          for (const [k, child] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
            expect(k, name).toMatch(LEGAL);
            walk(child, `${at}.${k}`, inArray);
          }
        } else expect(['string', 'integer', 'number', 'boolean'], `${name}: ${at}`).toContain(s.type);
      };
      expect(successSchema.type).toBe('object');
      walk(successSchema, '$', false);
      // Every output is mapped and returned.
      const outputs = Object.keys(successSchema.properties as Json).sort();
      expect(Object.keys(def.config.response.translationMap).sort(), name).toEqual(outputs);
      expect(Object.keys(def.config.response.translationMapDefaults).sort(), name).toEqual(outputs);
    }
  });

  it('event contracts list the documented event fields plus jsonData', () => {
    const events = ACTIONS.filter((a) => a.def.config.request.requestUrlTemplate.includes('/events/v1/'));
    expect(events.length).toBeGreaterThanOrEqual(4);
    for (const { name, def } of events) {
      expect(Object.keys(propertiesOf(def)), name).toEqual(expect.arrayContaining(['conversationId', 'participantId', 'sessionId', 'eventTime', 'jsonData']));
    }
    const acdStart = ACTIONS.find((a) => a.name === 'conversation-acd-start')!;
    expect(Object.keys(propertiesOf(acdStart.def))).toEqual(expect.arrayContaining(['mediaType', 'queueId', 'routingPriority', 'callbackScheduledTime']));
    const userEnd = ACTIONS.find((a) => a.name === 'conversation-user-end')!;
    expect(Object.keys(propertiesOf(userEnd.def))).toEqual(expect.arrayContaining(['disconnectType', 'mediaType', 'provider', 'direction', 'callbackNumber', 'queueId', 'userId']));
  });

  describe.each(ACTIONS.map((a) => [a.name, a.def] as const))('%s', (name, def) => {
    it('renders valid JSON for adversarial inputs (both escapers) that the service accepts as JSON', async () => {
      for (const esc of [javaJsonString, minimalJsonString]) {
        for (const inputs of adversarialInputs(def)) {
          const { status, answer } = await call(def, renderBody(def, inputs, esc));
          if (status === 200) checkResolved(def, answer);
        }
      }
    });

    it('answers 200 to real inputs, with each string replaced by hostile text, and the answer resolves to its success contract', async () => {
      const base = (FIXTURES[name] ?? (() => derivedInputs(def)))();
      const first = await call(def, renderBody(def, base, javaJsonString));
      expect(first.status, `${name}: no 200 from ${JSON.stringify(base)} — add inputs for it to FIXTURES`).toBe(200);
      checkResolved(def, first.answer);
      const strings = Object.entries(propertiesOf(def)).filter(([, s]) => s.type === 'string').map(([k]) => k);
      for (const key of strings) {
        for (const nasty of NASTY_STRINGS.slice(0, 5)) {
          const { status, answer } = await call(def, renderBody(def, { ...(FIXTURES[name] ?? (() => base))(), [key]: nasty }, javaJsonString));
          if (status === 200) checkResolved(def, answer);
        }
      }
    });
  });
});

describe('the generator refuses schemas Genesys would reject', () => {
  const ok = { type: 'object', properties: { outcome: { type: 'string' } } };
  const route = (body: Json, answer: Json = ok) => ({
    post: {
      summary: 'test',
      requestBody: { content: { 'application/json': { schema: body } } },
      responses: { 200: { content: { 'application/json': { schema: answer } } } },
    },
  });
  const problems = (paths: OpenApiPaths['paths']) => {
    try {
      actionRoutes({ paths });
    } catch (err) {
      expect(err).toBeInstanceOf(GenesysContractError);
      return (err as GenesysContractError).problems.join('\n');
    }
    throw new Error('the generator accepted it');
  };

  it('non-flat inputs, illegal and reserved names, $ref', () => {
    const text = problems({
      '/actions/v1/bad': route({
        type: 'object',
        properties: {
          nested: { type: 'object', properties: { a: { type: 'string' } } },
          list: { type: 'array', items: { type: 'string' } },
          'my-field': { type: 'string' },
          orgId: { type: 'string' },
          rawRequest: { type: 'string' },
          shared: { $ref: '#/components/schemas/Shared' },
          either: { anyOf: [{ type: 'string' }, { type: 'object' }] },
        },
      }),
    });
    for (const part of ['"nested"', '"list"', '"my-field"', '"orgId"', '"rawRequest"', '"shared": $ref', '"either"']) expect(text).toContain(part);
  });

  it('nested arrays, arrays of objects, $ref and unions in outputs; non-object answers; GET endpoints', () => {
    const text = problems({
      '/actions/v1/bad-out': route(
        { type: 'object', properties: {} },
        {
          type: 'object',
          properties: {
            grid: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
            rows: { type: 'array', items: { type: 'object', properties: {} } },
            ref: { $ref: '#/components/schemas/X' },
            either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
            rawResult: { type: 'string' },
          },
        },
      ),
      '/actions/v1/list': route({ type: 'object', properties: {} }, { type: 'array', items: { type: 'string' } }),
      '/events/v1/get-me': { get: { summary: 'no' } },
    });
    for (const part of ['"grid": nested arrays', '"rows": arrays must hold', '"ref": $ref', '"either": unions', '"rawResult"', 'list: the 200 answer must be a JSON object', 'GET /events/v1/get-me']) {
      expect(text).toContain(part);
    }
  });

  it('accepts the real routes, and writes exports for another base URL only when it is a plain URL', () => {
    const doc = t.app.swagger() as unknown as OpenApiPaths;
    const files = genesysFiles(doc, { baseUrl: 'https://cb.acme.test/' });
    const create = JSON.parse(files['genesys/actions/callbacks-create.json']!) as ActionExport;
    expect(create.config.request.requestUrlTemplate).toBe('https://cb.acme.test/actions/v1/callbacks/create');
    expect(() => genesysFiles(doc, { baseUrl: 'https://cb.acme.test/${input.x}' })).toThrow(/base URL/);
  });
});

describe('Terraform module', () => {
  const TF_DIR = path.join(GENESYS_DIR, 'terraform');
  const tfFiles = readdirSync(TF_DIR).filter((f) => f.endsWith('.tf'));
  const source = (f: string) => readFileSync(path.join(TF_DIR, f), 'utf8');
  const parse = (text: string): Json => {
    const [result] = hclParser.parseToObject(text) as [Json | null, unknown];
    if (!result) throw new Error(`not valid HCL:\n${text.slice(0, 500)}`);
    return result;
  };
  const modules = Object.fromEntries(tfFiles.map((f) => [f, parse(source(f))]));
  type Block = Record<string, Json[]>;
  const resources = (type: string): Record<string, Json> =>
    Object.fromEntries(
      Object.values(modules).flatMap((m) => Object.entries(((m.resource as Record<string, Block> | undefined)?.[type] ?? {}) as Block).map(([label, [body]]) => [label, body!])),
    );
  /** The literal inside `jsonencode(...)`, read back as JSON by parsing it as an HCL value. */
  const jsonencoded = (expr: unknown): unknown => {
    const text = String(expr);
    expect(text.startsWith('${jsonencode(') && text.endsWith(')}')).toBe(true);
    return parse(`v = ${text.slice('${jsonencode('.length, -2)}\n`).v;
  };

  it('is syntactically valid HCL, marked generated, with versions, variables, outputs and a README', () => {
    expect(tfFiles.sort()).toEqual(expect.arrayContaining(['main.tf', 'outputs.tf', 'variables.tf', 'versions.tf']));
    for (const f of tfFiles) expect(source(f).startsWith('# Generated by `npm run generate`'), f).toBe(true);
    expect(readFileSync(path.join(TF_DIR, 'README.md'), 'utf8')).toContain('Generated by');
    const versions = (modules['versions.tf']!.terraform as Json[])[0] as { required_providers: { genesyscloud: { source: string } }[] };
    expect(versions.required_providers[0]!.genesyscloud.source).toBe('mypurecloud/genesyscloud');
    const variables = Object.keys(modules['variables.tf']!.variable as Json);
    expect(variables).toEqual(
      expect.arrayContaining(['base_url', 'client_id', 'client_secret', 'acd_start_workflow_id', 'acd_end_workflow_id', 'user_end_workflow_id', 'preview_accepted_workflow_id', 'user_end_data_format']),
    );
  });

  it('references only declared variables, locals and resources, and only generated actions', () => {
    const all = tfFiles.map(source).join('\n');
    const variables = new Set(Object.values(modules).flatMap((m) => Object.keys((m.variable ?? {}) as Json)));
    for (const [, v] of all.matchAll(/\bvar\.([a-z_0-9]+)/g)) expect(variables, `var.${v}`).toContain(v);
    const locals = new Set(Object.values(modules).flatMap((m) => ((m.locals as Json[] | undefined) ?? []).flatMap((l) => Object.keys(l))));
    for (const [, l] of all.matchAll(/\blocal\.([a-z_0-9]+)/g)) expect(locals, `local.${l}`).toContain(l);
    const declared = new Set(Object.values(modules).flatMap((m) => Object.entries((m.resource ?? {}) as Record<string, Json>).flatMap(([type, byLabel]) => Object.keys(byLabel).map((l) => `${type}.${l}`))));
    const data = new Set(Object.values(modules).flatMap((m) => Object.entries((m.data ?? {}) as Record<string, Json>).flatMap(([type, byLabel]) => Object.keys(byLabel).map((l) => `data.${type}.${l}`))));
    for (const [ref] of all.matchAll(/(?:\bdata\.)?\bgenesyscloud_[a-z_]+\.[a-z_0-9]+/g)) expect(ref.startsWith('data.') ? data : declared, ref).toContain(ref);
    expect([...new Set([...declared].map((d) => d.split('.')[0]))].sort()).toEqual(
      ['genesyscloud_flow', 'genesyscloud_integration', 'genesyscloud_integration_action', 'genesyscloud_integration_credential', 'genesyscloud_integration_custom_auth_action', 'genesyscloud_processautomation_trigger',
        // access.tf and outbound.tf (test/genesys-access.test.ts)
        'genesyscloud_auth_role', 'genesyscloud_oauth_client', 'genesyscloud_outbound_contact_list', 'genesyscloud_outbound_campaign', 'genesyscloud_outbound_callanalysisresponseset'].sort(),
    );
    // every output names what exists
    const outputs0 = Object.values(modules).flatMap((m) => Object.keys((m.output ?? {}) as Json));
    expect(outputs0).toEqual(expect.arrayContaining(['integration_id', 'credential_id', 'action_ids', 'trigger_ids', 'workflow_ids', 'example_flow_ids']));
    const actionLabels = Object.keys(resources('genesyscloud_integration_action')).sort();
    expect(actionLabels).toEqual(ACTIONS.map((a) => a.name.replaceAll('-', '_')).sort());
    const outputs = modules['outputs.tf']!.output as Record<string, [{ value: Record<string, string> }]>;
    expect(Object.keys(outputs.action_ids![0].value).sort()).toEqual(ACTIONS.map((a) => a.name).sort());
  });

  it('each action has the same contract and templates as its JSON export, on the base_url variable', () => {
    const tf = resources('genesyscloud_integration_action');
    for (const { name, def } of ACTIONS) {
      const r = tf[name.replaceAll('-', '_')] as Record<string, unknown> & { config_request: Json[]; config_response: Json[] };
      expect(r.integration_id).toBe('${genesyscloud_integration.callback_engine.id}');
      expect(r.secure).toBe(false);
      expect(jsonencoded(r.contract_input), name).toEqual(def.contract.input.inputSchema);
      expect(jsonencoded(r.contract_output), name).toEqual(def.contract.output.successSchema);
      const request = r.config_request[0]!;
      // hcl2json reads `$${` back as `${`: what Terraform sends Genesys.
      expect(request.request_template, name).toBe(def.config.request.requestTemplate);
      expect(request.request_url_template).toBe(def.config.request.requestUrlTemplate.replace(DEFAULT_BASE_URL, '${local.base_url}'));
      expect(request.request_type).toBe('POST');
      expect(request.headers).toEqual(def.config.request.headers);
      const response = r.config_response[0]!;
      expect(response.translation_map).toEqual(def.config.response.translationMap);
      expect(response.translation_map_defaults).toEqual(def.config.response.translationMapDefaults);
      expect(response.success_template).toBe(def.config.response.successTemplate);
    }
  });

  it('wires the OAuth credential, the Custom Auth action and the triggers of seed 004', () => {
    const credential = resources('genesyscloud_integration_credential').callback_engine as { credential_type_name: string; fields: Json };
    expect(credential.credential_type_name).toBe('userDefinedOAuth');
    expect(credential.fields).toEqual({ clientId: '${var.client_id}', clientSecret: '${var.client_secret}', loginUrl: '${local.base_url}/oauth/token' });
    const integration = resources('genesyscloud_integration').callback_engine as { integration_type: string; config: { credentials: Json }[] };
    expect(integration.integration_type).toBe('custom-rest-actions');
    expect(integration.config[0]!.credentials).toEqual({ basicAuth: '${genesyscloud_integration_credential.callback_engine.id}' });
    const auth = resources('genesyscloud_integration_custom_auth_action').callback_engine as { config_request: Json[]; config_response: Json[] };
    expect(auth.config_request[0]).toEqual({
      request_url_template: AUTH.request.requestUrlTemplate,
      request_type: 'POST',
      request_template: AUTH.request.requestTemplate,
      headers: AUTH.request.headers,
    });
    expect(auth.config_response[0]).toEqual({ translation_map: AUTH.response.translationMap, success_template: AUTH.response.successTemplate });

    const triggers = resources('genesyscloud_processautomation_trigger') as Record<string, { topic_name: string; match_criteria: string; target: { id: string; type: string }[] }>;
    const criteria = (label: string) => jsonencoded(triggers[label]!.match_criteria);
    expect(triggers.acd_start!.topic_name).toBe('v2.detail.events.conversation.{id}.acd.start');
    expect(criteria('acd_start')).toEqual([{ jsonPath: 'mediaType', operator: 'Equal', value: 'CALLBACK' }]);
    expect(triggers.acd_end!.topic_name).toBe('v2.detail.events.conversation.{id}.acd.end');
    expect(triggers.user_end!.topic_name).toBe('v2.detail.events.conversation.{id}.user.end');
    expect(criteria('user_end')).toEqual([
      { jsonPath: 'disconnectType', operator: 'Equal', value: 'CLIENT' },
      { jsonPath: 'mediaType', operator: 'Equal', value: 'CALLBACK' },
      { jsonPath: 'provider', operator: 'Equal', value: 'PureCloud Callback' },
      { jsonPath: 'direction', operator: 'Equal', value: 'OUTBOUND' },
    ]);
    expect(triggers.preview_accepted!.topic_name).toBe('v2.detail.events.conversation.{id}.outbound');
    // By default each trigger starts its generated workflow; its *_workflow_id overrides it.
    const flows = resources('genesyscloud_flow');
    for (const [label, trigger] of Object.entries(triggers)) {
      expect(trigger.target[0], label).toMatchObject({
        id: `\${var.${label}_workflow_id != null ? var.${label}_workflow_id : genesyscloud_flow.forward_${label}[0].id}`,
        type: 'Workflow',
      });
      expect(flows, label).toHaveProperty(`forward_${label}`);
      expect((flows[`forward_${label}`] as Json).count).toBe(`\${var.${label}_workflow_id == null ? 1 : 0}`);
      expect((trigger as unknown as { target: { workflow_target_settings: Json[] }[] }).target[0]!.workflow_target_settings[0]!.data_format).toBe(`\${var.${label}_data_format}`);
    }
  });

  it('data formats: Json by default; user.end refuses TopLevelPrimitives (it needs callbackNumbers); the generated workflows need Json', () => {
    const variables = modules['variables.tf']!.variable as Record<string, [{ default: string; validation: { condition: string }[] }]>;
    const triggers = resources('genesyscloud_processautomation_trigger') as Record<string, { lifecycle: { precondition: { condition: string }[] }[] }>;
    // The conditions, evaluated for each value the way Terraform would (a tiny evaluator for these two shapes).
    const holds = (condition: string, vars: Record<string, string | null>) => {
      const expr = condition.replace(/^\$\{|\}$/g, '').replace(/var\.([a-z_]+)/g, (_, v: string) => JSON.stringify(vars[v] ?? null));
      const contains = (list: unknown[], v: unknown) => list.includes(v);
      return new Function('contains', `return (${expr});`)(contains) as boolean;
    };
    for (const label of Object.keys(triggers)) {
      const v = variables[`${label}_data_format`]![0];
      expect(v.default, label).toBe('Json');
      const accepts = (value: string) => holds(v.validation[0]!.condition, { [`${label}_data_format`]: value });
      expect(accepts('Json'), label).toBe(true);
      expect(accepts('Xml'), label).toBe(false);
      expect(accepts('TopLevelPrimitives'), label).toBe(label !== 'user_end');
      const pre = triggers[label]!.lifecycle[0]!.precondition[0]!.condition;
      expect(holds(pre, { [`${label}_workflow_id`]: null, [`${label}_data_format`]: 'TopLevelPrimitives' }), label).toBe(false);
      expect(holds(pre, { [`${label}_workflow_id`]: 'mine', [`${label}_data_format`]: 'TopLevelPrimitives' }), label).toBe(true);
      expect(holds(pre, { [`${label}_workflow_id`]: null, [`${label}_data_format`]: 'Json' }), label).toBe(true);
    }
    expect(variables).not.toHaveProperty('trigger_data_format');
  });
});

describe('Architect flows (openapi/genesys/flows, Archy YAML)', () => {
  const FLOWS_DIR = path.join(GENESYS_DIR, 'flows');
  const TF_DIR = path.join(GENESYS_DIR, 'terraform');
  const flowFiles = readdirSync(FLOWS_DIR).filter((f) => f.endsWith('.yaml')).sort();
  const hcl = (f: string): Json => hclParser.parseToObject(readFileSync(path.join(TF_DIR, f), 'utf8'))[0] as Json;
  const tfVariables = hcl('variables.tf').variable as Record<string, [{ default?: unknown }]>;
  const tfActions = (hcl('actions.tf').resource as Record<string, Record<string, [{ name: string }]>>).genesyscloud_integration_action!;
  const tfFlows = (hcl('flows.tf').resource as Record<string, Record<string, [{ filepath: string; substitutions: Record<string, string> }]>>).genesyscloud_flow!;
  const EXAMPLE_QUEUE = 'Support';

  /** A Terraform value of flows.tf, resolved with the module's defaults (what `terraform apply` passes by default). */
  const resolve = (value: string): string =>
    value
      .replace(/^\$\{genesyscloud_integration_action\.([a-z_0-9]+)\.name\}$/, (_, label: string) => resolve(tfActions[label]![0].name))
      .replace(/\$\{var\.([a-z_]+)\}/g, (_, v: string) => (v === 'example_queue_name' ? EXAMPLE_QUEUE : String(tfVariables[v]![0].default)));

  /** Each flow file as genesyscloud_flow hands it to Archy: substitutions applied, then parsed. */
  const deployed = Object.fromEntries(
    Object.values(tfFlows).map(([r]) => {
      const file = r.filepath.replace('${local.flows_dir}/', '');
      let text = readFileSync(path.join(FLOWS_DIR, file), 'utf8');
      const used = new Set([...text.matchAll(/\{\{([a-z_]+)\}\}/g)].map((m) => m[1]!));
      expect([...used].sort(), `${file}: substitutions used = substitutions given`).toEqual(Object.keys(r.substitutions).sort());
      for (const [k, v] of Object.entries(r.substitutions)) text = text.replaceAll(`{{${k}}}`, resolve(v));
      return [file, { text, doc: parseYaml(text, { version: '1.1' }) as Json }];
    }),
  );
  const nodes = (value: unknown, key: string): Json[] => {
    if (Array.isArray(value)) return value.flatMap((v) => nodes(v, key));
    if (value === null || typeof value !== 'object') return [];
    const own = Object.entries(value as Json).flatMap(([k, v]) => (k === key ? [v as Json] : []));
    return [...own, ...Object.values(value as Json).flatMap((v) => nodes(v, key))];
  };
  const exportByName = new Map(ACTIONS.map((a) => [a.def.name, a.def]));
  const integrationName = String(tfVariables.integration_name![0].default);

  it('every generated YAML file is deployed by a genesyscloud_flow, and parses once its substitutions are applied', () => {
    expect(flowFiles.length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(deployed).sort()).toEqual(flowFiles);
    for (const f of flowFiles) {
      expect(readFileSync(path.join(FLOWS_DIR, f), 'utf8').startsWith('# Generated by `npm run generate`'), f).toBe(true);
      expect(deployed[f]!.text, f).not.toContain('{{');
      expect(Object.keys(deployed[f]!.doc), f).toHaveLength(1);
      expect(['workflow', 'inqueueCall', 'inboundCall'], f).toContain(Object.keys(deployed[f]!.doc)[0]);
    }
    for (const [label, [r]] of Object.entries(tfFlows)) {
      expect((r as unknown as Json).file_content_hash, label).toBe(`\${filesha256("${r.filepath}")}`);
    }
  });

  it('every Call Data Action calls an exported action by its category and name, with inputs and outputs of its contract, and has its Success, Failure and Timeout paths considered', () => {
    for (const [file, { doc }] of Object.entries(deployed)) {
      const calls = nodes(doc, 'callData');
      expect(calls.length, file).toBeGreaterThan(0);
      for (const call of calls) {
        const category = call.category as Record<string, { dataAction: Record<string, { inputs: Json; successOutputs?: Json }> }>;
        expect(Object.keys(category), file).toEqual([integrationName]);
        const [[actionName, config]] = Object.entries(category[integrationName]!.dataAction) as [[string, { inputs: Json; successOutputs?: Json }]];
        const def = exportByName.get(actionName);
        expect(def, `${file}: "${actionName}" is not an exported action`).toBeDefined();
        const inputs = Object.keys(propertiesOf(def!));
        for (const k of Object.keys(config.inputs)) expect(inputs, `${file}: ${actionName} input ${k}`).toContain(k);
        for (const r of (def!.contract.input.inputSchema.required ?? []) as string[]) expect(Object.keys(config.inputs), `${file}: ${actionName} requires ${r}`).toContain(r);
        const outputs = Object.keys(def!.contract.output.successSchema.properties as Json);
        for (const k of Object.keys(config.successOutputs ?? {})) expect(outputs, `${file}: ${actionName} output ${k}`).toContain(k);
        const timeout = (call.timeout as { lit: { seconds: number } }).lit.seconds;
        expect(timeout, file).toBeGreaterThanOrEqual(def!.config.timeoutSeconds);
      }
    }
  });

  it('every variable an expression or output names is declared, with the type the action gives it', () => {
    for (const [file, { text, doc }] of Object.entries(deployed)) {
      const declared = new Map<string, string>();
      for (const kind of ['stringVariable', 'booleanVariable', 'integerVariable', 'jsonVariable']) for (const v of nodes(doc, kind)) declared.set(v.name as string, kind);
      const used = new Set([...text.matchAll(/\b(?:Flow|Task)\.[A-Za-z]+\b/g)].map((m) => m[0]));
      for (const name of used) expect(declared.has(name), `${file}: ${name} is used but not declared`).toBe(true);
      const typeOf = { string: 'stringVariable', boolean: 'booleanVariable', integer: 'integerVariable' } as Record<string, string>;
      for (const call of nodes(doc, 'callData')) {
        const [[actionName, config]] = Object.entries(Object.values(call.category as Record<string, { dataAction: Json }>)[0]!.dataAction) as [[string, { successOutputs?: Record<string, { var: string }> }]];
        const props = exportByName.get(actionName)!.contract.output.successSchema.properties as Record<string, { type: string }>;
        for (const [out, { var: v }] of Object.entries(config.successOutputs ?? {})) expect(declared.get(v), `${file}: ${out} → ${v}`).toBe(typeOf[props[out]!.type]);
      }
    }
  });

  it('one forwarding workflow per event endpoint: input Flow.jsonData (JSON), the event as text to jsonData, every path ends the workflow', () => {
    const events = ACTIONS.filter((a) => a.def.config.request.requestUrlTemplate.includes('/events/v1/'));
    expect(events.length).toBeGreaterThanOrEqual(4);
    for (const { name, def } of events) {
      const file = `forward-${name}.yaml`;
      const wf = deployed[file]?.doc.workflow as Json & { variables: Json[] };
      expect(wf, file).toBeDefined();
      const inputs = wf.variables.filter((v) => (Object.values(v)[0] as Json).isInput === true);
      expect(inputs, file).toEqual([{ jsonVariable: { name: 'Flow.jsonData', initialValue: { noValue: true }, isInput: true, isOutput: false } }]);
      const [call, ...others] = nodes(wf, 'callData');
      expect(others, file).toEqual([]);
      const config = Object.values((call!.category as Record<string, { dataAction: Record<string, { inputs: Json }> }>)[integrationName]!.dataAction)[0]!;
      expect(Object.keys((call!.category as Record<string, { dataAction: Json }>)[integrationName]!.dataAction), file).toEqual([def.name]);
      expect(config.inputs, file).toEqual({ jsonData: { exp: 'ToString(Flow.jsonData)' } });
      const paths = call!.outputs as Record<string, { actions: Json[] }>;
      expect(Object.keys(paths).sort(), file).toEqual(['failure', 'success', 'timeout']);
      for (const [p, { actions }] of Object.entries(paths)) expect(Object.keys(actions.at(-1)!), `${file} ${p}`).toEqual(['endWorkflow']);
      // The state itself ends the workflow too, and errors end it.
      expect(wf.settingsErrorHandling).toEqual({ errorHandling: { endWorkflow: { none: true } } });
      const state = (wf.states as { state: { actions: Json[]; refId: string } }[])[0]!.state;
      expect(Object.keys(state.actions.at(-1)!)).toEqual(['endWorkflow']);
      expect(wf.startUpRef).toBe(`/workflow/states/state[${state.refId}]`);
    }
  });

  it('a forwarded event reaches its endpoint: ToString(Flow.jsonData) → the action template → 200 with an action', async () => {
    const userEndEvent = genesysFixture('user-end-preview.json') as Json;
    const samples: Record<string, Json> = {
      'conversation-acd-start': { ...acdStartEvent, conversationId: randomUUID() },
      'conversation-user-end': { ...userEndEvent, conversationId: randomUUID() },
      'conversation-acd-end': FIXTURES['conversation-acd-end']!() as Json,
      'preview-accepted': FIXTURES['preview-accepted']!() as Json,
    };
    for (const [name, event] of Object.entries(samples)) {
      const def = ACTIONS.find((a) => a.name === name)!.def;
      // Architect's ToString of a JSON object is its JSON text.
      const { status, answer } = await call(def, renderBody(def, { jsonData: JSON.stringify(event) }, javaJsonString));
      expect(status, name).toBe(200);
      expect(answer.action, name).toEqual(expect.any(String));
    }
  });

  it('the examples: queue-status → immediate or scheduled offer; availability → firstSlotSpoken → callbacks-create with acceptNearest; outcome decides; Failure/Timeout keep the caller in queue', () => {
    const inQueue = deployed['example-in-queue-callback.yaml']!;
    const inbound = deployed['example-inbound-callback.yaml']!;
    expect(Object.keys(inQueue.doc)).toEqual(['inqueueCall']);
    expect(Object.keys(inbound.doc)).toEqual(['inboundCall']);
    for (const { text, doc } of [inQueue, inbound]) {
      const byAction = (suffix: string) => nodes(doc, 'callData').filter((c) => JSON.stringify(c.category).includes(`${ACTION_PREFIX}${suffix}"`));
      expect(byAction('queue-status')).toHaveLength(1);
      expect(byAction('availability')).toHaveLength(1);
      expect(text).toContain('firstSlotSpoken');
      const scheduled = byAction('callbacks-create').find((c) => JSON.stringify(c).includes('"acceptNearest":{"lit":true}'));
      expect(scheduled).toBeDefined();
      expect(JSON.stringify(scheduled)).toContain('"desiredTime":{"exp":"');
      for (const c of byAction('callbacks-create')) expect(JSON.stringify(c.outputs)).toMatch(/outcome == \\"CREATED\\"/);
    }
    // In queue: nothing on Failure/Timeout of queue-status (the caller stays, hold music plays); the task ends with hold music.
    const status = nodes(inQueue.doc, 'callData').find((c) => JSON.stringify(c.category).includes('queue-status'))!;
    expect(Object.keys(status.outputs as Json)).toEqual(['success']);
    expect(Object.keys(((inQueue.doc.inqueueCall as Json).startUpTaskActions as Json[]).at(-1)!)).toEqual(['holdMusic']);
    // Inbound: after the offer (or on Failure/Timeout) the call goes to the queue.
    const actions = (((inbound.doc.inboundCall as Json).tasks as { task: { actions: Json[] } }[])[0]!.task.actions).map((a) => Object.keys(a)[0]);
    expect(actions).toEqual(['callData', 'transferToAcd', 'disconnect']);
    expect(JSON.stringify(inbound.doc)).toContain(`"targetQueue":{"lit":{"name":"${EXAMPLE_QUEUE}"}}`);
  });
});
