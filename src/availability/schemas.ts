import { Type, type Static } from 'typebox';
import { EXAMPLE_QUEUE } from '../http/schemas.js';
import { QueueInput } from '../queues/resolve.js';
import { ClosedReason, ImmediateOfferOpenForSeconds } from '../callbacks/schemas.js';

const Time = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
const Zone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone for the local times in the answer (default: the queue’s)' });

export const AvailabilityInput = Type.Object(
  {
    ...QueueInput,
    start: Type.Optional(Time('Earliest slot start, ISO-8601 (default now); without an offset it is local to timezone')),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 30, description: 'Days to search from start (default: up to the queue’s maxDaysAhead)' })),
    end: Type.Optional(Time('Search up to this time instead of days')),
    maxSlots: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
    timezone: Type.Optional(Zone),
  },
  { additionalProperties: false, examples: [{ queue: EXAMPLE_QUEUE, maxSlots: 3, timezone: 'America/New_York' }] },
);
export type AvailabilityInput = Static<typeof AvailabilityInput>;

export const AvailabilityOutput = Type.Object({
  slotCount: Type.Integer(),
  slots: Type.Array(Type.String(), { description: 'Slot starts, UTC' }),
  slotsLocal: Type.Array(Type.String(), { description: 'Slot starts, local with offset' }),
  remaining: Type.Array(Type.Integer(), { description: 'Places left in each slot' }),
  firstSlot: Type.String({ description: 'First slot, UTC ("" if none)' }),
  firstSlotLocal: Type.String(),
  firstSlotSpoken: Type.String({ description: 'E.g. "Tuesday, March 3 at 9:15 AM", for a TTS prompt' }),
  timezone: Type.String({ description: 'Zone of the local times' }),
});
export type AvailabilityOutput = Static<typeof AvailabilityOutput>;

export const OpenForInput = Type.Object(
  { ...QueueInput, at: Type.Optional(Time('Instant to ask about (default now)')), timezone: Type.Optional(Zone) },
  { additionalProperties: false, examples: [{ queue: EXAMPLE_QUEUE }] },
);
export type OpenForInput = Static<typeof OpenForInput>;

export const OpenForOutput = Type.Object({
  open: Type.Boolean(),
  openForSeconds: Type.Integer({ description: 'Seconds until closing (0 when closed; capped at 8 days when always open)' }),
  closesAt: Type.String({ description: 'UTC ("" when closed or not closing within 8 days)' }),
  nextOpenTime: Type.String({ description: 'Next opening after now (or after the coming close), UTC; "" if none within 30 days' }),
  nextOpenTimeLocal: Type.String(),
  nextOpenTimeSpoken: Type.String(),
  immediateEnabled: Type.Boolean(),
  scheduledEnabled: Type.Boolean(),
  offerImmediate: Type.Boolean({
    description:
      'Immediate callbacks enabled and a create would take one: open, not within the blackout before closing, inside the immediate offer hours, the estimated wait not above maxEwtSeconds, fewer waiting than maxWaitingCallbacks, not throttled, not closed in an emergency',
  }),
  immediateOfferOpenForSeconds: ImmediateOfferOpenForSeconds,
  closedReason: ClosedReason,
});
export type OpenForOutput = Static<typeof OpenForOutput>;
