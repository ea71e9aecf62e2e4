import type { operations } from './schema';

/** Names for the API's answers, taken from the generated OpenAPI types (never written by hand). */
export type Answer<O extends keyof operations, S extends keyof operations[O]['responses'] = 200 & keyof operations[O]['responses']> = operations[O]['responses'][S] extends {
  content: { 'application/json': infer T };
}
  ? T
  : never;
export type Body<O extends keyof operations> = operations[O] extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

export type Callback = Answer<'getAdminCallbacksSearch'>['items'][number];
export type BulkReport = Answer<'postAdminCallbacksBulkCancel'>;
export type Queue = Answer<'getAdminQueuesById'>;
export type QueueOverview = Answer<'getAdminQueuesOverview'>['items'][number];
export type CapacityRule = Answer<'getAdminCapacityRulesById'>;
export type BusinessHours = Answer<'getAdminBusinessHoursById'>;
export type NumberRule = Answer<'getAdminNumberRulesById'>;
export type ScreeningAnswer = Answer<'postAdminNumberRulesByIdTest'>;
export type Webhook = Answer<'getAdminWebhooksById'>;
export type WebhookAttempt = Answer<'getAdminWebhooksByIdDeliveries'>['items'][number];
export type WebhookTestResult = Answer<'postAdminWebhooksByIdTest'>;
export type CallbackNotification = Answer<'getAdminCallbacksByIdNotifications'>['items'][number];
