import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INPUT_DEPTH } from '../src/http/input-guard.js';
import { authHeader, buildTestApp, makeClient, type TestApp } from './helpers/app.js';

/**
 * What the HTTP edge refuses before any route's rules run: every refusal is a 4xx in the error
 * shape with a correlation id, whatever the route, the body or the bytes on the socket.
 */

let t: TestApp;
let headers: Record<string, Record<string, string>>;
let port: number;

beforeAll(async () => {
  t = await buildTestApp();
  headers = {
    actions: (await authHeader(t, ['actions'])).headers,
    events: (await authHeader(t, ['events'])).headers,
    admin: (await authHeader(t, ['administrator'])).headers,
    none: {},
  };
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(async () => t.close());

const errorShape = { error: expect.any(String), message: expect.any(String), correlationId: expect.any(String) };

const JSON_ROUTES: [string, string][] = [
  ['/actions/v1/availability', 'actions'],
  ['/actions/v1/callbacks/create', 'actions'],
  ['/events/v1/conversation-user-end', 'events'],
  ['/admin/v1/queues', 'admin'],
  ['/oauth/token', 'none'],
];

function post(url: string, who: string, payload: string, contentType = 'application/json') {
  return t.app.inject({ method: 'POST', url, headers: { ...headers[who], 'content-type': contentType }, payload });
}

/** Raw bytes on a real socket; resolves with everything the server sent before closing. */
function rawExchange(chunks: (string | Buffer)[], opts: { keepOpen?: boolean; port?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    // keepOpen: the request stays unfinished, so only the server can end the exchange.
    const socket = connect(opts.port ?? port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (d) => received.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(received).toString('utf8')));
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      if (!opts.keepOpen) socket.end();
    });
  });
}

function parseRaw(text: string) {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head!.split('\r\n');
  const headerMap = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine!.split(' ')[1]), headers: headerMap, body: JSON.parse(rest.join('\r\n\r\n')) as Record<string, unknown> };
}

describe('nesting depth', () => {
  const deepArray = (n: number) => `{"x":${'['.repeat(n)}${']'.repeat(n)}}`;
  const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

  it.each(JSON_ROUTES)(`%s refuses 20,000 nested arrays and 8,000 nested objects with 400 naming the field, never 5xx`, async (url, who) => {
    for (const [payload, field] of [
      [deepArray(20_000), `x${'[0]'.repeat(MAX_INPUT_DEPTH - 1)}`],
      [deepObject(8_000), Array(MAX_INPUT_DEPTH).fill('a').join('.')],
    ] as const) {
      const res = await t.app.inject({ method: 'POST', url, headers: { ...headers[who], 'content-type': 'application/json' }, payload });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
      expect(res.json()).toMatchObject({ ...errorShape, error: 'VALIDATION_FAILED', field });
      expect(res.json().message).toContain(`nested deeper than ${MAX_INPUT_DEPTH} levels`);
    }
  });

  it(`accepts ${MAX_INPUT_DEPTH} levels of nesting and refuses ${MAX_INPUT_DEPTH + 1}`, async () => {
    // The token body accepts any extra input, so the route's own answer shows the body got through.
    const nested = (levels: number) => `{"grant_type":"password","x":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
    const ok = await post('/oauth/token', 'none', nested(MAX_INPUT_DEPTH));
    expect(ok.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const deep = await post('/oauth/token', 'none', nested(MAX_INPUT_DEPTH + 1));
    expect(deep.json()).toMatchObject({ error: 'VALIDATION_FAILED', field: `x${'[0]'.repeat(MAX_INPUT_DEPTH - 1)}` });
  });

  it('refuses deep nesting inside jsonData text naming the path inside it', async () => {
    const res = await post('/events/v1/conversation-user-end', 'events', JSON.stringify({ jsonData: `{"conversationId":"c","n":${'['.repeat(5_000)}${']'.repeat(5_000)}}` }));
    expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
    expect(res.json()).toMatchObject({ ...errorShape, field: `jsonData.n${'[0]'.repeat(MAX_INPUT_DEPTH - 1)}` });
  });
});

describe('text PostgreSQL cannot store', () => {
  const LONE = '"\\ud800"'; // a JSON escape of a lone high surrogate

  it.each([
    ['/actions/v1/callbacks/create', 'actions', `{"queue":"Sales","phoneNumber":"+12025550123","customerName":${LONE}}`, 'customerName'],
    ['/actions/v1/callbacks/create', 'actions', `{"queue":"Sales","phoneNumber":"+12025550123","userData":"{\\"a\\":\\"\\\\udc00\\"}"}`, 'userData'],
    ['/events/v1/conversation-user-end', 'events', `{"conversationId":"c","participantId":${LONE}}`, 'participantId'],
    ['/events/v1/conversation-user-end', 'events', `{"jsonData":"{\\"conversationId\\":\\"c\\",\\"callbackNumbers\\":[\\"\\\\ud800\\"]}"}`, 'jsonData.callbackNumbers[0]'],
    ['/admin/v1/queues', 'admin', `{"name":${LONE},"timezone":"UTC"}`, 'name'],
    ['/admin/v1/queues', 'admin', `{"name":"q","timezone":"UTC","\\udfff":1}`, '\ufffd'],
    ['/oauth/token', 'none', `{"grant_type":"client_credentials","client_id":${LONE},"client_secret":"x"}`, 'client_id'],
  ])('%s refuses a lone UTF-16 surrogate with 400 naming the field (%s body, field %s)', async (url, who, payload, field) => {
    const res = await post(url, who, payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ ...errorShape, error: 'VALIDATION_FAILED', field });
    expect(res.json().message).toContain('unpaired UTF-16 surrogates');
  });

  it('accepts a well-formed surrogate pair (an emoji) where a lone half is refused', async () => {
    const res = await post('/admin/v1/queues', 'admin', JSON.stringify({ name: `Emoji 😀 ${Date.now()}`, timezone: 'UTC' }));
    expect(res.statusCode, res.body).toBe(201);
  });

  it('refuses a JSON body that is not UTF-8 with 400 INVALID_JSON instead of storing replacement characters', async () => {
    const payload = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('","timezone":"UTC"}')]);
    const res = await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: { ...headers.admin, 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ ...errorShape, error: 'INVALID_JSON', message: 'The body is not valid JSON: it is not UTF-8' });
  });
});

describe('the token endpoint', () => {
  it('answers transport errors in the common shape with a correlation id', async () => {
    const cases: [string, string, number, string][] = [
      ['{"grant_type": ', 'application/json', 400, 'INVALID_JSON'],
      ['', 'application/json', 400, 'INVALID_JSON'],
      ['<token/>', 'application/xml', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [JSON.stringify({ grant_type: 'client_credentials', client_id: 'x'.repeat(2_000_000) }), 'application/json', 413, 'PAYLOAD_TOO_LARGE'],
    ];
    for (const [payload, type, status, error] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': type, 'inin-correlation-id': 'tok-1' }, payload });
      expect(res.statusCode, `${type} ${res.body}`).toBe(status);
      expect(res.json()).toEqual({ error, message: expect.any(String), correlationId: 'tok-1' });
      expect(res.body).not.toContain('FST_ERR');
    }
  });

  it('answers a NUL in client_id (JSON or form) with 400 naming the field, never a serialization failure', async () => {
    const json = await post('/oauth/token', 'none', JSON.stringify({ grant_type: 'client_credentials', client_id: 'a\u0000b', client_secret: 'x' }));
    expect(json.statusCode, json.body).toBe(400);
    expect(json.json()).toMatchObject({ ...errorShape, error: 'VALIDATION_FAILED', field: 'client_id' });
    const form = await post('/oauth/token', 'none', 'grant_type=client_credentials&client_id=a%00b&client_secret=x', 'application/x-www-form-urlencoded');
    expect(form.statusCode, form.body).toBe(400);
    expect(form.json()).toMatchObject({ ...errorShape, error: 'VALIDATION_FAILED', field: 'client_id' });
  });

  it('keeps the RFC 6749 shape for OAuth errors', async () => {
    const c = await makeClient(t, ['actions']);
    const bad = await post('/oauth/token', 'none', `grant_type=client_credentials&client_id=${c.clientId}&client_secret=wrong`, 'application/x-www-form-urlencoded');
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed', correlationId: expect.any(String) });
    const grant = await post('/oauth/token', 'none', 'grant_type=password', 'application/x-www-form-urlencoded');
    expect(grant.json()).toMatchObject({ error: 'unsupported_grant_type', error_description: expect.any(String) });
    const notObject = await post('/oauth/token', 'none', '[1]');
    expect(notObject.statusCode).toBe(400);
    expect(notObject.json()).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
  });
});

describe('what the router refuses', () => {
  it('a path that is not valid percent-encoded UTF-8 → 400 BAD_REQUEST in the error shape', async () => {
    for (const url of ['/admin/v1/clients/%ED%A0%80', '/admin/v1/clients/%E0%A4%A', '/admin/v1/queues/%ff']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { ...headers.admin, 'inin-correlation-id': 'bad-url-1' } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toEqual({ error: 'BAD_REQUEST', message: expect.stringContaining('not a valid URL'), correlationId: 'bad-url-1' });
      expect(res.headers['inin-correlation-id']).toBe('bad-url-1');
    }
  });

  it('a path parameter over 100 characters → 414 URI_TOO_LONG in the error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/admin/v1/clients/${'a'.repeat(101)}`, headers: headers.admin });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({ error: 'URI_TOO_LONG', message: 'A path segment is longer than 100 characters', correlationId: expect.any(String) });
    expect(res.headers['inin-correlation-id']).toBe(res.json().correlationId);
  });

  it('the same answers over a real socket', async () => {
    const res = parseRaw(await rawExchange([`GET /admin/v1/clients/%ED%A0%80 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ ...errorShape, error: 'BAD_REQUEST' });
  });
});

describe('what the HTTP parser refuses', () => {
  it('oversized headers → 431 HEADERS_TOO_LARGE in the error shape with a correlation id', async () => {
    const res = parseRaw(await rawExchange([`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]));
    expect(res.status).toBe(431);
    expect(res.body).toEqual({ error: 'HEADERS_TOO_LARGE', message: expect.any(String), correlationId: expect.any(String) });
    expect(res.headers['inin-correlation-id']).toBe(res.body.correlationId);
  });

  it('bytes that are not HTTP → 400 BAD_REQUEST in the error shape', async () => {
    const res = parseRaw(await rawExchange(['HELLO THERE\r\n\r\n']));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'BAD_REQUEST', message: 'The request is not valid HTTP', correlationId: expect.any(String) });
  });

  it.each([
    ['headers', 'POST /oauth/token HTTP/1.1\r\nHost: x\r\n'],
    ['body', 'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"grant_type":'],
  ])('a client that does not finish its %s within REQUEST_TIMEOUT_SECONDS → 408 REQUEST_TIMEOUT in the error shape', async (_part, bytes) => {
    const slow = await buildTestApp({ url: t.url, env: { REQUEST_TIMEOUT_SECONDS: '1' } });
    try {
      await slow.app.listen({ port: 0, host: '127.0.0.1' });
      const slowPort = (slow.app.server.address() as AddressInfo).port;
      const res = parseRaw(await rawExchange([bytes], { port: slowPort, keepOpen: true }));
      expect(res.status).toBe(408);
      expect(res.body).toEqual({ error: 'REQUEST_TIMEOUT', message: expect.any(String), correlationId: expect.any(String) });
    } finally {
      await slow.close();
    }
  });
});

describe('a wrong method on an existing path', () => {
  it.each([
    ['DELETE', '/actions/v1/availability', 'POST, OPTIONS'],
    ['PUT', '/oauth/token', 'POST, OPTIONS'],
    ['GET', '/events/v1/conversation-user-end', 'POST, OPTIONS'],
    ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
    ['PUT', '/admin/v1/clients', 'GET, HEAD, POST, OPTIONS'],
    ['POST', '/admin/v1/queues/00000000-0000-4000-8000-000000000000', 'GET, HEAD, PATCH, DELETE, OPTIONS'],
  ])('%s %s → 405 METHOD_NOT_ALLOWED with Allow: %s', async (method, url, allow) => {
    const res = await t.app.inject({ method: method as 'GET', url, headers: headers.admin });
    expect(res.statusCode, res.body).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.json()).toMatchObject({ ...errorShape, error: 'METHOD_NOT_ALLOWED' });
  });

  it('OPTIONS on an existing path → 204 with Allow; on an unknown path → 404', async () => {
    const known = await t.app.inject({ method: 'OPTIONS', url: '/admin/v1/queues/00000000-0000-4000-8000-000000000000' });
    expect(known.statusCode).toBe(204);
    expect(known.headers.allow).toBe('GET, HEAD, PATCH, DELETE, OPTIONS');
    const unknown = await t.app.inject({ method: 'OPTIONS', url: '/admin/v1/nothing-here' });
    expect(unknown.statusCode).toBe(404);
  });

  it('an unknown path stays 404, also one a parametric route does not cover', async () => {
    for (const url of ['/actions/v1/nothing', '/admin/v1/queues/x/y/z', '/admin/v1/audit/x']) {
      const res = await t.app.inject({ method: 'DELETE', url, headers: headers.admin });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers.allow).toBeUndefined();
    }
  });
});
