import { Type, type Static } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { EXAMPLE_CAMPAIGN, EXAMPLE_PHONE, IsoTime, NullableUuid, Uuid, VisibleText } from '../http/schemas.js';

const Name = VisibleText(100, 'Flows name the campaign by it');
const Column = VisibleText(100);
const fields = {
  queueId: NullableUuid('Queue the campaign belongs to: clients restricted to some queues see only their queues’ campaigns (null: unrestricted clients only)'),
  contactListId: VisibleText(100, 'Contact list of the always-running (agentless) campaign'),
  phoneColumn: Column,
  nameColumn: Type.Union([Column, Type.Null()], { description: 'Column for the customer’s name (null: not written)' }),
  extraColumns: Type.Record(Type.String({ pattern: '^[^\\u0000]{1,100}$' }), Type.String({ maxLength: 1_024 }), { maxProperties: 50, description: 'Fixed values written to these columns of every contact' }),
  numberRuleId: NullableUuid('Number rule screening the numbers'),
  businessHoursId: NullableUuid('A dial time outside these hours moves to the next opening'),
  maxDelaySeconds: Type.Integer({ minimum: 0, maximum: 86_400, description: 'Longest delay a flow may ask for' }),
  maxPendingPerNumber: Type.Integer({ minimum: 1, maximum: 100, description: 'Pending callbacks one number may hold in this campaign' }),
  maxQueuedHours: Type.Integer({ minimum: 1, maximum: 720, description: 'A contact not dialed this many hours after its insertion expires and is removed from the list (default 24)' }),
  defaultCountry: Type.Union([Type.String({ pattern: '^[A-Za-z]{2}$' }), Type.Null()]),
};

export const CreateCampaignBody = Type.Object(
  {
    name: Name,
    queueId: Type.Optional(fields.queueId),
    contactListId: fields.contactListId,
    phoneColumn: fields.phoneColumn,
    nameColumn: Type.Optional(fields.nameColumn),
    extraColumns: Type.Optional(fields.extraColumns),
    numberRuleId: Type.Optional(fields.numberRuleId),
    businessHoursId: Type.Optional(fields.businessHoursId),
    maxDelaySeconds: Type.Optional(fields.maxDelaySeconds),
    maxPendingPerNumber: Type.Optional(fields.maxPendingPerNumber),
    maxQueuedHours: Type.Optional(fields.maxQueuedHours),
    defaultCountry: Type.Optional(fields.defaultCountry),
  },
  { additionalProperties: false, examples: [{ name: 'Automated callbacks', contactListId: 'contact-list-id', phoneColumn: 'PhoneNumber', nameColumn: 'FullName' }] },
);
export type CreateCampaignBody = Static<typeof CreateCampaignBody>;
export const UpdateCampaignBody = updateBodyOf(CreateCampaignBody, { examples: [{ maxDelaySeconds: 3600 }] });
export type UpdateCampaignBody = Static<typeof UpdateCampaignBody>;
export const Campaign = Type.Object({ id: Uuid, name: Type.String(), ...fields, createdAt: IsoTime, updatedAt: IsoTime }, { title: 'Campaign' });

export const CampaignCallbackInput = Type.Object(
  {
    campaign: Type.String({ minLength: 1, maxLength: 100, description: 'The campaign’s name' }),
    phoneNumber: Type.String({ minLength: 1, maxLength: 1_000 }),
    fullName: Type.Optional(Type.String({ maxLength: 200 })),
    delaySeconds: Type.Integer({ minimum: 0, maximum: 86_400, default: 0, description: 'Dial after this long' }),
    priority: Type.Boolean({ default: false, description: 'Dial next (contact-list priority insert)' }),
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    defaultCountry: Type.Optional(Type.String({ maxLength: 10 })),
  },
  { additionalProperties: false, examples: [{ campaign: EXAMPLE_CAMPAIGN, phoneNumber: EXAMPLE_PHONE, fullName: 'Ada Lovelace', delaySeconds: 60, priority: false }] },
);
export type CampaignCallbackInput = Static<typeof CampaignCallbackInput>;

export const CampaignCallbackOutput = Type.Object({
  outcome: Type.String({ enum: ['SCHEDULED', 'DUPLICATE', 'INVALID_NUMBER', 'COUNTRY_NOT_PERMITTED', 'BLOCKED_PATTERN', 'BLOCKED_NUMBER_TYPE'] }),
  replayed: Type.Boolean(),
  callbackId: Type.String(),
  dialAt: Type.String({ description: 'When the contact is added to the list (UTC), "" if refused' }),
  phoneE164: Type.String(),
  message: Type.String(),
});
