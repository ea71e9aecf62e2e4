import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type {
  ActorKind,
  AttemptOutcome,
  CallbackState,
  CampaignCallbackState,
  CampaignCompletionReason,
  CampaignDeliveryStatus,
  CampaignHistoryEvent,
  CompletionReason,
  ContactRemovalStatus,
  DeliveryStatus,
  EventAction,
  HistoryEvent,
  OfferKind,
  OfferResult,
  CaptchaProvider,
  ClientKind,
  SignInMappingKind,
  SignInMethod,
  UserSource,
  DevicePlatform,
  NotificationChannel,
  NotificationDeliveryStatus,
  NotificationType,
  UpcomingStatus,
  CallInMatchCriteria,
  CallInRequestState,
} from '../vocabulary.js';

export type { CallbackState, DeliveryStatus };

/** One interface per table; the migrations are the truth, these mirror them. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ApiClientsTable {
  id: Generated<string>;
  name: string;
  /** Null for a publishable key (it has no secret). */
  secret_hash: string | null;
  roles: string[];
  queues: string[] | null;
  active: Generated<boolean>;
  tokens_not_before: Timestamp;
  token_generation: Generated<number>;
  last_token_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  kind: ColumnType<ClientKind, ClientKind | undefined, ClientKind>;
  /** A publishable key's allowed origins (`scheme://host[:port]`); null for a server client. */
  origins: string[] | null;
  allow_no_origin: Generated<boolean>;
  /** Requests per rate-limit window for a publishable key, and per client IP; null: the configured defaults. */
  rate_limit_per_key: number | null;
  rate_limit_per_ip: number | null;
  captcha: ColumnType<StoredCaptcha | null, string | null, string | null>;
}

/** A publishable key's CAPTCHA settings as stored: the secret only encrypted (see auth/encryption.ts). */
export interface StoredCaptcha {
  provider: CaptchaProvider;
  secretCiphertext: string;
  /** Last characters of the secret, to show it masked. */
  secretHint: string;
  /** reCAPTCHA v3: the lowest score accepted. */
  minScore?: number;
  /** reCAPTCHA v3 (required), Turnstile (optional): the action the token must have been made for. */
  action?: string;
  /** The hostnames a token may come from; absent: the hosts of the key's origins. */
  hostnames?: string[];
}

export interface PublishableKeysTable {
  id: Generated<string>;
  client_id: string;
  key_hash: string;
  hint: string;
  created_at: Timestamp;
  expires_at: Date | null;
}
export type PublishableKeyRow = Selectable<PublishableKeysTable>;

/** A self-service manage token: one per callback created through a publishable key. */
export interface ManageTokensTable {
  callback_id: string;
  /** SHA-256 (hex) of the token: what a request's token is looked up by. */
  token_hash: string;
  /** The token sealed with the secret box (an idempotent replay of the create answers it again). */
  token_sealed: string;
  /** The publishable client whose key created the callback (its origins are the ones CORS answers). */
  client_id: string;
  key_id: string | null;
  created_at: Timestamp;
}
export type ManageTokenRow = Selectable<ManageTokensTable>;

export interface CaptchaTokensTable {
  token_hash: string;
  client_id: string;
  fingerprint: string;
  accepted_at: Date;
  expires_at: Date;
}
export type ApiClientRow = Selectable<ApiClientsTable>;
export type NewApiClient = Insertable<ApiClientsTable>;
export type ApiClientUpdate = Updateable<ApiClientsTable>;

export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  actor: string;
  /** The actor's name when it acted; null only on entries older than the column that could not be backfilled. */
  actor_name: ColumnType<string | null, string, never>;
  /** Client, person or the service itself; null only on entries older than the column that could not be backfilled. */
  actor_kind: ColumnType<ActorKind | null, ActorKind, never>;
  action: string;
  entity: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  correlation_id: string | null;
}
export type AuditRow = Selectable<AuditLogTable>;

type Json<T> = ColumnType<T, string, string>;

/** A yearly special day of business hours (see src/slots/types.ts). */
export interface RecurringRule {
  name: string;
  month: number;
  day?: number;
  weekday?: string;
  nth?: number;
  closed: boolean;
  intervals: { start: string; end: string }[];
}
export interface HolidayCalendar {
  country: string;
  state?: string;
  region?: string;
  types?: string[];
}

export interface BusinessHoursTable {
  id: Generated<string>;
  name: string;
  timezone: string;
  weekly: Json<Record<string, { start: string; end: string }[]>>;
  exceptions: Json<{ date: string; closed: boolean; intervals: { start: string; end: string }[] }[]>;
  recurring: Json<RecurringRule[]>;
  holiday_calendars: Json<HolidayCalendar[]>;
  /** Counts changes (each update adds one): what caches of the hours are keyed by. */
  revision: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type BusinessHoursRow = Selectable<BusinessHoursTable>;

export interface CapacityRulesTable {
  id: Generated<string>;
  name: string;
  timeslot_length: 'hour' | 'halfHour';
  cells: Json<Record<string, Record<string, number>>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type CapacityRuleRow = Selectable<CapacityRulesTable>;

export interface NumberRulesTable {
  id: Generated<string>;
  name: string;
  permitted_countries: string[];
  blocked_patterns: string[];
  blocked_number_types: string[];
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type NumberRuleRow = Selectable<NumberRulesTable>;

export interface QueuesTable {
  id: Generated<string>;
  name: string;
  genesys_queue_id: string | null;
  timezone: string;
  business_hours_id: string | null;
  immediate_enabled: boolean;
  scheduled_enabled: boolean;
  slot_duration_minutes: number;
  slot_capacity: number;
  capacity_rule_id: string | null;
  number_rule_id: string | null;
  max_days_ahead: number;
  immediate_blackout_minutes: number;
  purge_after_minutes: number | null;
  purge_at_close: boolean;
  max_pending_per_number: number;
  default_priority: number;
  script_id: string | null;
  default_country: string | null;
  prioritization_policy_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Retries for this queue's callbacks nobody answered (callback_retry_policies). */
  callback_retry_policy_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Business hours inside the queue's own outside which no immediate callback is offered (null: none). */
  immediate_offer_hours_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** No immediate callback while Genesys' estimated wait is above this (null: no limit). */
  max_ewt_seconds: ColumnType<number | null, number | null | undefined, number | null>;
  /** No immediate callback while this many are queued or routing (null: no limit). */
  max_waiting_callbacks: ColumnType<number | null, number | null | undefined, number | null>;
  /** At most `limit` callbacks created in any trailing `windowMinutes` (up to 5). */
  throttles: ColumnType<QueueThrottle[], string | undefined, string>;
  /** Callbacks one number may get per local day of the queue (null: no limit). */
  max_per_number_per_day: ColumnType<number | null, number | null | undefined, number | null>;
  emergency_closed: Generated<boolean>;
  /** Why the queue is closed in an emergency (required while emergency_closed). */
  closed_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** Agent-owned callbacks: taken, for how long by default (1 h–30 days), and what their expiry does. */
  owned_callbacks_enabled: Generated<boolean>;
  default_ownership_hours: Generated<number>;
  ownership_expiry: Generated<'queue' | 'disconnect'>;
  /** The org's SMS number notifications are sent from; null: no SMS for this queue. */
  sms_sender: ColumnType<string | null, string | null | undefined, string | null>;
  /** Per notification type, the SMS text (with placeholders); a type without one is not sent by SMS. */
  sms_templates: ColumnType<Partial<Record<NotificationType, string>>, string | undefined, string>;
  /** CALLBACK_UPCOMING's threshold in minutes; null: never sent. */
  upcoming_minutes: ColumnType<number | null, number | null | undefined, number | null>;
  /** Delayed call-in: callbacks call in through this group instead of being dialed. */
  call_in_group_id: ColumnType<string | null, string | null | undefined, string | null>;
  call_in_expiry_minutes: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface QueueThrottle {
  limit: number;
  windowMinutes: number;
}
export type QueueRow = Selectable<QueuesTable>;
export type NewQueue = Insertable<QueuesTable>;
export type QueueUpdate = Updateable<QueuesTable>;

export interface SlotBookingsTable {
  queue_id: string;
  slot_start: Date;
  booked: number;
}

type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface CallbacksTable {
  id: Generated<string>;
  queue_id: string;
  type: 'immediate' | 'scheduled';
  state: CallbackState;
  completion_reason: CompletionReason | null;
  phone_e164: string;
  customer_name: string | null;
  desired_time: NullableTime;
  scheduled_time: NullableTime;
  slot_start: NullableTime;
  priority: number;
  ivr_conversation_id: string | null;
  /** Seconds the caller had already waited when asking (credited by age-mode aging). */
  waited_seconds: Generated<number>;
  /** The current attempt (1-based); each ended one is in callback_attempts. */
  attempt: Generated<number>;
  /** The current attempt's conversation (earlier attempts' are in callback_attempts). */
  genesys_conversation_id: string | null;
  genesys_callback_id: string | null;
  user_data: Json<Record<string, string>>;
  idempotency_key: string | null;
  delivery_status: Generated<DeliveryStatus>;
  delivery_attempts: Generated<number>;
  delivery_error: string | null;
  delivered_at: NullableTime;
  created_by: string;
  /** The app's time of the create request (throttles and the daily per-number limit count by it). */
  requested_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: NullableTime;
  /** When the reconciler last compared the callback with Genesys (null: never). */
  reconciled_at: NullableTime;
  /** Held by a reconciler run while it asks Genesys about the callback; free once past. */
  reconcile_lease: NullableTime;
  /** Reconciler runs in a row in which Genesys did not know the conversation, since when. */
  reconcile_misses: Generated<number>;
  reconcile_missing_since: NullableTime;
  /** Routing sent to Genesys: skill and language ids (or names not resolved yet), preferred agents, label. */
  routing_skills: ColumnType<string[], string[] | undefined, string[]>;
  routing_language: ColumnType<string | null, string | null | undefined, string | null>;
  preferred_agent_ids: ColumnType<string[], string[] | undefined, string[]>;
  routing_label: ColumnType<string | null, string | null | undefined, string | null>;
  /** An agent-owned callback's owner (Genesys user id), until ownership_ends_at. */
  owner_agent_id: ColumnType<string | null, string | null | undefined, string | null>;
  ownership_ends_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  caller_id: ColumnType<string | null, string | null | undefined, string | null>;
  caller_id_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** Overrides the queue's script. */
  script_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The customer's app for push (FCM registration token); cleared when FCM says it is dead. */
  device_token: ColumnType<string | null, string | null | undefined, string | null>;
  device_platform: ColumnType<DevicePlatform | null, DevicePlatform | null | undefined, DevicePlatform | null>;
  upcoming_status: ColumnType<UpcomingStatus | null, UpcomingStatus | null | undefined, UpcomingStatus | null>;
  /** When the reconciler last asked Genesys for this (immediate, waiting) callback's own estimated wait. */
  upcoming_checked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Delayed call-in: the request its READY handed out. */
  call_in_request_id: ColumnType<string | null, string | null | undefined, string | null>;
}
export type CallbackRow = Selectable<CallbacksTable>;

export interface CallbackHistoryTable {
  id: Generated<string>;
  callback_id: string;
  at: Timestamp;
  actor: string;
  /** The actor's name when it acted; null only on entries older than the column that could not be backfilled. */
  actor_name: ColumnType<string | null, string, never>;
  /** Client, person or the service itself; null only on entries older than the column that could not be backfilled. */
  actor_kind: ColumnType<ActorKind | null, ActorKind, never>;
  event: HistoryEvent;
  from_state: CallbackState | null;
  to_state: CallbackState | null;
  reason: string | null;
  detail: Json<unknown> | null;
}

export interface IdempotentAnswersTable {
  scope: string;
  key: string;
  answer: Json<unknown>;
  created_at: Timestamp;
}

export interface SimulatedGenesysCallsTable {
  id: Generated<string>;
  at: Timestamp;
  operation: string;
  request: Json<unknown>;
  response: Json<unknown> | null;
}

export interface WorkerHeartbeatsTable {
  worker_id: string;
  last_seen: Timestamp;
}

export interface EventInboxTable {
  dedupe_key: string;
  topic: string;
  conversation_id: string | null;
  received_at: Timestamp;
  payload: Json<unknown>;
  action: EventAction | null;
  result: Json<unknown> | null;
}

export interface PrioritizationPoliciesTable {
  id: Generated<string>;
  name: string;
  mode: 'step' | 'age';
  initial_delay_seconds: Generated<number>;
  interval_seconds: number;
  increment: Generated<number>;
  base_priority: Generated<number>;
  points_per_minute: Generated<number>;
  max_steps: number;
  max_priority: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type PrioritizationPolicyRow = Selectable<PrioritizationPoliciesTable>;

export interface AgingTracksTable {
  conversation_id: string;
  queue_id: string | null;
  policy_id: string | null;
  status: 'ACTIVE' | 'STOPPED';
  started_at: Date | string;
  base_priority: number;
  /** Credited wait (the callback's waitedSeconds): age mode counts from started_at minus this. */
  waited_seconds: Generated<number>;
  /** When base_priority was taken from Genesys (before the first step); null until then. */
  base_read_at: NullableTime;
  steps: Generated<number>;
  current_priority: number | null;
  stop_reason: string | null;
  last_check_at: NullableTime;
  next_check_at: NullableTime;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type AgingTrackRow = Selectable<AgingTracksTable>;

export interface AgingStepsTable {
  id: Generated<string>;
  conversation_id: string;
  at: Timestamp;
  step: number;
  priority: number;
  scheduled_for: NullableTime;
}

export interface RetryPoliciesTable {
  id: Generated<string>;
  name: string;
  match: string;
  wait_seconds: number;
  max_attempts: number;
  clear_system_data: Generated<boolean>;
  priority: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type RetryPolicyRow = Selectable<RetryPoliciesTable>;

export interface PreviewContactsTable {
  id: Generated<string>;
  phone_digits: string;
  contact_id: string;
  contact_list_id: string;
  campaign_id: string | null;
  conversation_id: string | null;
  /** The queue the accepted preview named (its Genesys queue id), if it is one of ours. */
  queue_id: ColumnType<string | null, string | null | undefined, string | null>;
  accepted_at: Date | string;
  attempts: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type PreviewContactRow = Selectable<PreviewContactsTable>;

export interface RetryAttemptsTable {
  id: Generated<string>;
  preview_contact_id: string;
  attempt: number;
  conversation_id: string | null;
  last_result: string | null;
  policy_id: string | null;
  wait_seconds: number | null;
  retry_at: NullableTime;
  status: 'SCHEDULED' | 'SUBMITTED' | 'FAILED';
  error: string | null;
  created_at: Timestamp;
  submitted_at: NullableTime;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: Timestamp;
}

export interface CampaignsTable {
  id: Generated<string>;
  name: string;
  contact_list_id: string;
  phone_column: string;
  name_column: string | null;
  extra_columns: ColumnType<Record<string, string>, string | undefined, string>;
  number_rule_id: string | null;
  business_hours_id: string | null;
  max_delay_seconds: Generated<number>;
  max_pending_per_number: Generated<number>;
  default_country: string | null;
  queue_id: string | null;
  /** A QUEUED callback not dialed within this many hours of its insertion expires. */
  max_queued_hours: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type CampaignRow = Selectable<CampaignsTable>;

export interface CampaignCallbacksTable {
  id: Generated<string>;
  campaign_id: string;
  state: CampaignCallbackState;
  completion_reason: CampaignCompletionReason | null;
  phone_e164: string;
  full_name: string | null;
  dial_at: Date | string;
  priority: boolean;
  idempotency_key: string | null;
  contact_id: Generated<string>;
  delivery_status: Generated<CampaignDeliveryStatus>;
  delivery_error: string | null;
  /** When the contact was added to the list (the insertion an attempt must follow). */
  delivered_at: NullableTime;
  created_by: string;
  /** The app's time of the create request (throttles and the daily per-number limit count by it). */
  requested_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: NullableTime;
  /** The list the contact was added to (null before its insertion). */
  contact_list_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the reconciler last read the contact back (least recently checked first). */
  checked_at: NullableTime;
  /** The contact's last attempt and result on the phone column, as last read. */
  last_attempt_at: NullableTime;
  last_result: string | null;
  contact_removal: ContactRemovalStatus | null;
  contact_removal_error: string | null;
}
export type CampaignCallbackRow = Selectable<CampaignCallbacksTable>;

export interface CallbackRetryPoliciesTable {
  id: Generated<string>;
  name: string;
  /** The wrap-up codes that mean "no answer": their ids, with an optional display name. */
  wrap_up_codes: Json<{ id: string; name: string | null }[]>;
  wait_seconds: number;
  /** Attempts in all, the first included (1–21). */
  max_attempts: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type CallbackRetryPolicyRow = Selectable<CallbackRetryPoliciesTable>;

export interface CallbackAttemptsTable {
  id: Generated<string>;
  callback_id: string;
  attempt: number;
  conversation_id: string | null;
  started_at: Date | string;
  ended_at: Date | string;
  wrap_up_code: string | null;
  outcome: AttemptOutcome;
  /** What ended it: the history event (the wrapup topic, user.end, ...). */
  source: HistoryEvent;
  /** When the next attempt is due (RETRY_SCHEDULED only). */
  retry_at: NullableTime;
  created_at: Timestamp;
}
export type CallbackAttemptRow = Selectable<CallbackAttemptsTable>;

export interface CampaignCallbackHistoryTable {
  id: Generated<string>;
  campaign_callback_id: string;
  at: Timestamp;
  actor: string;
  actor_name: string | null;
  actor_kind: ActorKind | null;
  event: CampaignHistoryEvent;
  from_state: CampaignCallbackState | null;
  to_state: CampaignCallbackState | null;
  reason: string | null;
  detail: Json<unknown> | null;
}

export interface UsersTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  password_hash: string | null;
  source: ColumnType<UserSource, UserSource | undefined, UserSource>;
  genesys_user_id: string | null;
  roles: string[];
  queues: string[] | null;
  disabled: Generated<boolean>;
  last_sign_in_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  method: SignInMethod;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}
export type SessionRow = Selectable<SessionsTable>;

export interface GenesysSignInRequestsTable {
  state_hash: string;
  browser_hash: string;
  code_verifier: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface GenesysSignInMappingsTable {
  id: Generated<string>;
  kind: SignInMappingKind;
  genesys_id: string;
  label: string | null;
  roles: string[];
  queues: string[] | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type SignInMappingRow = Selectable<GenesysSignInMappingsTable>;

/** What a flow offered a caller and what the caller chose: one row per conversation. */
export interface CallbackOffersTable {
  conversation_id: string;
  queue_id: string;
  offered: OfferKind;
  result: OfferResult;
  reported_at: Date | string;
  updated_at: Date | string;
}
export type CallbackOfferRow = Selectable<CallbackOffersTable>;

/** Every answer callbacks/create gave: created or refused (outcome), by queue, type and time. */
export interface CreateDecisionsTable {
  id: Generated<string>;
  queue_id: string;
  at: Date | string;
  type: 'immediate' | 'scheduled';
  outcome: string;
}

/** A queue's local day, rolled up: the figures and the sorted connect waits (seconds). */
export interface ReportDaysTable {
  queue_id: string;
  /** The local date, `YYYY-MM-DD` (read as text). */
  day: ColumnType<string, string, string>;
  timezone: string;
  figures: Json<Record<string, unknown>>;
  connect_waits: number[];
  rolled_at: Date | string;
}

export interface WebhooksTable {
  id: Generated<string>;
  name: string;
  url: string;
  /** Empty: every type. */
  event_types: ColumnType<NotificationType[], NotificationType[] | undefined, NotificationType[]>;
  /** Empty: every queue. */
  queue_ids: ColumnType<string[], string[] | undefined, string[]>;
  secret_sealed: string;
  previous_secret_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  previous_secret_expires_at: NullableTime;
  enabled: Generated<boolean>;
  failing_since: NullableTime;
  disable_after_days: Generated<number>;
  disabled_reason: ColumnType<string | null, string | null | undefined, string | null>;
  disabled_at: NullableTime;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type WebhookRow = Selectable<WebhooksTable>;

export interface NotificationEventsTable {
  id: Generated<string>;
  seq: Generated<string>;
  callback_id: string;
  queue_id: string;
  type: NotificationType;
  occurred_at: Timestamp;
  data: Json<Record<string, unknown>>;
}
export type NotificationEventRow = Selectable<NotificationEventsTable>;

export interface NotificationDeliveriesTable {
  id: Generated<string>;
  event_id: string;
  callback_id: string;
  seq: string;
  channel: NotificationChannel;
  webhook_id: string | null;
  target: string;
  status: Generated<NotificationDeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  lease_until: NullableTime;
  last_error: string | null;
  sent_at: NullableTime;
  created_at: Generated<Date>;
}
export type NotificationDeliveryRow = Selectable<NotificationDeliveriesTable>;

export interface NotificationAttemptsTable {
  id: Generated<string>;
  delivery_id: string | null;
  webhook_id: string | null;
  channel: NotificationChannel;
  at: Timestamp;
  ok: boolean;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  test: Generated<boolean>;
}

export interface MessageOptOutsTable {
  phone_e164: string;
  source: 'STOP' | 'list';
  note: string | null;
  created_by: string;
  created_at: Generated<Date>;
}

export interface CallInGroupsTable {
  id: Generated<string>;
  name: string;
  queue_id: string | null;
  access_code_enabled: Generated<boolean>;
  access_code_length: Generated<number>;
  expiry_seconds: Generated<number>;
  unique_dnis: Generated<boolean>;
  match_criteria: ColumnType<CallInMatchCriteria, CallInMatchCriteria | undefined, CallInMatchCriteria>;
  max_code_attempts: Generated<number>;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type CallInGroupRow = Selectable<CallInGroupsTable>;

export interface CallInDnisTable {
  group_id: string;
  number: string;
  description: string | null;
}

export interface CallInRequestsTable {
  id: Generated<string>;
  group_id: string;
  callback_id: string | null;
  queue_id: string | null;
  from_phone_e164: string;
  to_number: string;
  access_code_hash: string | null;
  exclusive: boolean;
  state: ColumnType<CallInRequestState, CallInRequestState | undefined, CallInRequestState>;
  wrong_codes: Generated<number>;
  priority: number | null;
  user_data: Json<Record<string, string>>;
  expires_at: Timestamp;
  matched_at: NullableTime;
  created_by: string;
  created_at: Generated<Date>;
}
export type CallInRequestRow = Selectable<CallInRequestsTable>;

export interface DB {
  call_in_groups: CallInGroupsTable;
  call_in_dnis: CallInDnisTable;
  call_in_requests: CallInRequestsTable;
  webhooks: WebhooksTable;
  notification_events: NotificationEventsTable;
  notification_deliveries: NotificationDeliveriesTable;
  notification_attempts: NotificationAttemptsTable;
  message_opt_outs: MessageOptOutsTable;
  callback_retry_policies: CallbackRetryPoliciesTable;
  callback_attempts: CallbackAttemptsTable;
  users: UsersTable;
  sessions: SessionsTable;
  genesys_sign_in_requests: GenesysSignInRequestsTable;
  genesys_sign_in_mappings: GenesysSignInMappingsTable;
  event_inbox: EventInboxTable;
  prioritization_policies: PrioritizationPoliciesTable;
  aging_tracks: AgingTracksTable;
  aging_steps: AgingStepsTable;
  retry_policies: RetryPoliciesTable;
  preview_contacts: PreviewContactsTable;
  retry_attempts: RetryAttemptsTable;
  settings: SettingsTable;
  campaigns: CampaignsTable;
  campaign_callbacks: CampaignCallbacksTable;
  campaign_callback_history: CampaignCallbackHistoryTable;
  callbacks: CallbacksTable;
  callback_history: CallbackHistoryTable;
  idempotent_answers: IdempotentAnswersTable;
  simulated_genesys_calls: SimulatedGenesysCallsTable;
  worker_heartbeats: WorkerHeartbeatsTable;
  api_clients: ApiClientsTable;
  publishable_keys: PublishableKeysTable;
  captcha_tokens: CaptchaTokensTable;
  manage_tokens: ManageTokensTable;
  audit_log: AuditLogTable;
  business_hours: BusinessHoursTable;
  capacity_rules: CapacityRulesTable;
  number_rules: NumberRulesTable;
  queues: QueuesTable;
  slot_bookings: SlotBookingsTable;
  callback_offers: CallbackOffersTable;
  create_decisions: CreateDecisionsTable;
  report_days: ReportDaysTable;
}
