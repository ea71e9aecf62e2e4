import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_WEEK } from './helpers/access-fixtures.js';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { chromiumPath, launchBrowser, NO_CHROMIUM, type Browser } from './helpers/browser.js';
import { factories } from './helpers/factories.js';
import { listen, makeKey, type TestKey } from './helpers/web.js';

/**
 * The embeddable example page (docs/web-callback/index.html) in a real Chromium, served from other
 * 127.0.0.1 servers than the service, so its origin is really foreign: from the key's allowed origin
 * it books a slot, reads the self-service status and cancels; from an origin the key does not list,
 * the browser blocks the answers; with a CAPTCHA on the key, the page shows the refusal.
 * UPDATE_SCREENSHOTS=1 writes docs/screenshots/web-callback-book.png and web-callback.png.
 */

const found = chromiumPath();
if (!found) console.log(NO_CHROMIUM);

let t: TestApp;
let api: string;
let browser: Browser;
let queueName: string;
const pageServers: FastifyInstance[] = [];

async function servePage(): Promise<string> {
  const html = await readFile(new URL('../docs/web-callback/index.html', import.meta.url), 'utf8');
  const server = Fastify();
  server.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(html));
  await server.listen({ port: 0, host: '127.0.0.1' });
  pageServers.push(server);
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

const pageUrl = (origin: string, key: TestKey) => `${origin}/?${new URLSearchParams({ api, key: key.key, queue: queueName }).toString()}`;

async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(url);
  return { page, errors };
}

describe.skipIf(!found)('the embeddable web callback page', () => {
  let allowedOrigin: string;
  let refusedOrigin: string;
  let key: TestKey;
  let captchaKey: TestKey;

  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_MAX: '1000000', PUBLISHABLE_RATE_LIMIT_PER_IP: '100000', PUBLISHABLE_RATE_LIMIT_PER_KEY: '100000' } });
    const admin = (await authHeader(t, ['administrator'])).headers;
    const make = factories(t.database.db);
    const hours = await make.hours({ weekly: ALL_WEEK });
    queueName = (await make.queue({ name: 'Support', businessHoursId: hours.id })).name;
    api = await listen(t);
    allowedOrigin = await servePage();
    refusedOrigin = await servePage();
    key = await makeKey(t, admin, { queues: [queueName], origins: [allowedOrigin] });
    captchaKey = await makeKey(t, admin, { queues: [queueName], origins: [allowedOrigin], captcha: { provider: 'hcaptcha', secret: 'hcaptcha-secret-0123456789' } });
    browser = await launchBrowser({ viewport: { width: 520, height: 760 } });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    for (const s of pageServers) await s.close();
    await t?.close();
  });

  it('from the key’s origin: books a slot from the availability, shows the status, cancels', async () => {
    const { page } = await openPage(pageUrl(allowedOrigin, key));
    await page.locator('#book').waitFor({ state: 'visible', timeout: 60_000 });
    const slots = page.locator('input[name=slot]');
    expect(await slots.count()).toBeGreaterThan(1);
    const firstSlot = await slots.nth(1).getAttribute('value');
    expect(firstSlot).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await slots.nth(1).check();
    await page.fill('#name', 'Ada Lovelace');
    await page.fill('#phone', '+12125550142');
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: new URL('../docs/screenshots/web-callback-book.png', import.meta.url).pathname, fullPage: true });
    await page.click('#book-button');
    await page.locator('#status[data-state=SCHEDULED]').waitFor({ timeout: 60_000 });
    expect(await page.textContent('#s-state')).toBe('Scheduled');
    expect(await page.textContent('#s-queue')).toBe(queueName);
    expect(await page.textContent('#s-position')).toBe('—');

    // What the page booked is the service's callback, created by the key, with its token stored hashed.
    const booked = await t.database.db.selectFrom('callbacks').select(['id', 'state', 'scheduled_time', 'created_by']).where('phone_e164', '=', '+12125550142').executeTakeFirstOrThrow();
    expect(booked).toMatchObject({ state: 'SCHEDULED', created_by: key.clientId });
    expect(new Date(booked.scheduled_time!).toISOString().replace('.000Z', 'Z')).toBe(firstSlot);
    const stored = JSON.parse((await page.evaluate('sessionStorage.getItem("callback-self-service")')) as string) as { id: string; token: string };
    expect(stored.id).toBe(booked.id);
    const row = await t.database.db.selectFrom('manage_tokens').selectAll().where('callback_id', '=', booked.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(stored.token);

    await page.click('#cancel');
    await page.locator('#status[data-state=COMPLETED]').waitFor({ timeout: 60_000 });
    expect(await page.textContent('#s-state')).toBe('Completed (cancelled by customer)');
    expect(await page.textContent('#message')).toBe('The callback was cancelled');
    const after = await t.database.db.selectFrom('callbacks').select(['state', 'completion_reason']).where('id', '=', booked.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ state: 'COMPLETED', completion_reason: 'CANCELLED_BY_CUSTOMER' });

    // Book again, as soon as possible: waiting, with its place in line and the (unknown) estimated wait.
    await page.click('#again');
    await page.locator('#book').waitFor({ state: 'visible', timeout: 60_000 });
    await slots.first().check();
    await page.fill('#phone', '+12125550143');
    await page.click('#book-button');
    await page.locator('#status[data-state=QUEUED]').waitFor({ timeout: 60_000 });
    expect(await page.textContent('#s-position')).toBe('1');
    expect(await page.textContent('#s-ewt')).toBe('unknown');
    expect(browser.offHost).toEqual([]);
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: new URL('../docs/screenshots/web-callback.png', import.meta.url).pathname, fullPage: true });
    await page.close();
  }, 180_000);

  it('from an origin the key does not list: the browser blocks the answer, the page says it cannot reach the service', async () => {
    const { page, errors } = await openPage(pageUrl(refusedOrigin, key));
    await page.locator('#message.error').waitFor({ timeout: 60_000 });
    expect(await page.textContent('#message')).toBe('NETWORK: The callback service could not be reached from this page.');
    expect(await page.locator('#book').isHidden()).toBe(true);
    // Chromium says why: the service's answer to the preflight named no allowed origin.
    expect(errors.some((e) => e.includes('CORS policy')), errors.join('\n')).toBe(true);
    // What the browser got, asked the same way: a preflight answered without any CORS header.
    const preflight = await fetch(`${api}/actions/v1/availability`, { method: 'OPTIONS', headers: { origin: refusedOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' } });
    expect([...preflight.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    // And the request itself, were it sent: refused, without CORS headers either.
    const direct = await fetch(`${api}/actions/v1/availability`, { method: 'POST', headers: { origin: refusedOrigin, 'x-api-key': key.key, 'content-type': 'application/json' }, body: JSON.stringify({ queue: queueName }) });
    expect(direct.status).toBe(403);
    expect(direct.headers.get('access-control-allow-origin')).toBeNull();
    await page.close();
  }, 120_000);

  it('with a CAPTCHA on the key: the page sees the missing-CAPTCHA refusal', async () => {
    const { page } = await openPage(pageUrl(allowedOrigin, captchaKey));
    const answer = await page.waitForResponse((r) => r.url().endsWith('/actions/v1/availability') && r.request().method() === 'POST', { timeout: 60_000 });
    expect(answer.status()).toBe(403);
    expect(await answer.json()).toMatchObject({ error: 'CAPTCHA_REQUIRED', field: 'captchaToken' });
    await page.locator('#message.error').waitFor({ timeout: 60_000 });
    expect(await page.textContent('#message')).toMatch(/^CAPTCHA_REQUIRED: This key requires a CAPTCHA token/);
    await page.close();
  }, 120_000);
});
