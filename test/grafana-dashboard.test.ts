import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

/** docker/grafana/callback-engine.json charts what /metrics really exposes, and every business metric. */

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

let t: TestApp;
let text: string;
let dashboard: { panels: Panel[]; templating: { list: { query?: unknown; definition?: string }[] } };
beforeAll(async () => {
  t = await buildTestApp({ clock: new TestClock(new Date('2030-03-04T15:00:00Z')), env: { METRICS_CACHE_SECONDS: '0' } });
  dashboard = JSON.parse(await readFile('docker/grafana/callback-engine.json', 'utf8'));
  // Some activity: creates, a refusal, a cancel.
  const actions = (await authHeader(t, ['actions'])).headers;
  const make = factories(t.database.db);
  const queue = await make.queue({ businessHoursId: (await make.hours()).id });
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `/actions/v1/callbacks/${url}`, headers: actions, payload });
  const created = (await post('create', { queue: queue.name, phoneNumber: '+12024561111' })).json();
  expect(created.outcome).toBe('CREATED');
  expect((await post('create', { queue: queue.name, phoneNumber: '+12024561111' })).json().outcome).toBe('DUPLICATE');
  expect((await post('cancel', { callbackId: created.callbackId })).json().outcome).toBe('CANCELLED');
  expect((await post('create', { queue: queue.name, phoneNumber: '+12024561112' })).json().outcome).toBe('CREATED');
  const res = await t.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  text = res.body;
});
afterAll(async () => t.close());

const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'count', 'by', 'without', 'rate', 'irate', 'increase', 'histogram_quantile', 'label_values', 'on', 'ignoring']);

/** The metric names a PromQL expression reads: identifiers outside label matchers, groupings and ranges. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
    .replace(/"[^"]*"/g, ' ');
  return [...bare.matchAll(/[A-Za-z_:][\w:]*/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w) && w.includes('_'));
}

/** The metric families /metrics declares (`# TYPE name kind`). */
function families(scrape: string): Map<string, string> {
  return new Map([...scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

function exposes(scrape: string, name: string): boolean {
  const declared = families(scrape);
  if (declared.has(name)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && declared.get(base) === 'histogram';
}

const expressions = () => [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((target) => target.expr)),
  ...dashboard.templating.list.flatMap((v) => (v.definition ? [v.definition] : [])),
];

describe('the Grafana dashboard', () => {
  it('reads only metrics the service exposes', () => {
    const used = [...new Set(expressions().flatMap(metricNames))];
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(exposes(text, name), name).toBe(true);
  });

  it('charts every business metric, and the HTTP request metrics', () => {
    const used = new Set(expressions().flatMap(metricNames).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    const business = [...families(text).keys()].filter((n) => n.startsWith('callback_engine_'));
    expect(business.length).toBeGreaterThanOrEqual(11);
    for (const name of [...business, 'http_requests_total', 'http_request_duration_seconds', 'db_pool_connections']) expect(used.has(name), name).toBe(true);
  });

  it('the activity shows in the samples the panels read', () => {
    for (const name of ['callback_engine_callbacks_created_total', 'callback_engine_create_refusals_total', 'callback_engine_callbacks_completed_total', 'callback_engine_callbacks_pending', 'callback_engine_jobs', 'http_requests_total']) {
      expect(text, name).toMatch(new RegExp(`^${name}\\{[^}]*\\} [1-9]`, 'm'));
    }
  });

  it('is a Grafana dashboard: every panel has a title and a Prometheus query, on a datasource variable', () => {
    const charts = dashboard.panels.filter((p) => p.type !== 'row');
    for (const p of charts) {
      expect(p.title).not.toBe('');
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
    expect(JSON.stringify(dashboard)).not.toMatch(/"uid":\s*"(?!\$\{datasource\}|callback-engine)/);
  });
});
