import { Type, type Static } from 'typebox';
import { EXAMPLE_CALL_IN_GROUP, EXAMPLE_DNIS, EXAMPLE_PHONE } from '../http/schemas.js';
import { SCREENING_OUTCOMES } from '../numbers/screening.js';

export const REQUEST_OUTCOMES = ['READY', 'NO_NUMBER_AVAILABLE', 'NOT_FOUND', 'ALREADY_COMPLETED', ...SCREENING_OUTCOMES.filter((o) => o !== 'ALLOWED')] as const;
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];
export const MATCH_OUTCOMES = ['MATCHED', 'NO_MATCH', 'EXPIRED', 'WRONG_CODE', 'ALREADY_USED'] as const;
export type MatchOutcome = (typeof MATCH_OUTCOMES)[number];

export const CallInRequestInput = Type.Object(
  {
    group: Type.String({ minLength: 1, maxLength: 100, description: 'The call-in group’s name' }),
    fromPhoneNumber: Type.String({ minLength: 1, maxLength: 1_000, description: 'The number the customer will call from' }),
    callbackId: Type.Optional(Type.String({ format: 'uuid', description: 'The callback this call-in is for (its queue, priority and data go with the call)' })),
    userData: Type.Optional(Type.String({ maxLength: 20_000, description: 'JSON text of a flat string map, handed to the inbound flow on match' })),
    defaultCountry: Type.Optional(Type.String({ maxLength: 10, description: 'Reads a national fromPhoneNumber (ISO country); default: the group queue’s' })),
  },
  { additionalProperties: false, examples: [{ group: EXAMPLE_CALL_IN_GROUP, fromPhoneNumber: EXAMPLE_PHONE, userData: '{"reason":"billing"}' }] },
);
export type CallInRequestInput = Static<typeof CallInRequestInput>;

export const CallInRequestOutput = Type.Object({
  outcome: Type.String({ enum: [...REQUEST_OUTCOMES] }),
  requestId: Type.String({ description: '"" unless READY' }),
  toPhoneNumber: Type.String({ description: 'The number to dial (E.164), "" unless READY' }),
  accessCode: Type.String({ description: 'The code to enter after dialing; "" when the group uses none (or unless READY). Shown once: only a keyed hash is kept' }),
  expiresAt: Type.String({ description: 'Call before this (UTC), "" unless READY' }),
  expiresInSeconds: Type.Integer({ description: '0 unless READY' }),
  phoneE164: Type.String({ description: 'fromPhoneNumber as E.164, "" when invalid' }),
  message: Type.String(),
});
export type CallInRequestOutput = Static<typeof CallInRequestOutput>;

export const CallInMatchInput = Type.Object(
  {
    dialedNumber: Type.String({ minLength: 1, maxLength: 1_000, description: 'The number the caller dialed (Call.CalledAddress / DNIS)' }),
    callerNumber: Type.Optional(Type.String({ maxLength: 1_000, description: 'The caller’s number (Call.Ani); absent or withheld matches only by code' })),
    accessCode: Type.Optional(Type.String({ maxLength: 40, description: 'The digits the caller entered' })),
  },
  { additionalProperties: false, examples: [{ dialedNumber: EXAMPLE_DNIS, callerNumber: EXAMPLE_PHONE, accessCode: '000000' }] },
);
export type CallInMatchInput = Static<typeof CallInMatchInput>;

export const CallInMatchOutput = Type.Object({
  matched: Type.Boolean(),
  outcome: Type.String({ enum: [...MATCH_OUTCOMES] }),
  requestId: Type.String({ description: 'The request the call presented ("" when none could be told)' }),
  callbackId: Type.String({ description: 'The callback the request was for, ""' }),
  queueId: Type.String({ description: 'Our queue to route to (the callback’s, else the group’s), ""' }),
  genesysQueueId: Type.String({ description: 'Its Genesys queue id, for Transfer to ACD, ""' }),
  queueName: Type.String(),
  priority: Type.Integer({ description: 'The callback’s priority, else the queue’s default; 0 without a queue' }),
  userData: Type.String({ description: 'The request’s data (else the callback’s) as JSON text, "{}"' }),
  attemptsLeft: Type.Integer({ description: 'WRONG_CODE: how many more tries the request takes; 0 otherwise' }),
  message: Type.String(),
});
export type CallInMatchOutput = Static<typeof CallInMatchOutput>;
