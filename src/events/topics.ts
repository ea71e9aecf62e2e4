/**
 * The Genesys topics the event endpoints read, one field list per topic, with the topic's own field
 * names and types (as the Platform API's notification schemas publish them; the SDK's models
 * `AcdStartDetailEventTopicAcdStartEvent`, ... carry the same lists, and a test holds these to them).
 *
 * `time` fields are epoch milliseconds in the topics; a workflow that formats them first may send
 * ISO-8601 text instead, so both are accepted. `strings` (lists) cannot be data-action inputs (input
 * contracts are flat): they arrive only inside `jsonData` (trigger data format Json).
 */

export type TopicFieldType = 'string' | 'integer' | 'boolean' | 'time' | 'strings';

export interface TopicField {
  name: string;
  type: TopicFieldType;
  description?: string;
}

export interface EventTopic {
  /** Short name (`acd.start`). */
  key: string;
  /** The endpoint that takes it: `/events/v1/<endpoint>` (also the data action's name). */
  endpoint: string;
  /** The notification topic a trigger subscribes to. */
  topic: string;
  /** The SDK model that documents the topic's payload. */
  model: string;
  fields: readonly TopicField[];
}

const f = (name: string, type: TopicFieldType, description?: string): TopicField => (description ? { name, type, description } : { name, type });

/** What every conversation detail event starts with. */
const HEAD = [
  f('eventTime', 'time', 'When it happened: epoch milliseconds (or ISO-8601)'),
  f('conversationId', 'string'),
  f('participantId', 'string'),
  f('sessionId', 'string'),
] as const;

/** The communication's addressing, in every conversation detail event. */
const ADDRESS = [
  f('ani', 'string', 'Calling address, e.g. tel:+15555551234'),
  f('dnis', 'string', 'Dialed address'),
  f('addressTo', 'string'),
  f('addressFrom', 'string'),
] as const;

const CALLBACK = [
  f('callbackUserName', 'string'),
  f('callbackNumbers', 'strings', 'The numbers to call (only in jsonData)'),
  f('callbackScheduledTime', 'time', 'When the callback is scheduled: epoch milliseconds (or ISO-8601)'),
] as const;

const MESSAGE = [f('subject', 'string'), f('messageType', 'string')] as const;

const EXTERNAL = [f('conversationExternalContactIds', 'strings'), f('conversationExternalOrganizationIds', 'strings'), f('utilizationLabel', 'string')] as const;

export const ACD_START: EventTopic = {
  key: 'acd.start',
  endpoint: 'conversation-acd-start',
  topic: 'v2.detail.events.conversation.{id}.acd.start',
  model: 'AcdStartDetailEventTopicAcdStartEvent',
  fields: [
    ...HEAD,
    f('mediaType', 'string', 'CALLBACK starts aging'),
    f('provider', 'string'),
    f('direction', 'string'),
    ...ADDRESS,
    ...CALLBACK,
    ...MESSAGE,
    f('queueId', 'string', 'Genesys queue id'),
    f('divisionId', 'string'),
    ...EXTERNAL,
    f('routingPriority', 'integer', 'Routing priority on entering the queue (aging starts from it)'),
    f('requestedRoutingSkillIds', 'strings'),
    f('skillExpressionApplied', 'boolean'),
  ],
};

export const ACD_END: EventTopic = {
  key: 'acd.end',
  endpoint: 'conversation-acd-end',
  topic: 'v2.detail.events.conversation.{id}.acd.end',
  model: 'AcdEndDetailEventTopicAcdEndEvent',
  fields: [
    ...HEAD,
    f('disconnectType', 'string'),
    f('mediaType', 'string'),
    f('provider', 'string'),
    f('direction', 'string'),
    ...ADDRESS,
    ...CALLBACK,
    ...MESSAGE,
    f('queueId', 'string', 'Genesys queue id'),
    f('divisionId', 'string'),
    f('acdOutcome', 'string', 'ANSWERED, ABANDON or FLOW_OUT'),
    f('answeredUserId', 'string'),
    f('requestedRoutings', 'strings'),
    f('usedRouting', 'string'),
    f('requestedRoutingSkillIds', 'strings'),
    f('requestedSkillExpressionIds', 'strings'),
    f('requestedLanguageId', 'string'),
    f('requestedRoutingUserIds', 'strings'),
    f('routingPriority', 'integer'),
    f('connectedDurationMs', 'integer'),
    ...EXTERNAL,
    f('flowType', 'string'),
  ],
};

/** An agent's participant started on a conversation (alerted): a queued callback is being routed. */
export const USER_START: EventTopic = {
  key: 'user.start',
  endpoint: 'conversation-user-start',
  topic: 'v2.detail.events.conversation.{id}.user.start',
  model: 'UserStartDetailEventTopicUserStartEvent',
  fields: [
    ...HEAD,
    f('mediaType', 'string', 'CALLBACK moves the callback to ROUTING'),
    f('provider', 'string'),
    f('direction', 'string'),
    ...ADDRESS,
    ...CALLBACK,
    ...MESSAGE,
    f('userId', 'string', 'The agent whose participant started'),
    f('divisionId', 'string'),
    f('queueId', 'string'),
    ...EXTERNAL,
  ],
};

export const USER_END: EventTopic = {
  key: 'user.end',
  endpoint: 'conversation-user-end',
  topic: 'v2.detail.events.conversation.{id}.user.end',
  model: 'UserEndDetailEventTopicUserEndEvent',
  fields: [
    ...HEAD,
    f('disconnectType', 'string', 'CLIENT, ENDPOINT, SYSTEM, ...'),
    f('mediaType', 'string'),
    f('provider', 'string'),
    f('direction', 'string'),
    ...ADDRESS,
    ...CALLBACK,
    ...MESSAGE,
    f('userId', 'string', 'The agent whose participant ended'),
    f('divisionId', 'string'),
    f('queueId', 'string'),
    f('interactingDurationMs', 'integer'),
    f('heldDurationMs', 'integer'),
    f('alertingDurationMs', 'integer'),
    f('contactingDurationMs', 'integer'),
    f('dialingDurationMs', 'integer'),
    f('callbackDurationMs', 'integer'),
    ...EXTERNAL,
  ],
};

/** The dialer placed an outbound conversation (a preview offered to an agent, for preview campaigns). */
export const OUTBOUND: EventTopic = {
  key: 'outbound',
  endpoint: 'preview-accepted',
  topic: 'v2.detail.events.conversation.{id}.outbound',
  model: 'OutboundDetailEventTopicOutboundInitEvent',
  fields: [
    ...HEAD,
    f('mediaType', 'string'),
    f('provider', 'string'),
    f('direction', 'string'),
    f('ani', 'string'),
    f('dnis', 'string', 'The number dialed (used when addressTo is empty)'),
    f('addressTo', 'string', 'The previewed number, e.g. tel:+15555551234'),
    f('addressFrom', 'string'),
    ...MESSAGE,
    f('outboundCampaignId', 'string'),
    f('divisionId', 'string'),
    f('outboundContactListId', 'string', 'Contact list of the contact'),
    f('outboundContactId', 'string', 'Contact id in the list'),
    ...EXTERNAL,
  ],
};

/** An agent's wrap-up of a conversation (after its user.end): the code decides a callback's retry. */
export const WRAPUP: EventTopic = {
  key: 'wrapup',
  endpoint: 'conversation-wrapup',
  topic: 'v2.detail.events.conversation.{id}.wrapup',
  model: 'WrapupDetailEventTopicWrapupEvent',
  fields: [
    ...HEAD,
    f('mediaType', 'string'),
    f('provider', 'string'),
    f('direction', 'string'),
    ...ADDRESS,
    ...CALLBACK,
    ...MESSAGE,
    f('queueId', 'string', 'Genesys queue id'),
    f('wrapupCode', 'string', 'The wrap-up code’s id (what a callback retry policy lists)'),
    f('wrapupNotes', 'string'),
    f('wrapupDurationMs', 'integer'),
    ...EXTERNAL,
  ],
};

export const EVENT_TOPICS = [ACD_START, ACD_END, USER_START, USER_END, OUTBOUND, WRAPUP] as const;

/** The fields a flat data-action input can carry (lists only travel in jsonData). */
export const flatFields = (topic: EventTopic) => topic.fields.filter((x) => x.type !== 'strings');
