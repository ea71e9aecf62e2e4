import type { SecretBox } from '../auth/encryption.js';
import type { CodeHasher } from '../callin/codes.js';
import type { NotificationDeliveryRow, NotificationEventRow } from '../db/types.js';
import type { JobContext } from '../jobs/context.js';
import type { LinkSigner } from '../selfservice/link.js';
import type { FcmSender } from './fcm.js';

/**
 * What sending a notification needs beyond a job's context: the key that unseals webhook secrets and
 * the push credential, the self-service link signer and base URL (SMS texts carry the link), the FCM
 * client, and the retry schedule.
 */
export interface NotificationDeps {
  secrets: SecretBox;
  /** Delayed call-in: the READY notification hands out an access code, kept as this keyed hash. */
  codes: CodeHasher;
  links: LinkSigner;
  publicBaseUrl: string;
  fcm: FcmSender;
  /** The waits between attempts of one delivery, in ms; the last one repeats. */
  backoffMs: readonly number[];
  /** A delivery still failing this long after its notification is given up (FAILED). */
  giveUpAfterMs: number;
  /**
   * How long a job holds a delivery it is sending (NOTIFY_LEASE_SECONDS; default DEFAULT_LEASE_MS):
   * a job that died mid-send leaves it to be sent again this long after it took it. Longer than any
   * sender's timeout, so a slow send is never sent again by another job while it is still going.
   */
  leaseMs?: number;
}

/** The default retry schedule: 10 s, 30 s, 1 min, 5 min, 15 min, 1 h, then hourly — for three days. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000];
export const DEFAULT_GIVE_UP_AFTER_MS = 3 * 86_400_000;
/** The default lease on a delivery being sent: one minute. */
export const DEFAULT_LEASE_MS = 60_000;

export interface NotifyContext extends JobContext {
  notifications: NotificationDeps;
}

/** One delivery attempt: the delivery (its id is the idempotency key receivers see; `attempts` counts this one) and its event. */
export interface Outgoing {
  delivery: NotificationDeliveryRow;
  event: NotificationEventRow;
}

/**
 * What came of an attempt. `retryable`: try again later (with backoff); otherwise FAILED. `drop`:
 * the target is gone for good (the number opted out, the device token is dead) — DROPPED, never retried.
 * `statusCode`: the receiver's HTTP status, when there was one.
 */
export type SendResult =
  | { ok: true; statusCode: number | null }
  | { ok: false; retryable: boolean; drop?: boolean; statusCode: number | null; error: string };

/** Sends one delivery of its channel. It never throws for the receiver's failures: it answers them. */
export type ChannelSender = (ctx: NotifyContext, out: Outgoing) => Promise<SendResult>;
