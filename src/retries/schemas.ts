import { Type, type Static } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, Nullable, NullableUuid, Uuid, VisibleText } from '../http/schemas.js';

const Name = VisibleText(100);
const fields = {
  match: VisibleText(200, 'Wrap-up code or last result, e.g. ININ-OUTBOUND-PREVIEW-SKIPPED'),
  waitSeconds: Type.Integer({ minimum: 1, maximum: 86_400, description: 'Re-submit the contact after this long' }),
  maxAttempts: Type.Integer({ minimum: 0, maximum: 20, description: 'Retries per contact' }),
  clearSystemData: Type.Boolean({ default: false, description: 'Ask the dialer to clear the contact’s call records on re-submit' }),
  priority: Type.Boolean({ default: false, description: 'Dial the re-submitted contact next' }),
};

export const CreateRetryPolicyBody = Type.Object(
  {
    name: Name,
    match: fields.match,
    waitSeconds: fields.waitSeconds,
    maxAttempts: fields.maxAttempts,
    clearSystemData: Type.Optional(fields.clearSystemData),
    priority: Type.Optional(fields.priority),
  },
  { additionalProperties: false, examples: [{ name: 'Skipped previews', match: 'ININ-OUTBOUND-PREVIEW-SKIPPED', waitSeconds: 240, maxAttempts: 3 }] },
);
export type CreateRetryPolicyBody = Static<typeof CreateRetryPolicyBody>;
export const UpdateRetryPolicyBody = updateBodyOf(CreateRetryPolicyBody, { examples: [{ waitSeconds: 300 }] });
export type UpdateRetryPolicyBody = Static<typeof UpdateRetryPolicyBody>;
export const RetryPolicy = Type.Object({ id: Uuid, name: Type.String(), ...fields, createdAt: IsoTime, updatedAt: IsoTime }, { title: 'RetryPolicy' });

export const PreviewContact = Type.Object(
  {
    id: Uuid,
    phoneDigits: Type.String(),
    contactId: Type.String(),
    contactListId: Type.String(),
    campaignId: Nullable(Type.String()),
    conversationId: Nullable(Type.String()),
    queueId: NullableUuid('The queue the accepted preview named (by its Genesys queue id); null when it named none of ours'),
    acceptedAt: IsoTime,
    attempts: Type.Integer(),
    retries: Type.Array(
      Type.Object({
        attempt: Type.Integer(),
        lastResult: Nullable(Type.String()),
        waitSeconds: Nullable(Type.Integer()),
        retryAt: Nullable(IsoTime),
        status: Type.String({ enum: ['SCHEDULED', 'SUBMITTED', 'FAILED'] }),
        error: Nullable(Type.String()),
        submittedAt: Nullable(IsoTime),
      }),
    ),
  },
  { title: 'PreviewContact' },
);

export const PreviewRetrySettings = Type.Object(
  {
    criteria: Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$' }), Type.String({ maxLength: 200 }), {
      description: 'user.end fields that must all equal these values for the event to count as a closed preview',
      additionalProperties: false,
    }),
    wrapupColumn: Type.Union([VisibleText(100), Type.Null()], {
      description: 'Contact-list column holding the wrap-up; null: the most recent call record’s lastResult',
    }),
  },
  {
    additionalProperties: false,
    title: 'PreviewRetrySettings',
    examples: [{ criteria: { disconnectType: 'CLIENT', mediaType: 'CALLBACK', provider: 'PureCloud Callback', direction: 'OUTBOUND' }, wrapupColumn: null }],
  },
);
export type PreviewRetrySettings = Static<typeof PreviewRetrySettings>;

export const DEFAULT_PREVIEW_SETTINGS: PreviewRetrySettings = {
  criteria: { disconnectType: 'CLIENT', mediaType: 'CALLBACK', provider: 'PureCloud Callback', direction: 'OUTBOUND' },
  wrapupColumn: null,
};
