import { Type, type Static } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, Nullable, NullableUuid, TimeFilter, Uuid, VisibleText } from '../http/schemas.js';
import { CALL_IN_MATCH_CRITERIA, CALL_IN_REQUEST_STATES } from '../vocabulary.js';
import { DNIS_DESCRIPTION_MAX, DNIS_MAX_LENGTH, DNIS_MAX_POOL } from './dnis-csv.js';

/** `/admin/v1/call-in-groups` and the Call-In tab (`/admin/v1/call-in/requests`). */

export const DnisItem = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: DNIS_MAX_LENGTH, description: `E.164: + and digits, at most ${DNIS_MAX_LENGTH} characters (a missing + is added)` }),
    description: Type.Optional(Nullable(Type.String({ maxLength: DNIS_DESCRIPTION_MAX }), `Any text, at most ${DNIS_DESCRIPTION_MAX} characters`)),
  },
  { additionalProperties: false },
);

export const DnisList = Type.Array(DnisItem, {
  minItems: 1,
  maxItems: DNIS_MAX_POOL,
  description: `The DNIS pool: 1 to ${DNIS_MAX_POOL.toLocaleString('en-US')} numbers, each once`,
});

const settings = {
  queueId: Type.Optional(
    NullableUuid('The queue a matched call goes to when its request names no callback; clients restricted to some queues see only their queues’ groups (null: unrestricted clients only)'),
  ),
  accessCodeEnabled: Type.Optional(Type.Boolean({ default: true, description: 'Whether a request is given an access code the caller must enter' })),
  accessCodeLength: Type.Optional(Type.Integer({ minimum: 4, maximum: 12, default: 6, description: 'Digits of an access code (4 to 12)' })),
  expirySeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 1800, default: 30, description: 'How long a request waits for the call (10 to 1,800 s)' })),
  uniqueDnis: Type.Optional(Type.Boolean({ default: false, description: 'true: a number is handed to one pending request at a time' })),
  matchCriteria: Type.Optional(
    Type.Enum(CALL_IN_MATCH_CRITERIA, {
      default: 'DNIS_AND_CODE',
      description: 'What a call must present to match: the dialed number and the code, the dialed number and the caller’s number, or all three (a code needs accessCodeEnabled)',
    }),
  ),
  maxCodeAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'Wrong codes a request tolerates before it no longer matches (1 to 10)' })),
};

export const CreateCallInGroupBody = Type.Object(
  {
    name: VisibleText(100, 'Unique (case-insensitively), any characters, trimmed; cannot be changed later'),
    ...settings,
    dnis: DnisList,
  },
  {
    additionalProperties: false,
    examples: [{ name: 'App call-in', accessCodeLength: 6, expirySeconds: 120, dnis: [{ number: '+18005550100', description: 'Toll-free, main' }, { number: '+18005550101' }] }],
  },
);
export type CreateCallInGroupBody = Static<typeof CreateCallInGroupBody>;

/** A PATCH: the settings only (the name is immutable; the pool is replaced with PUT .../dnis or imported). */
export const UpdateCallInGroupBody = updateBodyOf(Type.Object(settings), { examples: [{ expirySeconds: 60 }] });
export type UpdateCallInGroupBody = Static<typeof UpdateCallInGroupBody>;

export const CallInGroup = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    queueId: Nullable(Uuid),
    accessCodeEnabled: Type.Boolean(),
    accessCodeLength: Type.Integer(),
    expirySeconds: Type.Integer(),
    uniqueDnis: Type.Boolean(),
    matchCriteria: Type.Enum(CALL_IN_MATCH_CRITERIA),
    maxCodeAttempts: Type.Integer(),
    dnisCount: Type.Integer({ description: 'Numbers in the pool (the pool itself: GET .../dnis)' }),
    createdBy: Type.String(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { title: 'CallInGroup' },
);

export const ReplaceDnisBody = Type.Object(
  { dnis: DnisList },
  { additionalProperties: false, examples: [{ dnis: [{ number: '+18005550100', description: 'Toll-free, main' }, { number: '+18005550102' }] }] },
);
export type ReplaceDnisBody = Static<typeof ReplaceDnisBody>;

export const DnisQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Numbers per page (1 to 1,000)' }),
    offset: Type.Integer({ minimum: 0, maximum: DNIS_MAX_POOL, default: 0 }),
  },
  { additionalProperties: false },
);
export type DnisQuery = Static<typeof DnisQuery>;

export const DnisPage = Type.Object({
  items: Type.Array(Type.Object({ number: Type.String(), description: Nullable(Type.String()) })),
  total: Type.Integer(),
  offset: Type.Integer(),
});

export const DNIS_IMPORT_MODES = ['replace', 'append'] as const;
export type DnisImportMode = (typeof DNIS_IMPORT_MODES)[number];

export const DnisImportQuery = Type.Object(
  {
    mode: Type.Enum(DNIS_IMPORT_MODES, { default: 'replace', description: 'replace: the file becomes the pool; append: its numbers are added (one already in the pool is an error)' }),
  },
  { additionalProperties: false },
);

export const DnisCsvBody = Type.String({
  description: 'CSV (text/csv, UTF-8): `number,description` a line, the description optional; an optional header line `number,description`. One group per file.',
  examples: ['number,description\r\n+18005550100,Toll-free main\r\n+18005550101,\r\n'],
});

export const DnisImportResult = Type.Object({
  mode: Type.Enum(DNIS_IMPORT_MODES),
  imported: Type.Integer({ description: 'Numbers the file held' }),
  dnisCount: Type.Integer({ description: 'Numbers in the pool now' }),
});

/** The Call-In tab: what a request shows an operator (never the code, nor its hash). */
export const CALL_IN_PAGE_MAX = 500;
export const CALL_IN_REACHABLE = 5_000;

export const CallInRequestQuery = Type.Object(
  {
    from: Type.Optional(TimeFilter('Created at or after')),
    to: Type.Optional(TimeFilter('...and before')),
    groupId: Type.Optional(Uuid),
    state: Type.Optional(Type.Enum(CALL_IN_REQUEST_STATES, { description: 'PENDING: not matched and not expired yet; EXPIRED includes a pending request past its expiry' })),
    sort: Type.Enum(['desc', 'asc'], { default: 'desc', description: 'By creation time: newest first (desc) or oldest first (asc)' }),
    limit: Type.Integer({ minimum: 1, maximum: CALL_IN_PAGE_MAX, default: CALL_IN_PAGE_MAX, description: `Records per page (1 to ${CALL_IN_PAGE_MAX})` }),
    offset: Type.Integer({ minimum: 0, maximum: CALL_IN_REACHABLE - 1, default: 0, description: `Records to skip: the list holds the ${CALL_IN_REACHABLE.toLocaleString('en-US')} newest the filter matches` }),
  },
  { additionalProperties: false },
);
export type CallInRequestQuery = Static<typeof CallInRequestQuery>;

export const CallInRequestView = Type.Object(
  {
    id: Uuid,
    groupId: Uuid,
    groupName: Type.String(),
    callbackId: Nullable(Uuid),
    queueId: Nullable(Uuid),
    fromPhoneNumber: Type.String({ description: 'The customer’s number (E.164)' }),
    toPhoneNumber: Type.String({ description: 'The DNIS handed out' }),
    hasAccessCode: Type.Boolean({ description: 'Whether the request was given an access code (the code is never kept)' }),
    uniqueDnis: Type.Boolean({ description: 'The number was held for this request alone while it was pending' }),
    state: Type.Enum(CALL_IN_REQUEST_STATES),
    wrongCodes: Type.Integer(),
    priority: Nullable(Type.Integer()),
    userData: Type.Record(Type.String(), Type.String()),
    expiresAt: IsoTime,
    matchedAt: Nullable(IsoTime),
    createdBy: Type.String(),
    createdAt: IsoTime,
  },
  { title: 'CallInRequest' },
);

export const CallInRequestPage = Type.Object({
  items: Type.Array(CallInRequestView),
  offset: Type.Integer(),
  total: Type.Integer({ description: `Records the list holds (at most ${CALL_IN_REACHABLE.toLocaleString('en-US')})` }),
  truncated: Type.Boolean({ description: `More than ${CALL_IN_REACHABLE.toLocaleString('en-US')} records match: the oldest are beyond the list` }),
  nextOffset: Nullable(Type.Integer(), 'The offset of the next page, or null'),
});
