import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canChangeDelivery, canTransition, deliveryFrom, RETRY_DELIVERY_FROM } from '../src/callbacks/lifecycle.js';
import {
  ACTOR_KINDS,
  ATTEMPT_OUTCOMES,
  CALLBACK_STATES,
  CAMPAIGN_CALLBACK_STATES,
  CAMPAIGN_COMPLETION_REASONS,
  CAMPAIGN_DELIVERY_STATUSES,
  CONTACT_REMOVAL_STATUSES,
  DELIVERY_STATUSES,
  EVENT_ACTIONS,
  OFFER_KINDS,
  OFFER_RESULTS,
  SIGN_IN_MAPPING_KINDS,
  SIGN_IN_METHODS,
  USER_SOURCES,
} from '../src/vocabulary.js';
import { CREATE_OUTCOMES } from '../src/callbacks/answers.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { createTestDatabase } from './helpers/db.js';

/** The values a check constraint on `table.column` allows (`column = ANY (ARRAY['A'::text, ...])`). */
async function allowedValues(client: pg.Client, table: string, column: string): Promise<string[]> {
  const { rows } = await client.query<{ def: string }>(
    `select pg_get_constraintdef(c.oid) as def from pg_constraint c join pg_class t on t.oid = c.conrelid
     where t.relname = $1 and c.contype = 'c'`,
    [table],
  );
  const defs = rows.map((r) => r.def).filter((d) => new RegExp(`^CHECK \\(\\(${column} = ANY`).test(d));
  expect(defs, `${table}.${column}: one list constraint`).toHaveLength(1);
  return [...(defs[0] as string).matchAll(/'([^']*)'::text/g)].map((m) => m[1] as string);
}

describe('vocabularies: one list each, which the database agrees with', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: await createTestDatabase() });
    await client.connect();
  });
  afterAll(async () => client.end());

  it.each([
    ['callbacks', 'state', CALLBACK_STATES],
    ['callbacks', 'delivery_status', DELIVERY_STATUSES],
    ['campaign_callbacks', 'state', CAMPAIGN_CALLBACK_STATES],
    ['campaign_callbacks', 'delivery_status', CAMPAIGN_DELIVERY_STATUSES],
    ['callback_attempts', 'outcome', ATTEMPT_OUTCOMES],
    ['campaign_callbacks', 'completion_reason', CAMPAIGN_COMPLETION_REASONS],
    ['campaign_callbacks', 'contact_removal', CONTACT_REMOVAL_STATUSES],
    ['users', 'source', USER_SOURCES],
    ['sessions', 'method', SIGN_IN_METHODS],
    ['genesys_sign_in_mappings', 'kind', SIGN_IN_MAPPING_KINDS],
    ['audit_log', 'actor_kind', ACTOR_KINDS],
    ['callback_history', 'actor_kind', ACTOR_KINDS],
    ['campaign_callback_history', 'actor_kind', ACTOR_KINDS],
    ['callback_offers', 'offered', OFFER_KINDS],
    ['callback_offers', 'result', OFFER_RESULTS],
    ['create_decisions', 'outcome', CREATE_OUTCOMES],
  ] as const)('the check constraint on %s.%s allows exactly the list', async (table, column, list) => {
    expect(new Set(await allowedValues(client, table, column))).toEqual(new Set(list));
  });
});

describe('delivery status moves along its transition table', () => {
  it('DELIVERED, FAILED and NOT_REQUIRED are final', () => {
    for (const from of ['DELIVERED', 'FAILED', 'NOT_REQUIRED'] as const) for (const to of DELIVERY_STATUSES) expect(canChangeDelivery(from, to), `${from} → ${to}`).toBe(false);
  });

  it('only an attempt (SENDING) delivers or fails, and only a PENDING callback is skipped', () => {
    expect(deliveryFrom('DELIVERED')).toEqual(['SENDING']);
    expect(deliveryFrom('FAILED')).toEqual(['SENDING']);
    expect(deliveryFrom('NOT_REQUIRED')).toEqual(['PENDING']);
    expect(deliveryFrom('SENDING')).toEqual(['PENDING', 'SENDING']);
    expect(deliveryFrom('PENDING')).toEqual(['SENDING']);
  });

  it('a retry, and only a retry, takes a delivered callback back to PENDING and a callback in progress back to SCHEDULED', () => {
    expect(RETRY_DELIVERY_FROM).toEqual(['DELIVERED']);
    for (const from of ['QUEUED', 'ROUTING', 'PROCESSING', 'SCHEDULED'] as const) {
      expect(canTransition(from, 'SCHEDULED', 'retry-scheduled'), from).toBe(true);
      for (const event of ['acd.start', 'user.end', 'wrapup', 'rescheduled'] as const) expect(canTransition(from, 'SCHEDULED', event), `${from} by ${event}`).toBe(false);
    }
    for (const to of CALLBACK_STATES) expect(canTransition('COMPLETED', to, 'retry-scheduled'), `COMPLETED → ${to}`).toBe(false);
  });
});

describe('event actions are in the contracts flows branch on', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  const routes = [
    ['conversation-acd-start', 'acdStart'],
    ['conversation-acd-end', 'acdEnd'],
    ['preview-accepted', 'previewAccepted'],
    ['conversation-user-start', 'userStart'],
    ['conversation-user-end', 'userEnd'],
    ['conversation-wrapup', 'wrapup'],
  ] as const;

  it.each(routes)('OpenAPI lists every action of /events/v1/%s as an enum', async (path, actions) => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, { post: { responses: Record<string, { content: Record<string, { schema: { properties: Record<string, { enum?: string[] }> } }> }> } }>;
    };
    const answer = doc.paths[`/events/v1/${path}`]?.post.responses['200']?.content['application/json']?.schema;
    expect(answer?.properties.action?.enum).toEqual([...EVENT_ACTIONS[actions]]);
  });

  it.each(routes)('the Genesys data action for %s names its actions in the output contract', async (path, actions) => {
    const file = new URL(`../openapi/genesys/actions/${path}.json`, import.meta.url);
    const action = JSON.parse(await readFile(file, 'utf8')) as { contract: { output: { successSchema: { properties: Record<string, { description?: string }> } } } };
    expect(action.contract.output.successSchema.properties.action?.description).toBe(`One of: ${EVENT_ACTIONS[actions].join(', ')}.`);
  });
});
