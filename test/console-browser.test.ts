import type { Locator, Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agingCheck } from '../src/aging/tracks.js';
import { systemClock } from '../src/clock.js';
import { createCaches } from '../src/context.js';
import { jobContext } from '../src/jobs/context.js';
import { createLogger } from '../src/logger.js';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { chromiumPath, launchBrowser, NO_CHROMIUM, seriousViolations, type Browser } from './helpers/browser.js';
import { startFakeGenesys, type FakeGenesys } from './helpers/fake-genesys.js';
import { startFakeGenesysLogin } from './helpers/fake-genesys-login.js';
import { genesysFixture } from './helpers/fixtures.js';
import { makePerson, type TestPerson } from './helpers/people.js';
import { freePort } from './helpers/ports.js';
import { gatewayFor } from './helpers/worker.js';

/**
 * The console in a real Chromium against the real service (real database, real API, cookie
 * session): one browser and one page for the file, the tests in order as a supervisor's day would
 * go. Every request the pages make is checked: none may leave for another host.
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
let actions: Record<string, string>;
let events: Record<string, string>;
let genesys: FakeGenesys;

async function listen(app: TestApp): Promise<string> {
  const port = await freePort();
  await app.app.listen({ host: '127.0.0.1', port });
  return `http://127.0.0.1:${port}`;
}

async function signIn(p: Page, url: string, person: TestPerson) {
  await p.goto(`${url}/console/`);
  await p.getByLabel('Username').fill(person.username);
  await p.getByLabel('Password').fill(person.password);
  await p.getByRole('button', { name: 'Sign in', exact: true }).click();
  await p.getByRole('navigation', { name: 'Console' }).waitFor(WAIT);
}

const go = async (label: string) => {
  // A dialog left open by a step that failed would hide the navigation from the next test.
  if (await page.getByRole('dialog').count()) await page.keyboard.press('Escape');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label }).click();
  await page.getByRole('heading', { level: 1, name: label }).waitFor(WAIT);
};

/** In the slot picker of `d`: the `day`th day offered, its first free slot; answers the slot's time. */
async function pickSlot(d: Locator, day: number): Promise<string> {
  await d.getByLabel('Day').selectOption({ index: day });
  const slot = d.getByLabel('Slot');
  // Option 0 is the "choose" (or "immediate") entry.
  await expect.poll(() => slot.locator('option').count(), WAIT).toBeGreaterThan(1);
  const chosen = (await slot.locator('option').nth(1).getAttribute('value'))!;
  await slot.selectOption(chosen);
  return chosen;
}

const apiGet = async (url: string) => (await t.app.inject({ method: 'GET', url, headers: api })).json();

describe.skipIf(!found)('the console in a real browser', () => {
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_MAX: '100000' } });
    base = await listen(t);
    admin = await makePerson(t, ['administrator'], { displayName: 'Ada Admin' });
    api = (await authHeader(t, ['administrator'])).headers;
    actions = (await authHeader(t, ['actions'])).headers;
    events = (await authHeader(t, ['events'])).headers;
    genesys = await startFakeGenesys();
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await genesys?.close();
  });

  it('signs in with Username and Password', async () => {
    await page.goto(`${base}/console/`);
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('The username or password is not right.').waitFor(WAIT);
    await signIn(page, base, admin);
    await expect(page.getByText('Ada Admin').isVisible()).resolves.toBe(true);
  });

  it('creates business hours, a capacity rule and a queue using them', async () => {
    await go('Business hours');
    await page.getByRole('button', { name: 'New business hours' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Browser hours');
    await dialog.getByLabel('Time zone').fill('America/New_York');
    await dialog.getByRole('button', { name: 'Create business hours' }).click();
    await page.getByRole('heading', { name: /Browser hours/ }).waitFor(WAIT);
    // Open all week, so the slot picker has slots whenever the test runs.
    for (const day of ['Sun', 'Sat']) {
      await page.getByRole('group', { name: day }).getByRole('button', { name: 'add interval' }).click();
      await page.getByLabel(`${day} interval 1 start`).fill('00:00');
      await page.getByLabel(`${day} interval 1 end`).fill('24:00');
    }
    for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']) {
      await page.getByLabel(`${day} interval 1 start`).fill('00:00');
      await page.getByLabel(`${day} interval 1 end`).fill('24:00');
    }
    await page.getByRole('button', { name: 'Save business hours' }).click();
    await expect.poll(async () => ((await apiGet('/admin/v1/business-hours')).items as { name: string; weekly: Record<string, unknown> }[]).find((h) => h.name === 'Browser hours')?.weekly.sunday, WAIT).toEqual([{ start: '00:00', end: '24:00' }]);

    await go('Capacity');
    await page.getByRole('button', { name: 'New capacity rule' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('Browser capacity');
    await page.getByRole('dialog').getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('heading', { name: /Browser capacity/ }).waitFor(WAIT);
    await page.getByLabel('Set all cells to').fill('4');
    await page.getByRole('button', { name: 'Set all' }).click();
    await page.getByRole('button', { name: 'Save grid' }).click();
    await expect.poll(async () => ((await apiGet('/admin/v1/capacity-rules')).items as { name: string; cells: Record<string, Record<string, number>> }[]).find((r) => r.name === 'Browser capacity')?.cells.wednesday?.['13:00'], WAIT).toBe(4);

    await go('Queues');
    await page.getByRole('button', { name: 'New queue' }).click();
    const q = page.getByRole('dialog');
    await q.getByLabel('Name').fill('Browser queue');
    // A field error from the API shows next to its field.
    await q.getByLabel('Time zone').fill('Mars/Olympus');
    await q.getByLabel('Business hours').selectOption({ label: 'Browser hours' });
    await q.getByLabel('Capacity rule').selectOption({ label: 'Browser capacity' });
    await q.getByRole('button', { name: 'Create queue' }).click();
    await expect.poll(() => q.getByLabel('Time zone').getAttribute('aria-invalid'), WAIT).toBe('true');
    await q.locator('.field.invalid .field-error').waitFor(WAIT);
    await q.getByLabel('Time zone').fill('America/New_York');
    await q.getByRole('button', { name: 'Create queue' }).click();
    await page.getByRole('rowheader', { name: /Browser queue/ }).waitFor(WAIT);
    const queue = ((await apiGet('/admin/v1/queues')).items as { name: string; businessHoursId: string | null; capacityRuleId: string | null }[]).find((x) => x.name === 'Browser queue');
    expect(queue?.businessHoursId).not.toBeNull();
    expect(queue?.capacityRuleId).not.toBeNull();
  });

  it('books a callback from the slot picker and finds it by part of its number', async () => {
    await go('Callbacks');
    await page.getByRole('button', { name: 'Create a callback' }).click();
    const d = page.getByRole('dialog');
    await d.getByLabel('Queue').selectOption({ label: 'Browser queue' });
    await d.getByLabel('Phone number').fill('+12125550142');
    await d.getByLabel('Customer name').fill('Browser Customer');
    await d.getByRole('button', { name: 'Choose a time…' }).click();
    await d.getByLabel('Day').selectOption({ index: 1 });
    await d.getByLabel('Slot').selectOption({ index: 1 });
    await d.getByRole('button', { name: 'Create callback' }).click();
    await d.getByText(/^CREATED:/).waitFor(WAIT);
    await d.getByRole('button', { name: 'Close' }).click();
    await page.getByLabel('Search').fill('555-0142');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('cell', { name: 'Browser Customer' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Open callback +12125550142' }).click();
    await page.getByRole('dialog').getByRole('heading', { name: 'History' }).waitFor(WAIT);
    await page.getByRole('dialog').getByText('Ada Admin').first().waitFor(WAIT);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
  });

  it('reschedules a callback with the slot picker: its new time and the history', async () => {
    const before = ((await apiGet('/admin/v1/callbacks/search?q=%2B12125550142')).items as { id: string; scheduledTime: string }[])[0]!;
    await page.getByRole('button', { name: 'Open callback +12125550142' }).click();
    const d = page.getByRole('dialog');
    await d.getByRole('button', { name: 'Reschedule…' }).click();
    // Another day than the one it was booked on (the second day offered): a new time for sure.
    const chosen = await pickSlot(d, 2);
    await d.getByRole('button', { name: 'Reschedule', exact: true }).click();
    await d.locator('ol.history li').filter({ hasText: 'rescheduled' }).filter({ hasText: 'Ada Admin' }).waitFor(WAIT);
    const after = await apiGet(`/admin/v1/callbacks/${before.id}`);
    expect(new Date(after.scheduledTime).getTime()).toBe(new Date(chosen).getTime());
    expect(after.scheduledTime).not.toBe(before.scheduledTime);
    // The dialog shows the new time, as the desk formats times.
    const shown = await d.locator('dl.facts dt:text-is("Scheduled") + dd').textContent();
    await d.getByRole('button', { name: 'Close' }).first().click();
    const row = page.getByRole('row', { name: /Browser Customer/ });
    await row.waitFor(WAIT);
    await expect.poll(() => row.textContent(), WAIT).toContain(shown!);
  });

  it('bulk-cancels after a dry-run confirmation, then shows the summary', async () => {
    for (const n of ['+12125550171', '+12125550172', '+12125550173']) {
      const res = await t.app.inject({ method: 'POST', url: '/actions/v1/callbacks/create', headers: actions, payload: { queue: 'Browser queue', phoneNumber: n } });
      expect(res.json().outcome).toBe('CREATED');
    }
    await page.getByLabel('Search').fill('55501');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('cell', { name: '+12125550173', exact: true }).waitFor(WAIT);
    for (const n of ['+12125550171', '+12125550172', '+12125550173']) await page.getByLabel(`Select callback ${n}`).check();
    await page.getByRole('button', { name: 'Cancel selected…' }).click();
    const d = page.getByRole('dialog');
    await d.getByText('Dry run: 3 of 3 would be cancelled.').waitFor(WAIT);
    // Nothing is cancelled before the confirmation.
    const pending = await apiGet('/admin/v1/callbacks/search?q=%2B1212555017&state=QUEUED');
    expect(pending.items).toHaveLength(3);
    await d.getByRole('button', { name: 'Cancel 3 callbacks' }).click();
    await d.getByText('Cancelled 3 of 3.').waitFor(WAIT);
    await d.getByRole('button', { name: 'Close' }).first().click();
    const after = await apiGet('/admin/v1/callbacks/search?q=%2B1212555017');
    expect((after.items as { state: string; completionReason: string }[]).map((c) => [c.state, c.completionReason])).toEqual(Array(3).fill(['COMPLETED', 'CANCELLED_BY_ADMIN']));
  });

  it('recreates a cancelled callback at a slot from the picker', async () => {
    await page.getByRole('button', { name: 'Open callback +12125550171' }).click();
    const d = page.getByRole('dialog');
    await d.getByText('COMPLETED (CANCELLED_BY_ADMIN)').waitFor(WAIT);
    await d.getByRole('button', { name: 'Recreate…' }).click();
    const chosen = await pickSlot(d, 1);
    await d.getByRole('button', { name: 'Recreate', exact: true }).click();
    await d.getByRole('status').filter({ hasText: 'Answer' }).waitFor(WAIT);
    const all = (await apiGet('/admin/v1/callbacks/search?q=%2B12125550171')).items as { id: string; state: string; scheduledTime: string | null }[];
    const fresh = all.filter((c) => c.state === 'SCHEDULED');
    expect(all).toHaveLength(2);
    expect(fresh).toHaveLength(1);
    expect(new Date(fresh[0]!.scheduledTime!).getTime()).toBe(new Date(chosen).getTime());
    // The answer names the new callback.
    await expect(d.getByRole('status').textContent()).resolves.toContain(fresh[0]!.id);
    await d.getByRole('button', { name: 'Close' }).first().click();
  });

  it('marks a closed date on the exceptions calendar: the preview shows no slots that day', async () => {
    await go('Business hours');
    await page.getByRole('combobox', { name: 'Business hours' }).selectOption({ label: 'Browser hours' });
    await page.getByRole('heading', { name: /Browser hours/ }).waitFor(WAIT);
    const today = new Date();
    const target = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 15));
    const iso = target.toISOString().slice(0, 10);
    const name = (d: Date) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
    await page.getByRole('button', { name: 'Next month' }).click();
    await page.getByRole('heading', { name: target.toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }), exact: true }).waitFor(WAIT);
    // By keyboard: from the 14th, the right arrow chooses the 15th.
    await page.getByRole('button', { name: name(new Date(target.getTime() - 86_400_000)), exact: true }).click();
    await page.keyboard.press('ArrowRight');
    const day = page.getByRole('button', { name: name(target), exact: true });
    await expect.poll(() => day.getAttribute('aria-pressed'), WAIT).toBe('true');
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.getAttribute("data-date")'), WAIT).toBe(iso);
    // Open all day (the weekly hours), 30-minute slots: 48 of them, but on a DST change.
    const preview = page.getByRole('region', { name: 'Slot grid of a date' });
    await preview.getByText(/; (46|48|50) slots\./).waitFor(WAIT);
    await page.getByRole('button', { name: 'Closed this date' }).click();
    await page.getByRole('button', { name: `${name(target)}, closed` }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Save business hours' }).click();
    await expect
      .poll(async () => ((await apiGet('/admin/v1/business-hours')).items as { name: string; exceptions: unknown[] }[]).find((h) => h.name === 'Browser hours')?.exceptions, WAIT)
      .toEqual([{ date: iso, closed: true, intervals: [] }]);
    await preview.getByText(/: closed \(a date exception\); 0 slots\./).waitFor(WAIT);
    await expect(preview.locator('ol.slots li').count()).resolves.toBe(0);
    // Still the chosen date after the save, and marked.
    await expect.poll(() => page.getByRole('button', { name: `${name(target)}, closed` }).getAttribute('aria-pressed'), WAIT).toBe('true');
  });

  it('attaches a state holiday calendar and a yearly rule to business hours, and shows a year’s special days', async () => {
    const made = await t.app.inject({ method: 'POST', url: '/admin/v1/business-hours', headers: api, payload: { name: 'Holiday hours', timezone: 'America/New_York', weekly: {} } });
    expect(made.statusCode).toBe(201);
    await go('Capacity');
    await go('Business hours');
    // The page first shows the first hours of the list; choose the new ones after that.
    await page.getByRole('heading', { name: /Browser hours/ }).waitFor(WAIT);
    await page.getByRole('combobox', { name: 'Business hours' }).selectOption({ label: 'Holiday hours' });
    await page.getByRole('heading', { name: /Holiday hours/ }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Add a holiday calendar' }).click();
    const calendar = page.getByRole('group', { name: 'Holiday calendar 1' });
    await expect.poll(() => calendar.getByLabel('State or province').locator('option').count(), WAIT).toBeGreaterThan(50);
    await calendar.getByLabel('State or province').selectOption('NY');
    await page.getByRole('button', { name: 'Add a yearly rule' }).click();
    const rule = page.getByRole('group', { name: 'Yearly rule 1' });
    await rule.getByLabel('Rule name').fill('Last Friday of May');
    await rule.getByLabel('Repeats').selectOption('weekday');
    await rule.getByLabel('Which').selectOption('-1');
    await rule.getByLabel('Weekday').selectOption('friday');
    await rule.getByLabel('Month').selectOption('5');
    await page.getByRole('button', { name: 'Save business hours' }).click();
    const saved = () => apiGet(`/admin/v1/business-hours/${made.json().id}`);
    await expect.poll(async () => (await saved()).holidayCalendars, WAIT).toEqual([{ country: 'US', state: 'NY' }]);
    expect((await saved()).recurring).toEqual([{ name: 'Last Friday of May', month: 5, weekday: 'friday', nth: -1, closed: true, intervals: [] }]);
    const special = page.getByRole('region', { name: 'Special days of a year' });
    await special.getByLabel('Year').fill('2027');
    await special.getByRole('row', { name: /2027-11-25/ }).getByText('Thanksgiving Day').waitFor(WAIT);
    await special.getByRole('row', { name: /2027-05-28/ }).getByText('Last Friday of May').waitFor(WAIT);
  });

  it('edits one cell of the capacity grid', async () => {
    await go('Capacity');
    await page.getByLabel('Capacity rule').selectOption({ label: 'Browser capacity' });
    await page.getByLabel('tuesday 09:00').fill('7');
    await page.getByRole('button', { name: 'Save grid' }).click();
    await expect.poll(async () => ((await apiGet('/admin/v1/capacity-rules')).items as { name: string; cells: Record<string, Record<string, number>> }[]).find((r) => r.name === 'Browser capacity')?.cells.tuesday?.['09:00'], WAIT).toBe(7);
    await page.getByRole('heading', { name: 'Utilization, next 14 days' }).waitFor(WAIT);
  });

  it('tests a number: the outcome and the matched pattern', async () => {
    await t.app.inject({ method: 'POST', url: '/admin/v1/number-rules', headers: api, payload: { name: 'Browser numbers', permittedCountries: ['US'], blockedPatterns: ['^1900'] } });
    await go('Number rules');
    await page.getByLabel('Number rule', { exact: true }).selectOption({ label: 'Browser numbers' });
    await page.getByLabel('Phone number').fill('+19005550100');
    await page.getByRole('button', { name: 'Test number' }).click();
    await page.getByText('BLOCKED_PATTERN').waitFor(WAIT);
    await expect(page.locator('dl.result dd.mono').first().textContent()).resolves.toBe('^1900');
  });

  it('lists call-in requests on the Call-In page, filtered by group and state', async () => {
    const made = async (name: string, number: string) =>
      (await t.app.inject({ method: 'POST', url: '/admin/v1/call-in-groups', headers: api, payload: { name, dnis: [{ number }] } })).json() as { id: string };
    const app = await made('Browser app call-in', '+18005550120');
    const web = await made('Browser web call-in', '+18005550121');
    const now = Date.now();
    await t.database.db
      .insertInto('call_in_requests')
      .values([
        { group_id: app.id, from_phone_e164: '+12125550131', to_number: '+18005550120', access_code_hash: 'x', exclusive: false, state: 'MATCHED', expires_at: new Date(now + 60_000), user_data: '{}', created_by: 'test' },
        { group_id: app.id, from_phone_e164: '+12125550132', to_number: '+18005550120', exclusive: false, state: 'LOCKED', expires_at: new Date(now + 60_000), user_data: '{}', created_by: 'test' },
        { group_id: web.id, from_phone_e164: '+12125550133', to_number: '+18005550121', exclusive: false, state: 'MATCHED', expires_at: new Date(now + 60_000), user_data: '{}', created_by: 'test' },
      ])
      .execute();
    await go('Call-In');
    await page.getByText('+12125550133').waitFor(WAIT);
    await page.getByLabel('Group').selectOption({ label: 'Browser app call-in' });
    await page.getByLabel('State').selectOption('MATCHED');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('Records 1–1 of 1').waitFor(WAIT);
    await expect(page.locator('table.grid tbody tr').count()).resolves.toBe(1);
    await expect(page.locator('table.grid tbody tr td').nth(2).textContent()).resolves.toBe('+12125550131');
  });

  it('draws the priority steps of an aging track as a chart', async () => {
    const policy = await t.app.inject({ method: 'POST', url: '/admin/v1/prioritization-policies', headers: api, payload: { name: 'Browser aging', mode: 'step', intervalSeconds: 60, increment: 5, maxSteps: 10, maxPriority: 100 } });
    expect(policy.statusCode, policy.body).toBe(201);
    const genesysQueueId = randomUUID();
    const queue = await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: api, payload: { name: 'Browser aging queue', timezone: 'UTC', genesysQueueId, slotCapacity: 1, prioritizationPolicyId: policy.json().id } });
    expect(queue.statusCode, queue.body).toBe(201);
    // A callback waiting in the Genesys queue at priority 10.
    const conversationId = genesys.seedConversation({
      participants: [
        { purpose: 'customer', callbacks: [{ state: 'connected' }] },
        { purpose: 'acd', queueId: genesysQueueId, callbacks: [{ state: 'connected' }], conversationRoutingData: { priority: 10 } },
      ],
    });
    const started = await t.app.inject({ method: 'POST', url: '/events/v1/conversation-acd-start', headers: events, payload: { ...genesysFixture('acd-start-callback.json'), conversationId, queueId: genesysQueueId, eventTime: Date.now() } });
    expect(started.json().action).toBe('TRACKING_STARTED');
    const deps = jobContext({ db: t.database.db, gateway: gatewayFor(genesys), clock: systemClock, caches: createCaches(), logger: createLogger('silent') });
    for (let i = 0; i < 3; i++) await agingCheck(deps, { conversationId });
    await go('Policies and campaigns');
    const row = page.getByRole('row').filter({ hasText: conversationId });
    await row.getByRole('button', { name: 'Steps chart' }).click();
    await page.getByRole('img', { name: `Priority of ${conversationId} from 10 to 25 over 3 steps` }).waitFor(WAIT);
    await expect(page.locator('figure.chart circle').count()).resolves.toBe(4);
    await page.getByText('ACTIVE: 3 step(s), priority 10 → 25').waitFor(WAIT);
  });

  it('reports a range and a queue: the figures the API answers, charts with their data, the filters in the URL and the downloads', async () => {
    const ids = ((await apiGet('/admin/v1/business-hours')).items as { id: string; name: string }[]).find((h) => h.name === 'Browser hours')!.id;
    const rule = ((await apiGet('/admin/v1/capacity-rules')).items as { id: string; name: string }[]).find((r) => r.name === 'Browser capacity')!.id;
    const made = await t.app.inject({ method: 'POST', url: '/admin/v1/queues', headers: api, payload: { name: 'Reports queue', timezone: 'America/New_York', businessHoursId: ids, capacityRuleId: rule } });
    expect(made.statusCode, made.body).toBe(201);
    const act = async (url: string, payload: object) => {
      const res = await t.app.inject({ method: 'POST', url, headers: actions, payload: { queue: 'Reports queue', ...payload } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { outcome: string; callbackId?: string };
    };
    // Three offers, two accepted; two callbacks created, two create requests refused.
    for (const [conversationId, result] of [['rep-c1', 'ACCEPTED'], ['rep-c2', 'ACCEPTED'], ['rep-c3', 'DECLINED']] as const) {
      expect((await act('/actions/v1/offers', { conversationId, offered: 'IMMEDIATE', result })).outcome).toBe('RECORDED');
    }
    const first = await act('/actions/v1/callbacks/create', { phoneNumber: '+12125550191', conversationId: 'rep-c1' });
    const second = await act('/actions/v1/callbacks/create', { phoneNumber: '+12125550192', conversationId: 'rep-c2' });
    expect([first.outcome, second.outcome]).toEqual(['CREATED', 'CREATED']);
    expect((await act('/actions/v1/callbacks/create', { phoneNumber: '+12125550191' })).outcome).toBe('DUPLICATE');
    expect((await act('/actions/v1/callbacks/create', { phoneNumber: '+1 000' })).outcome).toBe('INVALID_NUMBER');
    // Agents connected 90 and 210 seconds after the callbacks were created (ten minutes ago).
    const created = new Date(Date.now() - 10 * 60_000);
    for (const [id, wait] of [[first.callbackId!, 90], [second.callbackId!, 210]] as const) {
      await t.database.db.updateTable('callbacks').set({ created_at: created }).where('id', '=', id).execute();
      await t.database.db
        .insertInto('callback_history')
        .values({ callback_id: id, at: new Date(created.getTime() + wait * 1000), actor: 'test', actor_name: 'test', actor_kind: 'system', event: 'user.start', from_state: null, to_state: null, reason: null, detail: null })
        .execute();
    }

    await go('Reports');
    await page.getByRole('checkbox', { name: 'Reports queue' }).check();
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.getByText(/^Reports queue · /).waitFor(WAIT);
    // The view is in the URL: the range, the queue, the grouping.
    const url = new URL(page.url());
    expect(url.pathname).toBe('/console/reports');
    expect(url.searchParams.getAll('queue')).toEqual(['Reports queue']);
    expect(url.searchParams.get('groupBy')).toBe('day');
    const from = url.searchParams.get('from')!;
    const to = url.searchParams.get('to')!;
    const zone = 'America/New_York';
    const day = DateTime.now().setZone(zone);
    expect([from, to]).toEqual([day.minus({ days: 6 }).toISODate(), day.toISODate()]);

    // The API's answer for the same range and queue.
    const range = { from: DateTime.fromISO(from, { zone }).toUTC().toISO()!, to: DateTime.fromISO(to, { zone }).plus({ days: 1 }).toUTC().toISO()! };
    const answer = await apiGet(`/admin/v1/reports/summary?${new URLSearchParams({ ...range, queue: 'Reports queue', groupBy: 'day', timezone: zone })}`);
    const totals = answer.totals as { [k: string]: number | null; acceptanceRate: number | null; slotUtilization: number | null; connectWaitMedianSeconds: number | null; connectWaitP90Seconds: number | null } & { refusals: Record<string, number> };
    expect(totals).toMatchObject({ offers: 3, offersAccepted: 2, acceptanceRate: 0.6667, created: 2, refused: 2, connects: 2 });
    expect(totals.refusals).toMatchObject({ DUPLICATE: 1, INVALID_NUMBER: 1 });
    const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
    const duration = (v: number | null) => {
      if (v === null) return '—';
      const sec = Math.round(v);
      return sec < 60 ? `${sec} s` : sec % 60 === 0 ? `${Math.floor(sec / 60)} min` : `${Math.floor(sec / 60)} min ${sec % 60} s`;
    };
    const tile = (name: string) => page.locator('dl.tiles .tile').filter({ has: page.locator('dt', { hasText: new RegExp(`^${name}$`) }) }).locator('dd');
    await expect.poll(() => tile('Acceptance rate').textContent(), WAIT).toBe(percent(totals.acceptanceRate));
    expect(await tile('Acceptance rate').textContent()).toBe('66.7%');
    expect(await tile('Refused').textContent()).toBe(String(totals.refused));
    expect(await tile('Median wait to connect').textContent()).toBe(duration(totals.connectWaitMedianSeconds));
    expect(await tile('90th percentile wait').textContent()).toBe(duration(totals.connectWaitP90Seconds));
    expect(await tile('Slot utilization').textContent()).toBe(percent(totals.slotUtilization));

    // Each chart has its numbers in a table for screen readers, and on the chart.
    const refusals = page.getByRole('table', { name: 'Refusals by outcome: data' });
    await expect(refusals.getByRole('row', { name: 'duplicate 1' }).count()).resolves.toBe(1);
    await expect(refusals.getByRole('row', { name: 'invalid number 1' }).count()).resolves.toBe(1);
    await page.getByRole('img', { name: /^Refusals by outcome: 1 duplicate, 1 invalid number$/ }).waitFor(WAIT);
    const todayRow = (answer.rows as { group: string; connectWaitMedianSeconds: number | null; connectWaitP90Seconds: number | null }[]).find((r) => r.group === to)!;
    const waits = page.getByRole('table', { name: 'Wait to connect by day: median and 90th percentile: data' });
    await expect(waits.getByRole('row', { name: to }).getByRole('cell').allTextContents()).resolves.toEqual([duration(todayRow.connectWaitMedianSeconds), duration(todayRow.connectWaitP90Seconds), '2']);
    await expect(page.getByRole('img', { name: /^Acceptance rate by day; overall 66\.7% of 3 offers$/ }).locator('text.value').filter({ hasText: '66.7%' }).count()).resolves.toBe(1);
    // Utilization by hour of day, from the hourly summary of the same range.
    const hourly = await apiGet(`/admin/v1/reports/summary?${new URLSearchParams({ ...range, queue: 'Reports queue', groupBy: 'hour', timezone: zone })}`);
    const nine = (hourly.rows as { group: string; slotsBooked: number; slotsCapacity: number }[]).filter((r) => r.group.endsWith('T09:00'));
    const [booked, capacity] = [nine.reduce((a, r) => a + r.slotsBooked, 0), nine.reduce((a, r) => a + r.slotsCapacity, 0)];
    expect(capacity).toBeGreaterThan(0);
    const utilization = page.getByRole('table', { name: 'Slot utilization by hour of day: data' });
    await expect(utilization.getByRole('row', { name: /^09:00 / }).getByRole('cell').allTextContents()).resolves.toEqual([percent(Math.round((booked / capacity) * 10_000) / 10_000), String(booked), String(capacity)]);

    // The downloads carry the page's range and queue.
    const exportHref = new URL((await page.getByRole('link', { name: 'Callbacks CSV' }).getAttribute('href'))!, base);
    expect(exportHref.pathname).toBe('/admin/v1/callbacks/export');
    expect(Object.fromEntries(exportHref.searchParams)).toEqual({ ...range, timezone: zone, format: 'csv', queue: 'Reports queue' });
    expect(await page.getByRole('link', { name: 'Callbacks CSV' }).getAttribute('download')).toBe('callbacks.csv');
    const summaryHref = new URL((await page.getByRole('link', { name: 'Summary CSV' }).getAttribute('href'))!, base);
    expect(summaryHref.pathname).toBe('/admin/v1/reports/summary');
    expect(Object.fromEntries(summaryHref.searchParams)).toEqual({ ...range, timezone: zone, groupBy: 'day', format: 'csv', queue: 'Reports queue' });

    // The link reproduces the view.
    await page.goto(url.href);
    await page.getByText(/^Reports queue · /).waitFor(WAIT);
    await expect(page.getByRole('checkbox', { name: 'Reports queue' }).isChecked()).resolves.toBe(true);
    await expect.poll(() => tile('Acceptance rate').textContent(), WAIT).toBe('66.7%');

    // By queue: one bar per queue; a range without data: the empty state.
    await page.getByLabel('Group by').selectOption('queue');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.getByRole('img', { name: /^Acceptance rate by queue;/ }).waitFor(WAIT);
    await expect(page.getByRole('table', { name: 'Acceptance rate by queue: data' }).getByRole('row', { name: 'Reports queue 66.7% 2 3' }).count()).resolves.toBe(1);
    // An empty date is named at its field; the report shown stays.
    await page.getByLabel('From', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.getByText('From is not a date').waitFor(WAIT);
    await expect(page.getByLabel('From', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(tile('Acceptance rate').textContent()).resolves.toBe('66.7%');
    await page.getByLabel('From', { exact: true }).fill('2001-01-01');
    await page.getByLabel('To', { exact: true }).fill('2001-01-31');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.getByText('No offers, callbacks, refusals, connects or open slots in this range for these queues.').waitFor(WAIT);
    await expect(page.locator('figure.report-chart').count()).resolves.toBe(0);
  });

  it('shows Reports to a monitor, with only the queues of its allow-list to pick', async () => {
    const monitor = await makePerson(t, ['monitor'], { queues: ['Reports queue'] });
    const p = await browser.newPage();
    try {
      await browser.context.clearCookies();
      await signIn(p, base, monitor);
      await p.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Reports' }).click();
      await p.getByRole('heading', { level: 1, name: 'Reports' }).waitFor(WAIT);
      // The queue picker offers the caller's queues only.
      await p.getByRole('checkbox', { name: 'Reports queue' }).waitFor(WAIT);
      await expect(p.getByRole('group', { name: /^Queues/ }).getByRole('checkbox').count()).resolves.toBe(1);
    } finally {
      await p.close();
      await browser.context.clearCookies();
      await signIn(page, base, admin);
    }
  });

  it('has no serious or critical accessibility violation on any page', async () => {
    const report: Record<string, unknown> = {};
    for (const label of ['Callbacks', 'Reports', 'Queues', 'Capacity', 'Business hours', 'Number rules', 'Policies and campaigns', 'Call-In', 'Audit', 'Webhooks', 'Clients and users', 'Genesys']) {
      await go(label);
      await page.waitForLoadState('networkidle');
      const violations = await seriousViolations(page);
      if (violations.length > 0) report[label] = violations;
    }
    expect(report).toEqual({});
  });

  it('refuses a write without the CSRF token', async () => {
    const answer = await page.evaluate(`fetch('/admin/v1/queues', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'forged', timezone: 'UTC' }) }).then(async (r) => ({ status: r.status, body: await r.json() }))`);
    expect(answer).toMatchObject({ status: 403, body: { error: 'CSRF' } });
    expect(((await apiGet('/admin/v1/queues')).items as { name: string }[]).some((q) => q.name === 'forged')).toBe(false);
  });

  it('signs out: the sign-in page, and the session is gone', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor(WAIT);
    const status = await page.evaluate(`fetch('/auth/v1/session').then((r) => r.status)`);
    expect(status).toBe(401);
  });

  it('signs in with Genesys Cloud against the fake Genesys login, with the access the group maps to', async () => {
    const port = await freePort();
    const genesysBase = `http://127.0.0.1:${port}`;
    const fake = await startFakeGenesysLogin({ redirectUris: [`${genesysBase}/auth/v1/genesys/callback`] });
    const app = await buildTestApp({ url: t.url, env: { PUBLIC_BASE_URL: genesysBase, GENESYS_LOGIN_CLIENT_ID: fake.clientId, GENESYS_LOGIN_BASE_URL: fake.baseUrl } });
    try {
      await app.app.listen({ host: '127.0.0.1', port });
      const group = { id: '5f0c3b1e-8a3d-4a47-9f57-1f2d3c4b5a69', name: 'Callback supervisors' };
      const put = await app.app.inject({
        method: 'PUT',
        url: '/admin/v1/genesys-sign-in/mappings',
        headers: api,
        payload: { items: [{ kind: 'group', genesysId: group.id, label: group.name, roles: ['supervisor'], queues: ['Browser queue'] }] },
      });
      expect(put.statusCode, put.body).toBe(200);
      fake.signedIn = { id: 'b7a1c2d3-0000-4000-8000-000000000001', name: 'Grace Genesys', username: 'grace@example.org', groups: [group], roles: [] };
      await browser.context.clearCookies();
      const p = await browser.newPage();
      await p.goto(`${genesysBase}/console/`);
      await p.getByRole('link', { name: 'Sign in with Genesys Cloud' }).click();
      await p.getByRole('navigation', { name: 'Console' }).waitFor(WAIT);
      await p.getByText('Grace Genesys').waitFor(WAIT);
      await p.getByText('(supervisor)').waitFor(WAIT);
      // The allow-list of the mapping applies: only that queue's callbacks.
      await p.getByRole('cell', { name: 'Browser Customer', exact: true }).waitFor(WAIT);
      expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['GET /oauth/authorize', 'POST /oauth/token', 'GET /api/v2/users/me']));
      await p.close();
    } finally {
      await app.close();
      await fake.close();
    }
  });

  it('ends an idle session with the inactivity notice', async () => {
    const clock = new TestClock(new Date());
    const idleApp = await buildTestApp({ url: t.url, clock, env: { CONSOLE_IDLE_TIMEOUT_MINUTES: '20' } });
    try {
      const idleBase = await listen(idleApp);
      // The cookie is per host, not per port: start this browser signed out.
      await browser.context.clearCookies();
      const idlePage = await browser.newPage();
      await idlePage.clock.install();
      await signIn(idlePage, idleBase, admin);
      // Every request of the first page answered before the clocks move.
      await idlePage.getByText(/\d+ shown/).waitFor(WAIT);
      await idlePage.waitForLoadState('networkidle');
      // 21 minutes without a request, on the server's clock and the browser's.
      clock.advance(21 * 60_000);
      await idlePage.clock.fastForward('21:00');
      await idlePage.getByText('Your session ended after 20 minutes of inactivity. Sign in again.').waitFor(WAIT);
      await idlePage.getByLabel('Username').waitFor(WAIT);
      await idlePage.close();
    } finally {
      await idleApp.close();
    }
  });

  it('made no request to any host but 127.0.0.1', () => {
    expect(browser.offHost).toEqual([]);
  });
});
