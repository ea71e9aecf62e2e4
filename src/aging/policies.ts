import type { PrioritizationPolicyRow } from '../db/types.js';
import { tableResource } from '../db/resource.js';
import type { CreatePolicyBody } from './schemas.js';
import { isoUtc } from '../time.js';

const COLUMNS = ['id', 'name', 'mode', 'initial_delay_seconds', 'interval_seconds', 'increment', 'base_priority', 'points_per_minute', 'max_steps', 'max_priority', 'created_at', 'updated_at'] as const;

const FIELDS: [keyof CreatePolicyBody, string][] = [
  ['name', 'name'],
  ['mode', 'mode'],
  ['initialDelaySeconds', 'initial_delay_seconds'],
  ['intervalSeconds', 'interval_seconds'],
  ['increment', 'increment'],
  ['basePriority', 'base_priority'],
  ['pointsPerMinute', 'points_per_minute'],
  ['maxSteps', 'max_steps'],
  ['maxPriority', 'max_priority'],
];

/** `/admin/v1/prioritization-policies`: how fast waiting callbacks gain priority. */
export const policies = tableResource<PrioritizationPolicyRow, ReturnType<typeof toApi>, CreatePolicyBody>({
  table: 'prioritization_policies',
  entity: 'prioritization-policy',
  label: 'Prioritization policy',
  columns: COLUMNS,
  usedByQueues: 'prioritization_policy_id',
  toApi,
  toColumns: (b) => Object.fromEntries(FIELDS.filter(([k]) => b[k] !== undefined).map(([k, c]) => [c, k === 'name' ? String(b[k]).trim() : b[k]])),
});

function toApi(r: PrioritizationPolicyRow, queues: { id: string; name: string }[] = []) {
  return {
    id: r.id,
    name: r.name,
    mode: r.mode,
    initialDelaySeconds: r.initial_delay_seconds,
    intervalSeconds: r.interval_seconds,
    increment: r.increment,
    basePriority: r.base_priority,
    pointsPerMinute: r.points_per_minute,
    maxSteps: r.max_steps,
    maxPriority: r.max_priority,
    queues,
    createdAt: isoUtc(r.created_at),
    updatedAt: isoUtc(r.updated_at),
  };
}
