import type { Kysely } from 'kysely';
import { createRule } from '../../src/capacity/service.js';
import type { CreateRuleBody } from '../../src/capacity/schemas.js';
import type { DB } from '../../src/db/types.js';
import { createHours } from '../../src/hours/service.js';
import type { CreateHoursBody } from '../../src/hours/schemas.js';
import { createQueue } from '../../src/queues/service.js';
import type { CreateQueueBody } from '../../src/queues/schemas.js';
import { testContext } from './context.js';

/** Factories insert through the real service functions, with overridable defaults. */

let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 7)}`;

export const WEEKDAYS_9_TO_5 = Object.fromEntries(
  ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, [{ start: '09:00', end: '17:00' }]]),
);

export function factories(db: Kysely<DB>) {
  return {
    hours: (o: Partial<CreateHoursBody> = {}) =>
      createHours(testContext(db), { name: unique('hours'), timezone: 'America/New_York', weekly: WEEKDAYS_9_TO_5, exceptions: [], ...o }),
    rule: (o: Partial<CreateRuleBody> = {}) => createRule(testContext(db), { name: unique('rule'), timeslotLength: 'hour', cells: {}, ...o }),
    queue: (o: Partial<CreateQueueBody> = {}) => createQueue(testContext(db), { name: unique('queue'), timezone: 'America/New_York', ...o }),
  };
}
