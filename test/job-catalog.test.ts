import { createCaches } from '../src/context.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { createDatabase } from '../src/db/database.js';
import { createSimulatedGateway } from '../src/genesys/simulated-gateway.js';
import { CRONTAB, JOB_NAMES, jobs, payloadOf } from '../src/jobs/catalog.js';
import { jobContext } from '../src/jobs/context.js';
import { buildTaskList } from '../src/jobs/tasks.js';
import { createLogger } from '../src/logger.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
  });
}

describe('the job catalog', () => {
  it('the task list has exactly one task per catalog job, and the crontab names catalog jobs only', () => {
    // Never connected: building the task list touches no database.
    const database = createDatabase('postgres://nobody@127.0.0.1:1/none', { max: 1 });
    const tasks = buildTaskList({ db: database.db, gateway: createSimulatedGateway(database.db), clock: systemClock, caches: createCaches(), logger: createLogger('silent'), retentionDays: 14 });
    expect(Object.keys(tasks).sort()).toEqual([...JOB_NAMES].sort());
    for (const line of CRONTAB.split('\n')) expect(JOB_NAMES).toContain(line.split(' ')[5]);
    void database.close();
  });

  it('a stored payload is checked against its job before the job runs', () => {
    expect(payloadOf('aging-check', { conversationId: 'c-1' })).toEqual({ conversationId: 'c-1' });
    expect(() => payloadOf('deliver-callback', { id: 'x' })).toThrow('payload.callbackId is missing');
    expect(payloadOf('purge-callbacks', null)).toEqual({});
  });

  it('jobs carry their keys: one pending job per callback, conversation or contact', () => {
    expect(jobs.deliverCallback('cb-1').key).toBe('deliver:cb-1');
    expect(jobs.agingCheck('conv-1', new Date(0)).key).toBe('aging:conv-1');
    expect(jobs.resubmitContact('7', { contactListId: 'l', contactId: 'c' }, new Date(0)).key).toBe('resubmit:l:c');
  });

  it('no job is enqueued outside the catalog (no raw add_job, no string task names)', () => {
    const root = path.resolve(import.meta.dirname, '../src');
    const offenders = sources(root)
      .filter((file) => !file.endsWith(path.join('jobs', 'catalog.ts')))
      .filter((file) => /graphile_worker\.add_job|addJob\(/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('jobs run with the worker as caller, named by the job', () => {
    const database = createDatabase('postgres://nobody@127.0.0.1:1/none', { max: 1 });
    const ctx = jobContext({ db: database.db, gateway: createSimulatedGateway(database.db), clock: systemClock, caches: createCaches(), logger: createLogger('silent') }, 'job:42');
    expect(ctx.caller).toMatchObject({ kind: 'system', id: 'worker', name: 'worker', queues: null, correlationId: 'job:42' });
    void database.close();
  });
});
