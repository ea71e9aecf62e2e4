import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleDistDir } from '../src/http/console.js';
import { buildTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

describe('the console is served at /console', () => {
  it('/console redirects to /console/, which is the app with a strict CSP and no caching', async () => {
    const redirect = await t.app.inject({ method: 'GET', url: '/console' });
    expect(redirect.statusCode).toBe(301);
    expect(redirect.headers.location).toBe('/console/');
    const index = await t.app.inject({ method: 'GET', url: '/console/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.headers['cache-control']).toBe('no-cache');
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toMatch(/; frame-ancestors 'self'/);
    // No inline script: every script is a file of ours.
    expect(index.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index.body).toMatch(/<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js"><\/script>/);
  });

  it('client routes answer the app (SPA fallback); a missing file is a 404; hashed assets are cached for a year', async () => {
    const route = await t.app.inject({ method: 'GET', url: '/console/callbacks?state=SCHEDULED' });
    expect(route.statusCode).toBe(200);
    expect(route.body).toContain('<div id="app">');
    expect((await t.app.inject({ method: 'GET', url: '/console/assets/missing-0123456789.js' })).statusCode).toBe(404);
    // The build's bookkeeping is not served (the app answers in its place).
    expect((await t.app.inject({ method: 'GET', url: '/console/.sources-hash' })).body).toContain('<div id="app">');
    const assets = await readdir(path.join(consoleDistDir(), 'assets'));
    const js = assets.find((f) => f.endsWith('.js'))!;
    const asset = await t.app.inject({ method: 'GET', url: `/console/assets/${js}` });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toContain('javascript');
    // The bundle names no other host: no CDN, no web font.
    expect(asset.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost|www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}/i);
  });

  it('the console routes need no token; the API behind them does', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/console/queues' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/admin/v1/queues/overview' })).statusCode).toBe(401);
  });
});
