import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staleGeneratedFiles } from '../src/docs/generate.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import postman from '../openapi/postman_collection.json' with { type: 'json' };

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

describe('generated API documents', () => {
  it('openapi/ matches the route schemas (run `npm run generate` after changing a route)', async () => {
    expect(await staleGeneratedFiles()).toEqual([]);
  });

  it('document every route with a summary, a tag and its responses', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { summary?: string; tags?: string[]; responses?: Record<string, unknown> }>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ id: `${m} ${p}`, op })));
    expect(operations.length).toBeGreaterThan(8);
    for (const { id, op } of operations) {
      expect(op.summary, id).toBeTruthy();
      expect(op.tags?.length, id).toBeGreaterThan(0);
      expect(Object.keys(op.responses ?? {}).length, id).toBeGreaterThan(0);
    }
  });

  it('the Postman collection fetches a token per role (client credentials) in each folder, with variables for the base URL and each role\'s client', () => {
    expect(postman.variable.map((v) => v.key)).toEqual(
      expect.arrayContaining(['baseUrl', 'adminClientId', 'adminClientSecret', 'actionsClientId', 'actionsClientSecret', 'eventsClientId', 'eventsClientSecret']),
    );
    type Folder = { name: string; auth?: { type: string; bearer?: { value: string }[] }; event?: { listen: string; script: { exec: string[] } }[] };
    const folders = postman.item as unknown as Folder[];
    const tokenOf = (name: string) => folders.find((f) => f.name === name)?.auth?.bearer?.[0]?.value;
    expect([tokenOf('data-actions'), tokenOf('events'), tokenOf('queues')]).toEqual(['{{actionsToken}}', '{{eventsToken}}', '{{adminToken}}']);
    for (const f of folders.filter((f) => f.auth?.type === 'bearer')) {
      const script = f.event?.find((e) => e.listen === 'prerequest')?.script.exec.join('\n') ?? '';
      expect(script, f.name).toContain("'client_credentials'");
      expect(script, f.name).toContain('/oauth/token');
    }
    expect(folders.map((f) => f.name)).toEqual(expect.arrayContaining(['auth', 'operations', 'changes shared state (cleans up after itself)']));
  });

  it('the Postman collection asserts the status of every request, and changes settings and clients only in the folder that restores them', () => {
    type Item = { name: string; request: { method: string; url: { path: string[] }; body?: { raw?: string } }; event: { listen: string; script: { exec: string[] } }[] };
    const folders = postman.item as unknown as { name: string; item: Item[] }[];
    for (const item of folders.flatMap((f) => f.item)) {
      expect(item.event.find((e) => e.listen === 'test')?.script.exec[0], item.name).toMatch(/^pm\.test\('status \d{3}'/);
    }
    const shared = folders.filter((f) => f.item.some((i) => i.request.method !== 'GET' && /^(clients|settings)$/.test(i.request.url.path[2] ?? '')));
    expect(shared.map((f) => f.name)).toEqual(['changes shared state (cleans up after itself)']);
    const realBulk = folders.filter((f) => f.item.some((i) => i.request.url.path.join('/').endsWith('bulk-cancel') && JSON.parse(i.request.body?.raw ?? '{}').dryRun !== true));
    expect(realBulk.map((f) => f.name)).toEqual(['changes shared state (cleans up after itself)']);
  });

  it('the Postman collection has an example body for every JSON request and a saved example answer for every JSON answer', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> }; responses?: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    type Item = { request: { method: string; url: { path: string[] }; body?: { mode: string; raw?: string } }; response: { code: number; body: string }[] };
    const items = (postman.item as unknown as { item: Item[] }[]).flatMap((f) => f.item);
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const segments = p.split('/').filter((s) => s !== '').map((s) => s.replace(/^\{(.+)\}$/, ':$1'));
        const item = items.find((i) => i.request.method === method.toUpperCase() && i.request.url.path.join('/') === segments.join('/'));
        expect(item, `${method} ${p}`).toBeDefined();
        if (op.requestBody?.content?.['application/json'] && p !== '/oauth/token') expect(() => JSON.parse(item!.request.body!.raw!), `${method} ${p}`).not.toThrow();
        const json2xx = Object.entries(op.responses ?? {}).some(([code, r]) => /^2/.test(code) && r.content?.['application/json']);
        if (json2xx) {
          expect(item!.response.length, `${method} ${p}`).toBe(1);
          expect(() => JSON.parse(item!.response[0]!.body), `${method} ${p}`).not.toThrow();
        }
      }
    }
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});
