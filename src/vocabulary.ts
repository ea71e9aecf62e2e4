/**
 * The words the service stores and answers with, each listed once. Types, TypeBox enums and the
 * database types derive from these lists; test/vocabulary.test.ts holds them against the check
 * constraints of the migrations.
 */

/** A callback's life: SCHEDULED → QUEUED → ROUTING → PROCESSING → COMPLETED (see callbacks/lifecycle.ts). */
export const CALLBACK_STATES = ['SCHEDULED', 'QUEUED', 'ROUTING', 'PROCESSING', 'COMPLETED'] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];

/** States a callback can be cancelled from: an agent already on it (PROCESSING) cannot be stopped. */
export const CANCELLABLE: readonly CallbackState[] = ['SCHEDULED', 'QUEUED', 'ROUTING'];
/** States of a callback still to be handled: it holds its number (one pending callback per number). */
export const PENDING_STATES: readonly CallbackState[] = ['SCHEDULED', 'QUEUED', 'ROUTING', 'PROCESSING'];

/**
 * Where a queued job stands, as `/metrics` counts them: runnable (due, free, attempts left), scheduled
 * (due later), running (locked by a worker), failed (out of attempts; kept until removed).
 */
export const JOB_DEPTH_STATES = ['runnable', 'scheduled', 'running', 'failed'] as const;
export type JobDepthState = (typeof JOB_DEPTH_STATES)[number];

/**
 * Why a callback is COMPLETED (required exactly when it is). NO_ANSWER: every attempt its queue's
 * callback retry policy allows ended with one of the policy's wrap-up codes.
 */
export const COMPLETION_REASONS = ['HANDLED', 'CANCELLED_BY_CUSTOMER', 'CANCELLED_BY_ADMIN', 'PURGED', 'EXPIRED', 'ABANDONED', 'FAILED', 'NO_ANSWER'] as const;
export type CompletionReason = (typeof COMPLETION_REASONS)[number];

/** Where a callback's creation in Genesys stands (see DELIVERY_NEXT in callbacks/lifecycle.ts). */
export const DELIVERY_STATUSES = ['PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'NOT_REQUIRED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * A campaign callback is dialed by a campaign: it has no routing states and no SENDING step.
 * SCHEDULED (waiting for its delay) → QUEUED (its contact is in the list) → COMPLETED (see
 * campaigns/lifecycle.ts).
 */
export const CAMPAIGN_CALLBACK_STATES = ['SCHEDULED', 'QUEUED', 'COMPLETED'] as const satisfies readonly CallbackState[];
export type CampaignCallbackState = (typeof CAMPAIGN_CALLBACK_STATES)[number];
/** States a campaign callback can be cancelled from: all but COMPLETED (a dialer call in progress is Genesys' to finish). */
export const CAMPAIGN_CANCELLABLE: readonly CampaignCallbackState[] = ['SCHEDULED', 'QUEUED'];
/**
 * Why a campaign callback is COMPLETED. HANDLED: the dialer made an attempt after the insertion
 * (what came of the call — answered, machine, no answer — is the call-analysis flow's, kept as the
 * contact's last result); EXPIRED: not dialed within the campaign's maxQueuedHours; CANCELLED_*: by a
 * flow or an operator; FAILED: Genesys refused the insertion.
 */
export const CAMPAIGN_COMPLETION_REASONS = ['HANDLED', 'EXPIRED', 'CANCELLED_BY_CUSTOMER', 'CANCELLED_BY_ADMIN', 'FAILED'] as const satisfies readonly CompletionReason[];
export type CampaignCompletionReason = (typeof CAMPAIGN_COMPLETION_REASONS)[number];
/** Removing an expired or cancelled callback's contact from the list (a job): PENDING → REMOVED or FAILED. */
export const CONTACT_REMOVAL_STATUSES = ['PENDING', 'REMOVED', 'FAILED'] as const;
export type ContactRemovalStatus = (typeof CONTACT_REMOVAL_STATUSES)[number];
/** What a campaign callback's history records. */
export const CAMPAIGN_HISTORY_EVENTS = ['created', 'inserted', 'dial-failed', 'dialed', 'expired', 'cancelled', 'contact-removed', 'contact-removal-failed'] as const;
export type CampaignHistoryEvent = (typeof CAMPAIGN_HISTORY_EVENTS)[number];
export const CAMPAIGN_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED', 'NOT_REQUIRED'] as const satisfies readonly DeliveryStatus[];
export type CampaignDeliveryStatus = (typeof CAMPAIGN_DELIVERY_STATUSES)[number];

/**
 * What a callback's history records: changes made here (lower-case words), what the delivery job
 * did in Genesys, and the Genesys events (their topic) that moved the callback.
 */
export const HISTORY_EVENTS = [
  'created',
  'cancelled',
  'rescheduled',
  'recreated',
  'purged',
  'delivered',
  'delivery-reconciled',
  'delivery-failed',
  'rescheduled-in-genesys',
  'cancelled-in-genesys',
  'reschedule-in-genesys-failed',
  'cancel-in-genesys-failed',
  'acd.start',
  'acd.end',
  'user.start',
  'user.end',
  // The reconciler moved the callback to the state Genesys shows (detail: what Genesys showed).
  'reconciled',
  'wrapup',
  'retry-scheduled',
  // An agent-owned callback's ownership ended: it routes to its queue, or (queue setting) it is disconnected.
  'ownership-released',
  'ownership-expired',
  'ownership-release-failed',
  // CALLBACK_UPCOMING was sent (detail: the estimated wait or the minutes before the scheduled time), or suppressed.
  'upcoming',
  'upcoming-suppressed',
  // Delayed call-in: the customer was handed a number and code to call (CALLBACK_READY); their call
  // matched (the callback is done); or they did not call in time.
  'call-in-ready',
  'called-in',
  'call-in-expired',
] as const;
export type HistoryEvent = (typeof HISTORY_EVENTS)[number];

/** What a notification tells its receivers (webhooks, the customer's SMS and app) about a callback. */
export const NOTIFICATION_TYPES = [
  'CALLBACK_CREATED',
  'CALLBACK_RESCHEDULED',
  'CALLBACK_UPCOMING',
  'CALLBACK_READY',
  'CALLBACK_PURGED',
  'CALLBACK_ATTEMPT_FAILED',
  'CALLBACK_FINAL_ATTEMPT_FAILED',
  'CALLBACK_COMPLETED',
  'CALLBACK_CANCELLED',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
/** Where a notification goes. */
export const NOTIFICATION_CHANNELS = ['webhook', 'sms', 'push'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
/**
 * One delivery of a notification: PENDING → SENDING (a job holds it) → SENT, back to PENDING after a
 * retryable failure (with backoff), FAILED (given up), or DROPPED (never to be sent: the target is
 * gone — the number opted out, the device token is dead, the webhook was disabled).
 */
export const NOTIFICATION_DELIVERY_STATUSES = ['PENDING', 'SENDING', 'SENT', 'FAILED', 'DROPPED'] as const;
export type NotificationDeliveryStatus = (typeof NOTIFICATION_DELIVERY_STATUSES)[number];
export const DEVICE_PLATFORMS = ['android', 'ios', 'web'] as const;
export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number];
/** CALLBACK_UPCOMING of one callback: PENDING (to be sent once), SENT, SUPPRESSED (not to be sent). */
export const UPCOMING_STATUSES = ['PENDING', 'SENT', 'SUPPRESSED'] as const;
export type UpcomingStatus = (typeof UPCOMING_STATUSES)[number];

/**
 * The `action` each event endpoint answers (and the inbox records), per endpoint: flows and
 * workflows branch on them. DUPLICATE is a repeat of an event already processed.
 */
export const EVENT_ACTIONS = {
  acdStart: ['TRACKING_STARTED', 'IGNORED', 'DUPLICATE'],
  acdEnd: ['TRACKING_STOPPED', 'IGNORED', 'DUPLICATE'],
  previewAccepted: ['RECORDED', 'IGNORED', 'DUPLICATE'],
  userStart: ['ROUTING', 'IGNORED', 'DUPLICATE'],
  userEnd: ['RETRY_SCHEDULED', 'NO_MATCH', 'NOT_ELIGIBLE', 'NO_POLICY', 'MAX_ATTEMPTS', 'DUPLICATE', 'IGNORED'],
  wrapup: ['RETRY_SCHEDULED', 'NO_ANSWER', 'HANDLED', 'IGNORED', 'DUPLICATE'],
} as const;

/**
 * What the end of a callback's conversation came to (callbacks/attempts.ts): another attempt after
 * the wait, the last attempt failed (COMPLETED/NO_ANSWER), handled (COMPLETED/HANDLED), or — an
 * agent's user.end in a queue with a callback retry policy — waiting for the wrap-up to decide.
 * UNCHANGED: the end is not of the callback's current attempt (completed already, another
 * conversation, or not begun), so nothing moved.
 */
export const CONVERSATION_OUTCOMES = ['RETRY_SCHEDULED', 'NO_ANSWER', 'HANDLED', 'AWAITING_WRAPUP', 'UNCHANGED'] as const;
export type ConversationOutcome = (typeof CONVERSATION_OUTCOMES)[number];
/** How an ended attempt is recorded in `callback_attempts` (the outcomes that end one). */
export const ATTEMPT_OUTCOMES = ['RETRY_SCHEDULED', 'NO_ANSWER', 'HANDLED'] as const satisfies readonly ConversationOutcome[];
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
export type EventActionOf<E extends keyof typeof EVENT_ACTIONS> = (typeof EVENT_ACTIONS)[E][number];
export type EventAction = EventActionOf<keyof typeof EVENT_ACTIONS>;

/**
 * Who acted, as the audit log and callback histories record it: an API client, a person, the service
 * itself, or a customer managing their own callback (self-service, with its manage token).
 */
export const ACTOR_KINDS = ['client', 'user', 'system', 'customer'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** Where a person's account comes from: made here (a password), or by a Genesys Cloud sign-in. */
export const USER_SOURCES = ['local', 'genesys'] as const;
export type UserSource = (typeof USER_SOURCES)[number];

/** How a console session was opened. */
export const SIGN_IN_METHODS = ['password', 'genesys'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** What a Genesys sign-in mapping matches on the signed-in Genesys user: one of its groups or one of its roles. */
export const SIGN_IN_MAPPING_KINDS = ['group', 'role'] as const;
export type SignInMappingKind = (typeof SIGN_IN_MAPPING_KINDS)[number];

/** What a flow offered the caller (POST /actions/v1/offers): an immediate callback, a scheduled one, or both. */
export const OFFER_KINDS = ['IMMEDIATE', 'SCHEDULED', 'BOTH'] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];
/**
 * What the caller chose, weakest first: a later report of a conversation replaces the recorded
 * result only with a stronger one (NO_INPUT → DECLINED → ACCEPTED), never the other way.
 */
export const OFFER_RESULTS = ['NO_INPUT', 'DECLINED', 'ACCEPTED'] as const;
export type OfferResult = (typeof OFFER_RESULTS)[number];
/**
 * The answer to an offer report. RECORDED: the conversation's first report; UPDATED: it replaced a
 * weaker result; ALREADY_RECORDED: the same report again; KEPT: the recorded result is stronger, or
 * the offer was recorded in another queue — nothing changed.
 */
export const OFFER_OUTCOMES = ['RECORDED', 'UPDATED', 'ALREADY_RECORDED', 'KEPT'] as const;
export type OfferOutcome = (typeof OFFER_OUTCOMES)[number];
/** The grouping of a report summary: one row per queue, per local day or per local hour. */
export const REPORT_GROUPINGS = ['queue', 'day', 'hour'] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

/** What an export writes: CSV (RFC 4180, for spreadsheets) or NDJSON (one JSON object a line, for programs). */
export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A CSV cell a spreadsheet could run as a formula starts with one of these (OWASP, "CSV injection"). */
export const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r'] as const;
/** What an API client is: a server (a secret, OAuth tokens) or a publishable key (browsers and apps, no secret). */
export const CLIENT_KINDS = ['server', 'publishable'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** The CAPTCHA providers a publishable key can require a token of. */
export const CAPTCHA_PROVIDERS = ['recaptcha-v3', 'recaptcha-v2', 'hcaptcha', 'turnstile'] as const;
export type CaptchaProvider = (typeof CAPTCHA_PROVIDERS)[number];

/** How a CAPTCHA check ended, as the `captcha_verifications_total` metric counts it. */
export const CAPTCHA_RESULTS = ['passed', 'retried', 'missing', 'failed', 'low_score', 'wrong_action', 'wrong_hostname', 'reused', 'unavailable'] as const;
export type CaptchaResult = (typeof CAPTCHA_RESULTS)[number];

/** How a call-in must present itself to match its request. */
export const CALL_IN_MATCH_CRITERIA = ['DNIS_AND_CODE', 'DNIS_AND_CALLER', 'ALL'] as const;
export type CallInMatchCriteria = (typeof CALL_IN_MATCH_CRITERIA)[number];
/**
 * A call-in request: PENDING (handed out, waiting for the call) → MATCHED (the call presented it),
 * EXPIRED (not called within the group's expiry), or LOCKED (too many wrong codes).
 */
export const CALL_IN_REQUEST_STATES = ['PENDING', 'MATCHED', 'EXPIRED', 'LOCKED'] as const;
export type CallInRequestState = (typeof CALL_IN_REQUEST_STATES)[number];
