// `npm run screenshots`: starts the service on a throwaway embedded database with demo data, signs
// in to the console in Chromium and writes a PNG of each page to docs/screenshots/.
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemCaller } from '../../src/auth/caller.js';
import { systemClock } from '../../src/clock.js';
import { contextFor, createCaches } from '../../src/context.js';
import { createSimulatedGateway } from '../../src/genesys/simulated-gateway.js';
import { createUser } from '../../src/users/service.js';
import { launchBrowser } from '../helpers/browser.js';
import { startDemoServer } from './demo-server.js';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const WAIT = { timeout: 60_000 };

const PAGES: { file: string; nav: string; prepare?: (page: import('playwright-core').Page) => Promise<void> }[] = [
  { file: 'callbacks', nav: 'Callbacks' },
  {
    file: 'reports',
    nav: 'Reports',
    prepare: async (page) => {
      await page.getByRole('button', { name: 'Last 7 days' }).click();
      await page.getByRole('figure', { name: 'Slot utilization by hour of day' }).waitFor(WAIT);
    },
  },
  {
    file: 'callback-detail',
    nav: 'Callbacks',
    prepare: async (page) => {
      await page.getByRole('button', { name: /^Open callback/ }).first().click();
      await page.getByRole('dialog').getByRole('heading', { name: 'History' }).waitFor(WAIT);
      await page.getByRole('button', { name: 'Reschedule…' }).click();
      await page.getByLabel('Slot').waitFor(WAIT);
    },
  },
  {
    file: 'callback-notifications',
    nav: 'Callbacks',
    prepare: async (page) => {
      // A cancelled callback: its created and cancelled notifications, to each webhook they matched.
      await page.getByRole('button', { name: 'Open callback +12025551149' }).click();
      const table = page.getByRole('dialog').getByRole('table', { name: 'Notifications of this callback' });
      await table.getByRole('row').filter({ hasText: 'Legacy ticketing' }).waitFor(WAIT);
      await table.scrollIntoViewIfNeeded();
    },
  },
  {
    file: 'bulk-cancel',
    nav: 'Callbacks',
    prepare: async (page) => {
      for (const box of (await page.getByRole('checkbox', { name: /^Select callback/ }).all()).slice(5, 8)) await box.check();
      await page.getByRole('button', { name: 'Cancel selected…' }).click();
      await page.getByText(/^Dry run:/).waitFor(WAIT);
    },
  },
  { file: 'queues', nav: 'Queues' },
  {
    file: 'capacity',
    nav: 'Capacity',
    prepare: async (page) => {
      await page.getByLabel('Capacity rule').selectOption({ label: 'Sales desk' });
      await page.getByLabel('Queue', { exact: true }).selectOption({ label: 'Sales' });
      await page.locator('table.heat').waitFor(WAIT);
    },
  },
  {
    file: 'business-hours',
    nav: 'Business hours',
    prepare: async (page) => {
      // Four days on, by the calendar's keys: the demo's special-hours date (two days on is closed).
      await page.locator('button.day[aria-pressed="true"]').focus();
      for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
      await page.locator('button.day[aria-pressed="true"][aria-label*="special hours"]').waitFor(WAIT);
      await page.getByText('(a date exception)').waitFor(WAIT);
    },
  },
  {
    file: 'number-rules',
    nav: 'Number rules',
    prepare: async (page) => {
      await page.getByLabel('Phone number').fill('+1 900 555 0100');
      await page.getByRole('button', { name: 'Test number' }).click();
      await page.locator('dl.result').waitFor(WAIT);
    },
  },
  {
    file: 'policies',
    nav: 'Policies and campaigns',
    prepare: async (page) => {
      await page.getByRole('row').filter({ hasText: 'MAX_STEPS' }).first().getByRole('button', { name: 'Steps chart' }).click();
      await page.locator('figure.chart').waitFor(WAIT);
    },
  },
  {
    file: 'audit',
    nav: 'Audit',
    prepare: async (page) => {
      await page.getByRole('row', { name: /update capacity-rule/ }).getByRole('button', { name: 'Show changes' }).first().click();
      await page.locator('table.diff').waitFor(WAIT);
    },
  },
  {
    file: 'webhooks',
    nav: 'Webhooks',
    prepare: async (page) => {
      await page.getByRole('button', { name: 'Send test to CRM' }).click();
      await page.getByRole('status').filter({ hasText: 'Test of CRM:' }).waitFor(WAIT);
    },
  },
  {
    file: 'webhook-deliveries',
    nav: 'Webhooks',
    prepare: async (page) => {
      await page.getByRole('button', { name: 'Deliveries of CRM' }).click();
      await page.getByRole('dialog').getByRole('row').filter({ hasText: 'CALLBACK_CANCELLED' }).first().waitFor(WAIT);
    },
  },
  {
    file: 'call-in',
    nav: 'Call-In',
    prepare: async (page) => {
      await page.getByRole('row').filter({ hasText: 'MATCHED' }).first().waitFor(WAIT);
    },
  },
  { file: 'people', nav: 'Clients and users' },
  { file: 'genesys', nav: 'Genesys' },
];

// The bundle as the sources are now (a no-op when up to date).
execFileSync(process.execPath, ['console/build.mjs'], { stdio: 'inherit' });
const server = await startDemoServer();
const browser = await launchBrowser({ viewport: { width: 1360, height: 860 } });
try {
  const { password } = await createUser(
    contextFor({ db: server.database.db, clock: systemClock, gateway: createSimulatedGateway(server.database.db), caches: createCaches() }, systemCaller('demo')),
    { username: 'supervisor.sam', displayName: 'Sam Supervisor', roles: ['administrator'], queues: null },
  );
  await mkdir(OUT, { recursive: true });
  const page = await browser.newPage();
  await page.goto(`${server.baseUrl}/console/`);
  await page.getByLabel('Username').fill('supervisor.sam');
  await page.getByLabel('Password').fill(password!);
  await page.screenshot({ path: path.join(OUT, 'sign-in.png') });
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor(WAIT);
  for (const p of PAGES) {
    await page.keyboard.press('Escape');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: p.nav }).click();
    await page.getByRole('heading', { level: 1, name: p.nav }).waitFor(WAIT);
    const loaded = () => page.getByText('Loading…').first().waitFor({ state: 'detached', ...WAIT });
    await loaded();
    await p.prepare?.(page);
    await loaded();
    // A dialog covers the window, not the whole page: those are shot as the window shows them.
    const dialog = (await page.getByRole('dialog').count()) > 0;
    await page.screenshot({ path: path.join(OUT, `${p.file}.png`), fullPage: !dialog });
    process.stdout.write(`docs/screenshots/${p.file}.png\n`);
  }
  if (browser.offHost.length > 0) throw new Error(`requests to other hosts: ${browser.offHost.join(', ')}`);
} finally {
  await browser.close();
  await server.close();
}
