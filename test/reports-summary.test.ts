import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, TestClock, type TestApp } from './helpers/app.js';
import { factories } from './helpers/factories.js';

const clock = new TestClock(new Date('2030-03-04T15:00:00Z'));
let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await buildTestApp({ clock });
  admin = (await authHeader(t, ['administrator'])).headers;
});
afterAll(async () => t.close());

const get = (url: string, headers = admin) => t.app.inject({ method: 'GET', url, headers });

describe('GET /admin/v1/reports/summary: input', () => {
  it('answers an empty period with zero figures and a row per queue', async () => {
    const queue = await factories(t.database.db).queue();
    const res = await get(`/admin/v1/reports/summary?queue=${queue.name}&from=2030-03-01T00:00:00Z&to=2030-03-02T00:00:00Z`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.rows).toHaveLength(1);
    expect(body.rows[0]).toMatchObject({ group: queue.name, queueId: queue.id, offers: 0, created: 0, acceptanceRate: null, connectWaitMedianSeconds: null });
    expect(body.totals.group).toBe('total');
  });

  it.each([
    ['from=2030-03-02T00:00:00Z&to=2030-03-01T00:00:00Z', 'from'],
    ['from=2030-03-01T00:00:00Z&to=2030-03-01T00:00:00Z', 'from'],
    ['from=2027-01-01T00:00:00Z&to=2030-03-01T00:00:00Z', 'to'],
    ['from=2030-01-01T00:00:00Z&to=2030-03-01T00:00:00Z&groupBy=hour', 'to'],
    ['groupBy=week', 'groupBy'],
    ['timezone=Mars/Olympus', 'timezone'],
    ['from=yesterday', 'from'],
  ])('refuses %s naming %s', async (query, field) => {
    const res = await get(`/admin/v1/reports/summary?${query}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().field ?? res.json().message).toContain(field);
  });
});
