import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';

/** The settings row that says when the reconciler last finished a run (its time is `updated_at`). */
export const LAST_RECONCILE_KEY = 'reconcile.last-run';

/** Records a finished run: when, how many Genesys requests it made and how many records it moved. */
export async function recordReconcileRun(db: Kysely<DB>, finishedAt: Date, run: { requests: number; moved: number }): Promise<void> {
  const value = JSON.stringify(run);
  await db
    .insertInto('settings')
    .values({ key: LAST_RECONCILE_KEY, value, updated_at: finishedAt })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: finishedAt }))
    .execute();
}
