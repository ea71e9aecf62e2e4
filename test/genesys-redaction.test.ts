import { Writable } from 'node:stream';
import { createCaches } from '../src/context.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { redact } from '../src/genesys/errors.js';
import { startJobRunner } from '../src/jobs/runner.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { gatewayFor, waitUntil } from './helpers/worker.js';

/** What Genesys answers is kept as status, code and a short message with every credential taken out. */

let t: TestApp;
let fake: FakeGenesys;
beforeAll(async () => {
  t = await buildTestApp();
  fake = await startFakeGenesys();
});
afterAll(async () => {
  await fake.close();
  await t.close();
});

describe('Genesys error bodies', () => {
  it('reach deliveryError and the logs without tokens, Basic credentials or the client secret, and bounded', async () => {
    const { headers: actions } = await authHeader(t, ['actions']);
    const { headers: admin } = await authHeader(t, ['administrator']);
    const queue = await factories(t.database.db).queue({ genesysQueueId: 'gq-redaction' });
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger('trace', sink);
    const gateway = gatewayFor(fake, { baseBackoffMs: 50 }, (obj, msg) => logger.info(obj, msg));

    // A warm-up call so the gateway holds a real access token, which the hostile body then echoes.
    expect(await gateway.estimatedWaitTime('gq-redaction', 'callback')).toBeNull();
    const accessToken = fake.issuedTokens.at(-1)!;
    const basic = Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64');
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlc2lnbmF0dXJl';
    const message =
      `Request rejected. Authorization: Bearer ${accessToken}; login with Authorization: Basic ${basic}; ` +
      `body grant_type=client_credentials&client_secret=${encodeURIComponent(fake.clientSecret)}; ` +
      `json {"client_secret": "${fake.clientSecret}", "access_token":"${accessToken}"}; ` +
      `the secret again: ${fake.clientSecret}; a token ${jwt}; ` +
      'padding '.repeat(200);
    fake.failNext('createCallback', [{ status: 400, body: { status: 400, code: fake.clientSecret, message } }]);

    const created = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: queue.name, phoneNumber: '+12025550987' } });
    expect(created.json().outcome).toBe('CREATED');
    const id = created.json().callbackId as string;
    const runner = await startJobRunner({
      pool: t.database.pool,
      db: t.database.db,
      tasks: buildTaskList({ db: t.database.db, gateway, clock: systemClock, caches: createCaches(), logger, retentionDays: 14 }),
      concurrency: 1,
      pollInterval: 200,
      logger,
    });
    try {
      await waitUntil(async () => (await t.database.db.selectFrom('callbacks').select('delivery_status').where('id', '=', id).executeTakeFirst())?.delivery_status === 'FAILED', 15_000);
    } finally {
      await runner.stop();
      await gateway.close?.();
    }

    const desk = await t.app.inject({ method: 'GET', url: `/admin/v1/callbacks/${id}`, headers: admin });
    const deliveryError = desk.json().deliveryError as string;
    expect(deliveryError).toMatch(/^400 http_400: Genesys POST \/api\/v2\/conversations\/callbacks answered 400/);
    expect(deliveryError).toContain('Request rejected');
    expect(deliveryError.length).toBeLessThanOrEqual(400);

    const logText = logs.join('');
    expect(logText).toContain('callback delivery failed');
    const secrets = [accessToken, basic, fake.clientSecret, encodeURIComponent(fake.clientSecret), jwt];
    for (const [where, text] of [['deliveryError', deliveryError], ['desk answer', desk.body], ['logs', logText]] as const) {
      for (const secret of secrets) expect(text, `${where} holds a credential`).not.toContain(secret);
    }
  });

  it('redact leaves ordinary text alone and takes out every credential shape', () => {
    expect(redact('Queue not found: gq-1 (not.found)')).toBe('Queue not found: gq-1 (not.found)');
    expect(redact('Authorization: Bearer abc.def-ghi')).toBe('Authorization: Bearer [redacted]');
    expect(redact('Basic dXNlcjpwYXNz')).toBe('Basic [redacted]');
    expect(redact('client_secret=s3cr%2Bt&x=1')).toBe('client_secret=[redacted]&x=1');
    expect(redact('{"client_secret": "with spaces and \\" quote", "a":1}')).toBe('{"client_secret": "[redacted]", "a":1}');
    expect(redact('{"access_token":"tok"}')).toBe('{"access_token":"[redacted]"}');
    expect(redact('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig_nature')).toBe('token [redacted]');
  });
});
