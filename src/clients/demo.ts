import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { countClients } from './queries.js';
import { insertClient, type ApiClient } from './service.js';

export interface DemoClients {
  admin: { client: ApiClient; clientSecret: string };
  actions: { client: ApiClient; clientSecret: string };
}

const SEED_LOCK_KEY = 7_311_845_202;

/**
 * On a database with no clients at all, creates a demo administrator and a demo data-action client
 * and returns their secrets (to be shown once). Later starts, or a second instance starting at the
 * same moment, find clients and return null.
 */
export async function seedDemoClients(db: Kysely<DB>): Promise<DemoClients | null> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SEED_LOCK_KEY})`.execute(trx);
    if ((await countClients(trx)) > 0) return null;
    const actor = { id: 'system' };
    const admin = await insertClient(trx, { name: 'demo-admin', roles: ['administrator'] }, actor);
    const actions = await insertClient(trx, { name: 'demo-actions', roles: ['actions', 'events'] }, actor);
    return { admin, actions };
  });
}
