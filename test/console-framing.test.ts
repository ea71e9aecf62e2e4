import { readFileSync } from 'node:fs';
import path from 'node:path';
import hclParser from 'hcl2-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { OPENAPI_DIR } from '../src/docs/generate.js';
import { consoleFrameAncestors } from '../src/genesys/framing.js';
import { buildTestApp, type TestApp } from './helpers/app.js';

/** Only the Genesys Cloud UI of the org's region frames /console; every other page refuses framing. */

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({
    env: { GENESYS_REGION: 'eu-west-1', CONSOLE_FRAME_ANCESTORS: 'https://intranet.example.org' },
    beforeReady: (app) => {
      // A console page that sets a policy of its own (as the console's static files may).
      app.get('/console/with-policy', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
        reply.header('content-security-policy', "default-src 'self'; frame-ancestors 'none'").type('text/html').send('<!doctype html>'),
      );
    },
  });
});
afterAll(async () => t?.close());

describe('framing', () => {
  it('/console: frame-ancestors the console itself and the Genesys Cloud UI of the region (and the extra origins), no X-Frame-Options', async () => {
    for (const url of ['/console', '/console/', '/console/assets/app.js', '/console/?x=1']) {
      const res = await t.app.inject({ method: 'GET', url });
      // The console's own policy (default-src 'self', ...) with the framing directive last.
      expect(String(res.headers['content-security-policy']), url).toMatch(/(^|; )frame-ancestors 'self' https:\/\/apps\.mypurecloud\.ie https:\/\/intranet\.example\.org$/);
      expect(String(res.headers['content-security-policy']).match(/frame-ancestors/g), url).toHaveLength(1);
      expect(res.headers['x-frame-options'], url).toBeUndefined();
    }
  });

  it("keeps a console page's own policy, with its frame-ancestors replaced", async () => {
    const res = await t.app.inject({ method: 'GET', url: '/console/with-policy' });
    expect(res.headers['content-security-policy']).toBe("default-src 'self'; frame-ancestors 'self' https://apps.mypurecloud.ie https://intranet.example.org");
  });

  it('everything else refuses framing by other sites', async () => {
    for (const url of ['/docs/', '/admin/v1/queues', '/healthz', '/auth/v1/providers', '/consoles', '/openapi.json']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(String(res.headers['content-security-policy'] ?? ''), url).not.toContain('apps.mypurecloud');
    }
  });

  it('origins come from GENESYS_REGION and GENESYS_LOGIN_REGION (keys or hosts); nothing configured is the console alone; a bad origin stops the start', () => {
    const of = (env: Record<string, string>) => consoleFrameAncestors(loadConfig({ JWT_SECRET: 'x'.repeat(40), ...env }));
    expect(of({})).toEqual([]);
    expect(of({ GENESYS_REGION: 'mypurecloud.com' })).toEqual(['https://apps.mypurecloud.com']);
    expect(of({ GENESYS_REGION: 'us_west_2', GENESYS_LOGIN_REGION: 'eu-central-1', GENESYS_LOGIN_CLIENT_ID: 'x' })).toEqual(['https://apps.usw2.pure.cloud', 'https://apps.mypurecloud.de']);
    expect(() => of({ CONSOLE_FRAME_ANCESTORS: 'http://insecure.example.org' })).toThrow(/CONSOLE_FRAME_ANCESTORS/);
    expect(() => of({ CONSOLE_FRAME_ANCESTORS: "https://a.example.org 'unsafe-inline'" })).toThrow(/CONSOLE_FRAME_ANCESTORS/);
  });
});

describe('the console as a Genesys Cloud client app (console.tf)', () => {
  type Json = Record<string, unknown>;
  const text = readFileSync(path.join(OPENAPI_DIR, 'genesys', 'terraform', 'console.tf'), 'utf8');
  const [parsed] = hclParser.parseToObject(text) as [Json | null, unknown];

  it('parses, and creates an embedded-client-app opening <base_url>/console/ only when asked, with the documented attributes', () => {
    expect(parsed).not.toBeNull();
    const integration = ((parsed!.resource as Record<string, Record<string, Json[]>>).genesyscloud_integration!.console![0]!) as Json & { config: Json[] };
    expect(Object.keys(integration).sort()).toEqual(['config', 'count', 'integration_type', 'intended_state']);
    expect(integration).toMatchObject({ integration_type: 'embedded-client-app', intended_state: 'ENABLED', count: '${var.console_app_enabled ? 1 : 0}' });
    const config = integration.config[0]!;
    expect(Object.keys(config).sort()).toEqual(['advanced', 'name', 'notes', 'properties']);
    const properties = String(config.properties);
    expect(properties).toContain('url             = "${local.base_url}/console/"');
    expect(properties).toContain('displayType     = "standalone"');
    expect(properties).toMatch(/sandbox\s+= "allow-scripts,allow-same-origin,[a-z,-]+"/);
    expect(properties).toContain('groups = var.console_app_group_ids');
    const variables = parsed!.variable as Record<string, [{ default?: unknown }]>;
    expect(variables.console_app_enabled![0].default).toBe(false);
    expect(Object.keys(parsed!.output as Json)).toEqual(['console_app_integration_id']);
  });
});
