import { Type, type Static } from 'typebox';
import { QueueRef } from '../hours/schemas.js';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, Nullable, Uuid, VisibleText } from '../http/schemas.js';

const fields = {
  mode: Type.Enum(['step', 'age'], { description: 'step: add `increment` each interval; age: basePriority + minutes waited × pointsPerMinute' }),
  initialDelaySeconds: Type.Integer({ minimum: 0, maximum: 86_400, default: 0, description: 'First check this long after the callback enters the queue' }),
  intervalSeconds: Type.Integer({ minimum: 30, maximum: 86_400, description: 'Between checks (≥ 30 s)' }),
  increment: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, default: 1 }),
  basePriority: Type.Integer({ minimum: -25_000_000, maximum: 25_000_000, default: 0, description: 'Added to the routing priority the callback entered with' }),
  pointsPerMinute: Type.Number({ minimum: 0, maximum: 100_000, default: 1, description: 'age mode: one point ≈ one minute in queue' }),
  maxSteps: Type.Integer({ minimum: 1, maximum: 10_000 }),
  maxPriority: Type.Integer({ minimum: -25_000_000, maximum: 25_000_000 }),
};
const Name = VisibleText(100);

export const CreatePolicyBody = Type.Object(
  {
    name: Name,
    mode: fields.mode,
    intervalSeconds: fields.intervalSeconds,
    maxSteps: fields.maxSteps,
    maxPriority: fields.maxPriority,
    initialDelaySeconds: Type.Optional(fields.initialDelaySeconds),
    increment: Type.Optional(fields.increment),
    basePriority: Type.Optional(fields.basePriority),
    pointsPerMinute: Type.Optional(fields.pointsPerMinute),
  },
  { additionalProperties: false, examples: [{ name: 'Five bumps of five minutes', mode: 'step', initialDelaySeconds: 300, intervalSeconds: 300, increment: 5, maxSteps: 5, maxPriority: 100 }] },
);
export type CreatePolicyBody = Static<typeof CreatePolicyBody>;

export const UpdatePolicyBody = updateBodyOf(CreatePolicyBody, { examples: [{ maxPriority: 200 }] });
export type UpdatePolicyBody = Static<typeof UpdatePolicyBody>;

export const Policy = Type.Object({ id: Uuid, name: Type.String(), ...fields, queues: Type.Array(QueueRef), createdAt: IsoTime, updatedAt: IsoTime }, { title: 'PrioritizationPolicy' });

export const Track = Type.Object(
  {
    conversationId: Type.String(),
    queueId: Nullable(Uuid),
    policyId: Nullable(Uuid),
    status: Type.Enum(['ACTIVE', 'STOPPED']),
    startedAt: IsoTime,
    basePriority: Type.Integer({ description: 'What aging builds on: the priority Genesys held before the first step (until then, the acd.start routingPriority)' }),
    waitedSeconds: Type.Integer({ description: 'Wait credited from the callback request: age mode counts from startedAt minus this' }),
    steps: Type.Integer(),
    currentPriority: Nullable(Type.Integer()),
    stopReason: Nullable(Type.String({ description: 'ANSWERED, DISCONNECTED, ACD_END, MAX_STEPS, PRIORITY_CAP, NOT_FOUND, ...' })),
    lastCheckAt: Nullable(IsoTime),
    nextCheckAt: Nullable(IsoTime),
    history: Type.Optional(Type.Array(Type.Object({ at: IsoTime, step: Type.Integer(), priority: Type.Integer(), scheduledFor: Nullable(IsoTime) }))),
  },
  { title: 'AgingTrack' },
);
