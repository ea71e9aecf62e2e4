import { Type, type Static } from 'typebox';
import { QueueRef } from '../hours/schemas.js';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, Nullable, Uuid, VisibleText } from '../http/schemas.js';

const WrapUpCode = Type.Object(
  {
    id: VisibleText(200, 'The wrap-up code’s id, as the wrapup topic’s `wrapupCode` and analytics’ `wrapUpCode` carry it'),
    name: Type.Optional(Nullable(VisibleText(100), 'A display name for operators (not matched)')),
  },
  { additionalProperties: false },
);

const fields = {
  wrapUpCodes: Type.Array(WrapUpCode, { minItems: 1, maxItems: 100, description: 'Wrap-up codes that mean "no answer / busy / voicemail": another attempt after the wait' }),
  waitSeconds: Type.Integer({ minimum: 60, maximum: 86_400, description: 'From the end of an attempt to the next one (60 s to 24 h)' }),
  maxAttempts: Type.Integer({ minimum: 1, maximum: 21, description: 'Attempts in all, the first included: 1 (no retry) to 21 (20 retries)' }),
};

export const CreateCallbackRetryPolicyBody = Type.Object(
  { name: VisibleText(100), wrapUpCodes: fields.wrapUpCodes, waitSeconds: fields.waitSeconds, maxAttempts: fields.maxAttempts },
  {
    additionalProperties: false,
    examples: [{ name: 'No answer: three tries, 15 minutes apart', wrapUpCodes: [{ id: '7fb334b0-0e9e-11e4-9191-0800200c9a66', name: 'No answer' }], waitSeconds: 900, maxAttempts: 3 }],
  },
);
export type CreateCallbackRetryPolicyBody = Static<typeof CreateCallbackRetryPolicyBody>;
export const UpdateCallbackRetryPolicyBody = updateBodyOf(CreateCallbackRetryPolicyBody, { examples: [{ maxAttempts: 4 }] });
export type UpdateCallbackRetryPolicyBody = Static<typeof UpdateCallbackRetryPolicyBody>;

export const CallbackRetryPolicy = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    wrapUpCodes: Type.Array(Type.Object({ id: Type.String(), name: Nullable(Type.String()) })),
    waitSeconds: Type.Integer(),
    maxAttempts: Type.Integer(),
    queues: Type.Array(QueueRef, { description: 'Queues using it' }),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { title: 'CallbackRetryPolicy' },
);
