import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeader, buildTestApp, type TestApp } from './helpers/app.js';
import { flatFields, OUTBOUND } from '../src/events/topics.js';

/** What the README tells an integrator to send matches what the routes accept and require. */

let t: TestApp;
let events: { authorization: string };
let readme: string;
beforeAll(async () => {
  t = await buildTestApp();
  events = (await authHeader(t, ['events'])).headers;
  readme = await readFile('README.md', 'utf8');
});
afterAll(async () => t.close());

const names = (text: string) => [...text.matchAll(/`(\w+)`/g)].map((m) => m[1]!);

describe('README: preview-accepted inputs', () => {
  it('names the required inputs (refused with 400 when missing) and the aliases; every other body field is the outbound topic’s', async () => {
    const sentence = /`preview-accepted` takes [^]*?\n\n/.exec(readme)?.[0];
    expect(sentence).toBeDefined();
    const [requiredPart, optionalPart] = sentence!.split('(required');
    const required = names(requiredPart!.replace('`preview-accepted`', ''));
    const optional = names(optionalPart!).filter((n) => n !== 'jsonData');

    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const body = spec.paths['/events/v1/preview-accepted'].post.requestBody.content['application/json'].schema;
    const topicFields = flatFields(OUTBOUND).map((f) => f.name);
    expect([...new Set([...required, ...optional, ...topicFields, 'jsonData'])].sort()).toEqual(Object.keys(body.properties).sort());
    for (const name of [...required, ...optional]) expect(Object.keys(body.properties)).toContain(name);

    const full: Record<string, string> = { conversationId: 'conv-readme', addressTo: 'tel:+13175550123', outboundContactId: 'c-1', outboundContactListId: 'l-1' };
    expect(required.sort()).toEqual(Object.keys(full).sort());
    const send = (payload: object) => t.app.inject({ method: 'POST', url: '/events/v1/preview-accepted', headers: events, payload });
    for (const field of required) {
      const { [field]: _left, ...rest } = full;
      const res = await send(rest);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().field, field).toBe(field);
    }
    const res = await send(full);
    expect(res.statusCode).toBe(200);
    expect(res.json().action).toBe('RECORDED');
  });
});

describe('README: the business metrics', () => {
  it('the Operations table lists exactly the business metrics /metrics exposes, each with its labels', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    const exposed = [...res.body.matchAll(/^# TYPE (callback_engine_\w+) (\w+)$/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
    const rows = [...readme.matchAll(/^\s*\| `(callback_engine_\w+)` \| (\w+) \| ([^|]*) \|/gm)].map((m) => ({ name: m[1]!, type: m[2]!, labels: names(m[3]!) }));
    expect(rows.map((r) => r.name).sort()).toEqual(exposed.map((e) => e.name).sort());
    for (const e of exposed) expect(rows.find((r) => r.name === e.name)?.type, e.name).toBe(e.type);
    // The labels a sample carries are the ones the table names.
    for (const line of res.body.split('\n').filter((l) => /^callback_engine_\w+\{/.test(l))) {
      const name = line.slice(0, line.indexOf('{')).replace(/_bucket$/, '');
      const labels = [...line.matchAll(/(\w+)="/g)].map((m) => m[1]!).filter((l) => l !== 'le');
      expect(labels.sort(), line).toEqual(rows.find((r) => r.name === name)!.labels.sort());
    }
  });
});
