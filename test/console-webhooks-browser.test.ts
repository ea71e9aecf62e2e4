import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { Webhook as Receiver } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { createCaches } from '../src/context.js';
import { createGateway } from '../src/genesys/index.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { notifyCallback } from '../src/notifications/deliver.js';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { notifyDepsFor } from './helpers/notify-deps.js';
import { ALL_WEEK, freshCallback, type Headers } from './helpers/access-fixtures.js';
import { chromiumPath, launchBrowser, NO_CHROMIUM, seriousViolations, type Browser } from './helpers/browser.js';
import { factories } from './helpers/factories.js';
import { makePerson, type TestPerson } from './helpers/people.js';
import { freePort } from './helpers/ports.js';

/**
 * The console's Webhooks page and a callback's notifications in a real Chromium against the real
 * service, with a webhook receiver on 127.0.0.1: create (the secret shown once), test-send, the
 * delivery log, edit, disable, rotate, delete; and the notification a callback's creation sent.
 */

const found = chromiumPath();
if (!found) console.log(NO_CHROMIUM);

const WAIT = { timeout: 60_000 };
let t: TestApp;
let base: string;
let browser: Browser;
let page: Page;
let admin: TestPerson;
let api: Record<string, string>;
let actions: Headers;
let queue: { id: string; name: string };
let other: { id: string; name: string };
let receiver: Server;
let receiverUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
/** The secret the console showed on create, then on rotation. */
let secret = '';
let hookId = '';
const HOOK = 'Browser CRM';

const apiGet = async (url: string) => (await t.app.inject({ method: 'GET', url, headers: api })).json();

function verify(secretShown: string, r: { headers: IncomingHttpHeaders; body: string }) {
  return new Receiver(secretShown.replace(/^whsec_/, '')).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  }) as { id: string; type: string };
}

const go = async (label: string) => {
  if (await page.getByRole('dialog').count()) await page.keyboard.press('Escape');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label }).click();
  await page.getByRole('heading', { level: 1, name: label }).waitFor(WAIT);
};
const row = () => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: HOOK, exact: true }) });

describe.skipIf(!found)('the Webhooks page and a callback’s notifications in a real browser', () => {
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_MAX: '100000' } });
    const port = await freePort();
    await t.app.listen({ host: '127.0.0.1', port });
    base = `http://127.0.0.1:${port}`;
    admin = await makePerson(t, ['administrator'], { displayName: 'Webb Admin' });
    api = (await authHeader(t, ['administrator'])).headers;
    actions = (await authHeader(t, ['actions'])).headers;
    const make = factories(t.database.db);
    const hours = await make.hours({ weekly: ALL_WEEK });
    queue = await make.queue({ businessHoursId: hours.id, name: 'Hooked queue' });
    other = await make.queue({ businessHoursId: hours.id, name: 'Other queue' });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/callbacks`;
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(`${base}/console/`);
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor(WAIT);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => receiver?.close(r));
    await t?.close();
  });

  it('creates a webhook for one queue and event type, and shows its secret only once', async () => {
    await go('Webhooks');
    await page.getByText('No webhook yet.').waitFor(WAIT);
    await page.getByRole('button', { name: 'New webhook' }).click();
    const d = page.getByRole('dialog', { name: 'New webhook' });
    await d.getByLabel('Name').fill(HOOK);
    // The API's refusal shows at its field: plain HTTP to another host.
    await d.getByLabel('URL').fill('http://crm.example.com/hooks');
    await d.getByRole('button', { name: 'Create webhook' }).click();
    await d.getByText('must be https:// (plain http only to 127.0.0.1 or localhost)').waitFor(WAIT);
    await expect(d.getByLabel('URL').getAttribute('aria-invalid')).resolves.toBe('true');
    await d.getByLabel('URL').fill(receiverUrl);
    await d.getByRole('checkbox', { name: 'CALLBACK_CREATED' }).check();
    await d.getByRole('checkbox', { name: 'CALLBACK_CANCELLED' }).check();
    await d.getByLabel('Queues').selectOption([queue.id]);
    await d.getByRole('button', { name: 'Create webhook' }).click();

    const shown = page.getByRole('dialog', { name: 'Webhook secret' });
    await shown.getByText('Copy it now: it is shown only this once.').waitFor(WAIT);
    secret = (await shown.locator('dd .mono').nth(1).textContent())!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{20,}$/);
    await shown.getByRole('button', { name: 'Copy Signing secret' }).click();
    await shown.getByRole('status').filter({ hasText: /Signing secret copied to the clipboard|select the signing secret and copy it/ }).waitFor(WAIT);
    await shown.getByRole('button', { name: 'Done' }).click();

    const hooks = (await apiGet('/admin/v1/webhooks')).items as { id: string; name: string; url: string; eventTypes: string[]; queueIds: string[]; enabled: boolean; secretHint: string }[];
    expect(hooks).toEqual([expect.objectContaining({ name: HOOK, url: receiverUrl, eventTypes: ['CALLBACK_CREATED', 'CALLBACK_CANCELLED'], queueIds: [queue.id], enabled: true })]);
    hookId = hooks[0]!.id;
    // The list shows the queue by name, the types, and the secret only masked; a reload does not bring it back.
    await expect(row().textContent()).resolves.toContain('Hooked queue');
    await expect(row().getByRole('cell').nth(1).locator('div').allTextContents()).resolves.toEqual(['CALLBACK_CREATED', 'CALLBACK_CANCELLED']);
    await expect(row().textContent()).resolves.toContain(`…${secret.slice(-4)}`);
    await page.reload();
    await row().waitFor(WAIT);
    expect(await page.content()).not.toContain(secret);
  });

  it('sends a test: the result on the page, a message signed with the secret shown, and the attempt in the deliveries', async () => {
    const before = received.length;
    await page.getByRole('button', { name: `Send test to ${HOOK}` }).click();
    const result = page.getByRole('status').filter({ hasText: `Test of ${HOOK}:` });
    await result.waitFor(WAIT);
    await expect(result.textContent()).resolves.toMatch(/delivered, HTTP 204, in \d+ ms/);
    expect(received.length).toBe(before + 1);
    const message = received[before]!;
    expect(verify(secret, message)).toMatchObject({ type: 'WEBHOOK_TEST' });
    const messageId = (JSON.parse(message.body) as { id: string }).id;
    await expect(result.textContent()).resolves.toContain(messageId);

    await page.getByRole('button', { name: `Deliveries of ${HOOK}` }).click();
    const log = page.getByRole('dialog', { name: `Deliveries: ${HOOK}` });
    const attempt = (await apiGet(`/admin/v1/webhooks/${hookId}/deliveries`)).items[0] as { latencyMs: number; test: boolean };
    expect(attempt.test).toBe(true);
    const line = log.getByRole('row').filter({ hasText: 'test message' });
    await line.waitFor(WAIT);
    expect(await line.getByRole('cell').allTextContents()).toEqual([expect.any(String), 'test message', 'SENT', '1', `ok HTTP 204 · ${attempt.latencyMs} ms`, '—']);
    expect(await seriousViolations(page)).toEqual([]);
    await log.getByRole('button', { name: 'Close' }).click();
  });

  it('shows what a callback’s creation sent to the webhook: in the callback’s notifications and in the delivery log', async () => {
    const callbackId = await freshCallback(t, actions, queue.name, true, '+12125550166');
    // Another queue's callback makes no delivery to this webhook.
    const elsewhere = await freshCallback(t, actions, other.name, true, '+12125550167');
    const logger = createLogger('silent');
    const ctx = {
      ...jobContext({ db: t.database.db, gateway: createGateway(t.config.genesys, t.database.db, logger), clock: systemClock, caches: createCaches(), logger }),
      notifications: notifyDepsFor(t),
    };
    await notifyCallback(ctx, { callbackId });
    await notifyCallback(ctx, { callbackId: elsewhere });
    const mine = received.filter((r) => (JSON.parse(r.body) as { callback?: { callbackId: string } }).callback?.callbackId === callbackId);
    expect(mine.map((r) => verify(secret, r).type)).toEqual(['CALLBACK_CREATED']);
    expect(received.some((r) => r.body.includes(elsewhere))).toBe(false);
    const attempt = await t.database.db
      .selectFrom('notification_attempts as a')
      .innerJoin('notification_deliveries as d', 'd.id', 'a.delivery_id')
      .select(['a.latency_ms', 'd.id'])
      .where('d.callback_id', '=', callbackId)
      .executeTakeFirstOrThrow();

    await go('Callbacks');
    await page.getByLabel('Search').fill('555-0166');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: 'Open callback +12125550166' }).click();
    const d = page.getByRole('dialog', { name: 'Callback +12125550166' });
    await d.getByRole('heading', { name: 'Notifications' }).waitFor(WAIT);
    const sent = d.getByRole('table', { name: 'Notifications of this callback' }).getByRole('row').filter({ hasText: HOOK });
    await sent.waitFor(WAIT);
    const cells = await sent.getByRole('cell').allTextContents();
    expect(cells[0]).toMatch(/^CALLBACK_CREATED\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}/);
    expect(cells.slice(1, 5)).toEqual([`webhook: ${HOOK}`, 'SENT', '1', `${attempt.latency_ms} ms`]);
    // Sent: when, not an error.
    expect(cells[5]).toMatch(/\d{2}:\d{2}/);
    expect(await seriousViolations(page)).toEqual([]);
    await d.getByRole('button', { name: 'Close' }).click();

    // The other queue's callback: its notification had no receiver.
    await page.getByLabel('Search').fill('555-0167');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: 'Open callback +12125550167' }).click();
    await page.getByRole('dialog').getByText('no receiver (no webhook, SMS or app for it)').waitFor(WAIT);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    await go('Webhooks');
    await page.getByRole('button', { name: `Deliveries of ${HOOK}` }).click();
    const log = page.getByRole('dialog', { name: `Deliveries: ${HOOK}` });
    const line = log.getByRole('row').filter({ hasText: 'CALLBACK_CREATED' });
    await line.waitFor(WAIT);
    expect(await line.getByRole('cell').allTextContents()).toEqual([expect.any(String), `CALLBACK_CREATED${callbackId}`, 'SENT', '1', `ok HTTP 204 · ${attempt.latency_ms} ms`, '—']);
    await expect(log.getByText('2 deliveries shown').count()).resolves.toBe(1);
    await log.getByRole('button', { name: 'Close' }).click();
  });

  it('shows a monitor the webhooks and their deliveries, with nothing to change', async () => {
    const monitor = await makePerson(t, ['monitor']);
    const p = await browser.newPage();
    try {
      await browser.context.clearCookies();
      await p.goto(`${base}/console/`);
      await p.getByLabel('Username').fill(monitor.username);
      await p.getByLabel('Password').fill(monitor.password);
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Webhooks' }).click();
      await p.getByRole('rowheader', { name: HOOK, exact: true }).waitFor(WAIT);
      await expect(p.getByRole('button', { name: `View webhook ${HOOK}` }).count()).resolves.toBe(1);
      for (const name of ['New webhook', `Send test to ${HOOK}`, `Disable ${HOOK}`, `Rotate secret of ${HOOK}`, `Delete webhook ${HOOK}`]) await expect(p.getByRole('button', { name }).count()).resolves.toBe(0);
      await p.getByRole('button', { name: `Deliveries of ${HOOK}` }).click();
      await p.getByRole('dialog').getByRole('row').filter({ hasText: 'CALLBACK_CREATED' }).waitFor(WAIT);
    } finally {
      await p.close();
      await browser.context.clearCookies();
      await page.goto(`${base}/console/`);
      await page.getByLabel('Username').fill(admin.username);
      await page.getByLabel('Password').fill(admin.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('navigation', { name: 'Console' }).waitFor(WAIT);
      await go('Webhooks');
    }
  });

  it('edits sending only the changed field, disables and enables, rotates the secret and deletes after confirming', async () => {
    await page.getByRole('button', { name: `Edit webhook ${HOOK}` }).click();
    const d = page.getByRole('dialog', { name: `Webhook: ${HOOK}` });
    await d.getByLabel('Disable after days of failure').fill('5');
    const patch = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith(`/admin/v1/webhooks/${hookId}`));
    await d.getByRole('button', { name: 'Save webhook' }).click();
    expect((await patch).postDataJSON()).toEqual({ disableAfterDays: 5 });
    await d.waitFor({ state: 'detached', ...WAIT });
    expect(await apiGet(`/admin/v1/webhooks/${hookId}`)).toMatchObject({ disableAfterDays: 5, eventTypes: ['CALLBACK_CREATED', 'CALLBACK_CANCELLED'], queueIds: [queue.id], url: receiverUrl });

    await page.getByRole('button', { name: `Disable ${HOOK}` }).click();
    await row().getByText('disabled by an operator').waitFor(WAIT);
    expect(await apiGet(`/admin/v1/webhooks/${hookId}`)).toMatchObject({ enabled: false, disabledReason: 'disabled by an operator' });
    await page.getByRole('button', { name: `Enable ${HOOK}` }).click();
    await row().getByText('enabled', { exact: true }).waitFor(WAIT);
    expect(await apiGet(`/admin/v1/webhooks/${hookId}`)).toMatchObject({ enabled: true, disabledReason: null });

    page.once('dialog', (confirm) => void confirm.accept());
    await page.getByRole('button', { name: `Rotate secret of ${HOOK}` }).click();
    const shown = page.getByRole('dialog', { name: 'New webhook secret' });
    await shown.getByText(/The previous secret is still signed with until/).waitFor(WAIT);
    const rotated = (await shown.locator('dd .mono').nth(1).textContent())!;
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await shown.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => row().textContent(), WAIT).toContain(`…${rotated.slice(-4)}`);
    // The next message is signed with the new secret.
    const before = received.length;
    await page.getByRole('button', { name: `Send test to ${HOOK}` }).click();
    await expect.poll(() => received.length, WAIT).toBe(before + 1);
    expect(verify(rotated, received[before]!)).toMatchObject({ type: 'WEBHOOK_TEST' });

    // Dismissed: nothing is deleted; accepted: the webhook is gone.
    page.once('dialog', (confirm) => void confirm.dismiss());
    await page.getByRole('button', { name: `Delete webhook ${HOOK}` }).click();
    await expect(row().count()).resolves.toBe(1);
    expect((await t.app.inject({ method: 'GET', url: `/admin/v1/webhooks/${hookId}`, headers: api })).statusCode).toBe(200);
    page.once('dialog', (confirm) => void confirm.accept());
    await page.getByRole('button', { name: `Delete webhook ${HOOK}` }).click();
    await page.getByText('No webhook yet.').waitFor(WAIT);
    expect((await t.app.inject({ method: 'GET', url: `/admin/v1/webhooks/${hookId}`, headers: api })).statusCode).toBe(404);
  });

  it('made no request to any host but 127.0.0.1', () => {
    expect(browser.offHost).toEqual([]);
  });
});
