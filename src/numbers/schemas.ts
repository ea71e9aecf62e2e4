import { Type, type Static } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { EXAMPLE_PHONE, EXAMPLE_QUEUE, IsoTime, Uuid, VisibleText } from '../http/schemas.js';
import { QueueRef } from '../hours/schemas.js';
import { QueueInput } from '../queues/resolve.js';
import { MAX_PATTERN_LENGTH, MAX_PATTERNS, NUMBER_TYPES, SCREENING_OUTCOMES } from './screening.js';

const Name = VisibleText(100);
const Countries = Type.Array(Type.String({ pattern: '^[A-Za-z]{2}$' }), {
  minItems: 1,
  maxItems: 250,
  description: 'ISO-3166 alpha-2 countries callbacks may go to',
  examples: [['US', 'CA']],
});
const Patterns = Type.Array(Type.String({ minLength: 1, maxLength: MAX_PATTERN_LENGTH }), {
  maxItems: MAX_PATTERNS,
  description: 'RE2 regular expressions matched (find) against the E.164 digits without "+", e.g. ^1900',
  examples: [['^1900', '^1976']],
});
const Types = Type.Array(Type.String({ enum: [...NUMBER_TYPES] }), { maxItems: NUMBER_TYPES.length, description: 'Number types refused, e.g. PREMIUM_RATE' });

export const CreateNumberRuleBody = Type.Object(
  { name: Name, permittedCountries: Countries, blockedPatterns: Type.Optional(Patterns), blockedNumberTypes: Type.Optional(Types) },
  { additionalProperties: false, examples: [{ name: 'North America', permittedCountries: ['US', 'CA'], blockedPatterns: ['^1900'], blockedNumberTypes: ['PREMIUM_RATE'] }] },
);
export type CreateNumberRuleBody = Static<typeof CreateNumberRuleBody>;

export const UpdateNumberRuleBody = updateBodyOf(CreateNumberRuleBody, { examples: [{ blockedPatterns: ['^1900', '^1976'] }] });
export type UpdateNumberRuleBody = Static<typeof UpdateNumberRuleBody>;

export const NumberRule = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    permittedCountries: Type.Array(Type.String()),
    blockedPatterns: Type.Array(Type.String()),
    blockedNumberTypes: Type.Array(Type.String()),
    queues: Type.Array(QueueRef, { description: 'Queues using this rule' }),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { title: 'NumberRule' },
);

const PhoneNumber = Type.String({ maxLength: 1_000, description: 'E.164, national format, or a tel: URI (Genesys ANI)' });
const DefaultCountry = Type.String({ maxLength: 10, description: 'ISO country for national-format numbers (default: the queue’s, else the rule’s first permitted country)' });

export const TestNumberBody = Type.Object({ phoneNumber: PhoneNumber, defaultCountry: Type.Optional(DefaultCountry) }, { additionalProperties: false, examples: [{ phoneNumber: EXAMPLE_PHONE }] });

export const NumberCheckInput = Type.Object(
  {
    ...QueueInput,
    rule: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Number rule name or id, instead of a queue' })),
    phoneNumber: PhoneNumber,
    defaultCountry: Type.Optional(DefaultCountry),
  },
  { additionalProperties: false, examples: [{ queue: EXAMPLE_QUEUE, phoneNumber: EXAMPLE_PHONE }] },
);
export type NumberCheckInput = Static<typeof NumberCheckInput>;

export const ScreeningAnswer = Type.Object({
  allowed: Type.Boolean(),
  outcome: Type.String({ enum: [...SCREENING_OUTCOMES] }),
  phoneE164: Type.String({ description: '"" when the number is invalid' }),
  country: Type.String(),
  numberType: Type.String(),
  matchedPattern: Type.String({ description: 'The blocking pattern, for BLOCKED_PATTERN' }),
  message: Type.String(),
});
