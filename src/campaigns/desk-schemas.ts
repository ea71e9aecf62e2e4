import { Type, type Static } from 'typebox';
import { EXAMPLE_CAMPAIGN, EXAMPLE_PHONE, IsoTime, Nullable, PageLimit, TimeFilter, Uuid } from '../http/schemas.js';
import { CAMPAIGN_CALLBACK_STATES, CAMPAIGN_COMPLETION_REASONS, CAMPAIGN_DELIVERY_STATUSES, CONTACT_REMOVAL_STATUSES } from '../vocabulary.js';

const State = Type.Enum(CAMPAIGN_CALLBACK_STATES);

/** A campaign callback as the desk and the campaign's listing show it. */
export const CampaignCallbackView = Type.Object(
  {
    id: Uuid,
    campaignId: Uuid,
    campaignName: Type.String(),
    queueId: Nullable(Uuid),
    state: State,
    completionReason: Nullable(Type.Enum(CAMPAIGN_COMPLETION_REASONS)),
    phoneE164: Type.String(),
    fullName: Nullable(Type.String()),
    dialAt: IsoTime,
    priority: Type.Boolean(),
    contactId: Type.String(),
    contactListId: Type.String({ description: 'The list its contact went into (before its insertion: the campaign’s)' }),
    deliveryStatus: Type.Enum(CAMPAIGN_DELIVERY_STATUSES),
    deliveryError: Nullable(Type.String()),
    insertedAt: Nullable(IsoTime, 'When the contact was added to the list'),
    expiresAt: Nullable(IsoTime, 'A QUEUED callback not dialed by then expires (insertion + the campaign’s maxQueuedHours)'),
    checkedAt: Nullable(IsoTime, 'When its contact was last read back'),
    lastAttemptAt: Nullable(IsoTime, 'The dialer’s attempt that completed it'),
    lastResult: Nullable(Type.String(), 'That attempt’s result (wrap-up or call-analysis result)'),
    contactRemoval: Nullable(Type.Enum(CONTACT_REMOVAL_STATUSES), 'Removing the contact from the list, once expired or cancelled'),
    contactRemovalError: Nullable(Type.String()),
    createdAt: IsoTime,
    completedAt: Nullable(IsoTime),
  },
  { title: 'CampaignCallback' },
);

export const CampaignCallbackWithHistory = Type.Object({
  ...CampaignCallbackView.properties,
  history: Type.Array(
    Type.Object({
      at: IsoTime,
      actor: Type.String(),
      actorName: Nullable(Type.String()),
      event: Type.String(),
      fromState: Nullable(Type.String()),
      toState: Nullable(Type.String()),
      reason: Nullable(Type.String()),
      detail: Type.Unknown(),
    }),
  ),
});

export const CampaignDeskQuery = Type.Object(
  {
    campaignId: Type.Optional(Uuid),
    queueId: Type.Optional(Type.String({ format: 'uuid', description: 'The campaigns of this queue' })),
    state: Type.Optional(State),
    phone: Type.Optional(Type.String({ maxLength: 40, description: 'E.164 number' })),
    from: Type.Optional(TimeFilter('Created at or after')),
    to: Type.Optional(TimeFilter('...and before')),
    limit: PageLimit,
    offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
  },
  { additionalProperties: false },
);
export type CampaignDeskQuery = Static<typeof CampaignDeskQuery>;

export const CampaignCallbackPage = Type.Object({ items: Type.Array(CampaignCallbackView), total: Type.Integer(), offset: Type.Integer() });

export const CAMPAIGN_CANCEL_OUTCOMES = ['CANCELLED', 'NOT_FOUND', 'ALREADY_COMPLETED'] as const;
export type CampaignCancelOutcome = (typeof CAMPAIGN_CANCEL_OUTCOMES)[number];
export const CampaignCancelOutput = Type.Object({
  outcome: Type.String({ enum: [...CAMPAIGN_CANCEL_OUTCOMES] }),
  callbackId: Type.String(),
  message: Type.String(),
});

export const CampaignCancelInput = Type.Object(
  {
    callbackId: Type.Optional(Type.String({ format: 'uuid', description: 'The callbackId campaign-callbacks answered' })),
    campaign: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The campaign’s name (with phoneNumber)' })),
    phoneNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 1_000 })),
    defaultCountry: Type.Optional(Type.String({ maxLength: 10 })),
  },
  {
    additionalProperties: false,
    description: 'callbackId, or campaign + phoneNumber (cancels that number’s soonest pending campaign callback)',
    examples: [{ campaign: EXAMPLE_CAMPAIGN, phoneNumber: EXAMPLE_PHONE }],
  },
);
export type CampaignCancelInput = Static<typeof CampaignCancelInput>;
