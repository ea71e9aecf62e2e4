import { Type, type Static } from 'typebox';
import { IsoTime, Nullable, PageLimit } from '../http/schemas.js';
import { OPT_OUT_OUTCOMES, OPT_OUT_SOURCES } from './opt-outs.js';

const Source = Type.Enum(OPT_OUT_SOURCES, { description: "'STOP': the customer texted a stop keyword; 'list': put on the do-not-message list by an operator" });

export const OptOut = Type.Object(
  {
    phoneE164: Type.String({ description: 'The number, E.164' }),
    source: Source,
    note: Nullable(Type.String()),
    createdBy: Type.String({ description: 'The operator, or the data-action client the STOP came through' }),
    createdAt: IsoTime,
  },
  { title: 'MessageOptOut' },
);

export const OptOutPage = Type.Object({ items: Type.Array(OptOut), nextCursor: Nullable(Type.String()) }, { title: 'MessageOptOutPage' });

export const OptOutQuery = Type.Object(
  {
    phone: Type.Optional(Type.String({ maxLength: 40, description: 'Numbers starting with these digits (a whole E.164 number: that number)' })),
    source: Type.Optional(Source),
    limit: PageLimit,
    cursor: Type.Optional(Type.String({ maxLength: 40, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);
export type OptOutQuery = Static<typeof OptOutQuery>;

export const PhoneParams = Type.Object({ phone: Type.String({ maxLength: 64, description: 'The number, E.164 (+ and digits; %2B for + also works)' }) });

export const PutOptOutBody = Type.Object(
  { note: Type.Optional(Nullable(Type.String({ maxLength: 500 }), 'Why the number is on the list; absent: unchanged, null: cleared')) },
  { additionalProperties: false, examples: [{ note: 'Asked not to be texted, call of 2026-12-01' }] },
);
export type PutOptOutBody = Static<typeof PutOptOutBody>;

export const OptOutActionInput = Type.Object(
  {
    phoneNumber: Type.String({ maxLength: 1_000, description: "The customer's number (an inbound message flow's Message.Message.senderAddress): E.164 or a tel: URI" }),
    text: Type.Optional(
      Type.String({
        maxLength: 4_000,
        description: "The customer's message (Message.Message.body): STOP, STOPALL, UNSUBSCRIBE, CANCEL, END or QUIT opts out; START, UNSTOP or YES opts back in; anything else (or nothing, e.g. a picture alone) is ignored",
      }),
    ),
  },
  { additionalProperties: false, examples: [{ phoneNumber: '+12024561113', text: 'STOP' }] },
);
export type OptOutActionInput = Static<typeof OptOutActionInput>;

export const OptOutActionAnswer = Type.Object(
  {
    outcome: Type.String({ enum: [...OPT_OUT_OUTCOMES] }),
    optedOut: Type.Boolean({ description: 'Whether the number is on the opt-out list now (never texted)' }),
    phoneE164: Type.String({ description: '"" when the number is invalid' }),
    source: Type.String({ description: "The list entry's source ('STOP' or 'list'), \"\" when not on the list" }),
    keyword: Type.String({ description: 'The keyword recognised (upper case), "" for IGNORED' }),
    message: Type.String(),
  },
  { title: 'MessageOptOutAnswer' },
);
