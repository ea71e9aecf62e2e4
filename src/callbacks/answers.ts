import type { CallbackRow } from '../db/types.js';
import { isoLocal, isoUtc } from '../time.js';

/** The flat answers Architect branches on: every key always present. */

export const CREATE_OUTCOMES = [
  'CREATED',
  'DUPLICATE',
  'SLOT_FULL',
  'OUTSIDE_HOURS',
  'TOO_FAR_AHEAD',
  'IN_THE_PAST',
  'QUEUE_CLOSED',
  'IMMEDIATE_DISABLED',
  'SCHEDULED_DISABLED',
  'INVALID_NUMBER',
  'COUNTRY_NOT_PERMITTED',
  'BLOCKED_PATTERN',
  'BLOCKED_NUMBER_TYPE',
  'WAIT_TOO_LONG',
  'QUEUE_FULL',
  'THROTTLED',
  'NUMBER_LIMIT',
] as const;
export type CreateOutcome = (typeof CREATE_OUTCOMES)[number];

export interface CreateAnswer {
  outcome: CreateOutcome;
  created: boolean;
  replayed: boolean;
  callbackId: string;
  state: string;
  scheduledTime: string;
  scheduledTimeLocal: string;
  phoneE164: string;
  alternativeSlots: string[];
  alternativeSlotsLocal: string[];
  message: string;
  /** Why the queue is closed in an emergency, on that QUEUE_CLOSED; "" otherwise (absent from answers stored before it). */
  closedReason?: string;
}

export function emptyAnswer<T extends string>(outcome: T, message: string) {
  return {
    outcome,
    created: false,
    replayed: false,
    callbackId: '',
    state: '',
    scheduledTime: '',
    scheduledTimeLocal: '',
    phoneE164: '',
    alternativeSlots: [] as string[],
    alternativeSlotsLocal: [] as string[],
    message,
  };
}

/** The callback's own fields, for answers that describe one. */
export function answerFor(row: Pick<CallbackRow, 'id' | 'state' | 'scheduled_time' | 'phone_e164'>, zone: string) {
  return {
    callbackId: row.id,
    state: row.state,
    scheduledTime: row.scheduled_time ? isoUtc(row.scheduled_time) : '',
    scheduledTimeLocal: row.scheduled_time ? isoLocal(row.scheduled_time, zone) : '',
    phoneE164: row.phone_e164,
  };
}

export function slotTimes(prefix: 'alternativeSlots', slots: Date[], zone: string) {
  return { [prefix]: slots.map(isoUtc), [`${prefix}Local`]: slots.map((d) => isoLocal(d, zone)) } as Record<'alternativeSlots' | 'alternativeSlotsLocal', string[]>;
}
