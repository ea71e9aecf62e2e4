import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

/** Every time an answer carries has one format: seconds, then Z (UTC) or the offset (local); no milliseconds. */
const ONE_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
const LOOKS_LIKE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function timesIn(value: unknown, path: string, out: { path: string; value: string }[]): typeof out {
  if (typeof value === 'string' && LOOKS_LIKE_TIME.test(value)) out.push({ path, value });
  else if (Array.isArray(value)) value.forEach((v, i) => timesIn(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) timesIn(v, `${path}.${k}`, out);
  return out;
}

let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await buildTestApp();
  admin = (await authHeader(t, ['administrator'])).headers;
  const make = factories(t.database.db);
  const hours = await make.hours();
  const rule = await make.rule();
  await make.queue({ businessHoursId: hours.id, capacityRuleId: rule.id });
});
afterAll(async () => t.close());

describe('one time format for every API time', () => {
  it('every admin listing answers its times without milliseconds (createdAt, updatedAt, audit at, ...)', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const listings = Object.keys(doc.paths).filter((p) => p.startsWith('/admin/v1/') && !p.includes('{') && doc.paths[p]?.get);
    expect(listings.length).toBeGreaterThan(5);
    const times: { path: string; value: string }[] = [];
    for (const url of listings) {
      const res = await t.app.inject({ method: 'GET', url, headers: admin });
      if (res.statusCode !== 200) continue;
      if (String(res.headers['content-type']).startsWith('text/csv')) {
        // The CSV export: its times are the same ISO strings, one per cell.
        for (const cell of res.body.split(/[,\r\n]+/)) if (/^\d{4}-\d\d-\d\dT/.test(cell)) times.push({ path: `${url} (csv)`, value: cell });
      } else timesIn(res.json(), url, times);
    }
    // queues, hours, capacity rules, clients and the audit entries their creation wrote at least
    expect(new Set(times.map((x) => x.path.split(/[.[]/)[0])).size).toBeGreaterThanOrEqual(5);
    expect(times.filter((x) => !ONE_FORMAT.test(x.value))).toEqual([]);
  });
});
