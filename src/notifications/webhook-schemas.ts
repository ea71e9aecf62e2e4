import { Type, type Static } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, Nullable, Uuid, VisibleText } from '../http/schemas.js';
import { NOTIFICATION_DELIVERY_STATUSES, NOTIFICATION_TYPES } from '../vocabulary.js';

const EventType = Type.Enum(NOTIFICATION_TYPES);
const DeliveryStatus = Type.Enum(NOTIFICATION_DELIVERY_STATUSES);

const fields = {
  url: Type.String({ minLength: 1, maxLength: 2000, description: 'Where deliveries are POSTed: HTTPS (plain HTTP only to 127.0.0.1/localhost, or on the embedded default database)' }),
  eventTypes: Type.Array(EventType, { maxItems: NOTIFICATION_TYPES.length, uniqueItems: true, description: 'The notification types sent; empty: every type' }),
  queueIds: Type.Array(Uuid, { maxItems: 200, uniqueItems: true, description: "Only callbacks of these queues; empty: every queue (a caller restricted to some queues must name at least one of its own)" }),
  enabled: Type.Boolean({ description: 'Deliveries are made only while enabled; enabling again clears the failure state' }),
  disableAfterDays: Type.Integer({ minimum: 1, maximum: 30, description: 'Disabled automatically after this many days of nothing but failed attempts (1 to 30)' }),
};

export const CreateWebhookBody = Type.Object(
  {
    name: VisibleText(100),
    url: fields.url,
    eventTypes: Type.Optional(fields.eventTypes),
    queueIds: Type.Optional(fields.queueIds),
    enabled: Type.Optional(fields.enabled),
    disableAfterDays: Type.Optional(fields.disableAfterDays),
  },
  { additionalProperties: false, examples: [{ name: 'CRM', url: 'https://crm.example.com/hooks/callbacks', eventTypes: ['CALLBACK_CREATED', 'CALLBACK_COMPLETED'] }] },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;
export const UpdateWebhookBody = updateBodyOf(CreateWebhookBody, { examples: [{ enabled: true }] });
export type UpdateWebhookBody = Static<typeof UpdateWebhookBody>;

export const Webhook = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    url: Type.String(),
    eventTypes: Type.Array(EventType),
    queueIds: Type.Array(Uuid),
    enabled: Type.Boolean(),
    disableAfterDays: Type.Integer(),
    secretHint: Type.String({ description: 'The secret masked: its last four characters' }),
    previousSecretExpiresAt: Nullable(IsoTime, 'Until when the rotated-out secret is still signed with'),
    failingSince: Nullable(IsoTime, 'Since when every attempt has failed (null: the last one succeeded)'),
    disabledReason: Nullable(Type.String()),
    disabledAt: Nullable(IsoTime),
    createdBy: Type.String(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { title: 'Webhook' },
);

export const CreatedWebhook = Type.Intersect([Webhook, Type.Object({ secret: Type.String({ description: 'The signing secret (whsec_…): shown this once' }) })], { title: 'CreatedWebhook' });
export const RotatedSecret = Type.Object(
  { webhook: Webhook, secret: Type.String({ description: 'The new signing secret: shown this once' }), previousSecretExpiresAt: IsoTime },
  { title: 'RotatedWebhookSecret' },
);

export const TestSendResult = Type.Object(
  { ok: Type.Boolean(), statusCode: Nullable(Type.Integer()), latencyMs: Type.Integer(), error: Nullable(Type.String()), messageId: Uuid },
  { title: 'WebhookTestResult' },
);

export const DeliveriesQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'Attempts per page (1 to 500)' }),
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'Only attempts older than this one (the previous page’s nextBefore)' })),
  },
  { additionalProperties: false },
);

export const DeliveryAttempt = Type.Object({
  id: Type.String(),
  at: IsoTime,
  ok: Type.Boolean(),
  statusCode: Nullable(Type.Integer()),
  latencyMs: Type.Integer(),
  error: Nullable(Type.String()),
  test: Type.Boolean(),
  deliveryId: Nullable(Uuid),
  eventType: Nullable(EventType),
  callbackId: Nullable(Uuid),
  deliveryStatus: Nullable(DeliveryStatus),
});
export const DeliveryPage = Type.Object({ items: Type.Array(DeliveryAttempt), nextBefore: Nullable(Type.String()) }, { title: 'WebhookDeliveryLog' });

export const CallbackNotifications = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        id: Uuid,
        type: EventType,
        occurredAt: IsoTime,
        deliveries: Type.Array(
          Type.Object({
            id: Uuid,
            channel: Type.String(),
            target: Type.String({ description: "The webhook's name, 'sms' or 'push'" }),
            webhookId: Nullable(Uuid),
            status: DeliveryStatus,
            attempts: Type.Integer(),
            lastError: Nullable(Type.String()),
            latencyMs: Nullable(Type.Integer(), "The last attempt's time to an answer in ms (null: not attempted yet)"),
            sentAt: Nullable(IsoTime),
          }),
        ),
      }),
    ),
  },
  { title: 'CallbackNotifications' },
);
