import { sql, type Kysely } from 'kysely';

/**
 * Business hours gain yearly rules (a fixed date, or the nth/last weekday of a month) and public-holiday
 * calendars (country, optional state and region, holiday types). Both are lists; existing hours get none.
 * `revision` counts changes: the cache of a configuration's special dates is keyed by id and revision.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table business_hours
    add column recurring jsonb not null default '[]'::jsonb,
    add column holiday_calendars jsonb not null default '[]'::jsonb,
    add column revision integer not null default 0`.execute(db);
}
