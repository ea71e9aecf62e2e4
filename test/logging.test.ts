import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, makeClient, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ captureLogs: true });
});
afterAll(async () => t.close());

describe('logs', () => {
  it('never contain client secrets, tokens or Basic credentials, even at trace level', async () => {
    const c = await makeClient(t, ['administrator']);
    const basic = `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
    const viaBasic = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { authorization: basic }, payload: { grant_type: 'client_credentials' } });
    const token = viaBasic.json().access_token as string;
    await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret },
    });
    await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: `${c.clientSecret}x` } });
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/v1/clients',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'secret-holder', roles: ['actions'] },
    });
    const newSecret = created.json().clientSecret as string;
    const rotated = await t.app.inject({ method: 'POST', url: `/admin/v1/clients/${created.json().client.clientId}/rotate-secret`, headers: { authorization: `Bearer ${token}` } });
    const rotatedSecret = rotated.json().clientSecret as string;
    await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: { authorization: `Bearer ${token}x` } });

    const text = t.logs.join('');
    expect(t.logs.length).toBeGreaterThan(10); // the capture works: requests were logged
    for (const secret of [c.clientSecret, token, basic.slice(6), newSecret, rotatedSecret, token.split('.')[2]!]) {
      expect(text).not.toContain(secret);
    }
  });

  it('carry the correlation id on every line of a request', async () => {
    const { headers } = await authHeader(t, ['administrator']);
    t.logs.length = 0;
    await t.app.inject({ method: 'GET', url: '/admin/v1/clients', headers: { ...headers, 'inin-correlation-id': 'trace-me-123' } });
    const lines = t.logs.map((l) => JSON.parse(l) as { correlationId?: string; msg: string });
    const requestLines = lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');
    expect(requestLines).toHaveLength(2);
    for (const line of requestLines) expect(line.correlationId).toBe('trace-me-123');
  });

  it('redact secrets in any object logged with a known key', async () => {
    t.logs.length = 0;
    t.app.log.info({ client_secret: 's3cr3t-a', headers: { authorization: 'Bearer s3cr3t-b' }, nested: { token: 's3cr3t-c' } }, 'probe');
    const text = t.logs.join('');
    expect(text).toContain('probe');
    expect(text).not.toMatch(/s3cr3t-[abc]/);
  });
});
