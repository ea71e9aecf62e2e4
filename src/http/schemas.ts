import { ROLES } from '../auth/caller.js';
import { Type, type Static } from 'typebox';
import { ERROR_CODES } from '../errors.js';
import { isoUtc, TIME_INPUT_RANGE } from '../time.js';

/** Shared primitives: every route builds on these, so OpenAPI and the generated artifacts agree. */

export const ErrorBody = Type.Object(
  {
    error: Type.String({ enum: ERROR_CODES, description: 'Machine-readable error code' }),
    message: Type.String({ description: 'What went wrong, for a human' }),
    correlationId: Type.String({ description: 'ININ-Correlation-Id of the request (generated when absent)' }),
    field: Type.Optional(Type.String({ description: 'The input at fault, when there is one' })),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'ErrorBody', title: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const Uuid = Type.String({ format: 'uuid' });

/** A value or null; the description, if any, is the union's. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T, description?: string) =>
  Type.Union([t, Type.Null()], description === undefined ? {} : { description });
export const NullableUuid = (description: string) => Nullable(Uuid, description);
export const IsoTime = Type.String({ format: 'date-time', description: 'ISO-8601; UTC times end in Z' });

export const IdParams = Type.Object({ id: Uuid });

/** A time filter on a listing; the service parses it with `parseTimeFilter`, which also bounds its range. */
export const TimeFilter = (description: string) =>
  Type.String({ format: 'date-time', maxLength: 64, description: `${description} (ISO-8601 with an offset, from ${isoUtc(TIME_INPUT_RANGE.from)}, before ${isoUtc(TIME_INPUT_RANGE.to)})` });

/** Page size of every listing. */
export const PageLimit = Type.Integer({ minimum: 1, maximum: 250, default: 50, description: 'Items per page (1 to 250)' });

/**
 * At least one character that shows: `\S` alone lets through a name of zero-width or other format
 * characters only, which looks blank in every list and is empty once trimmed.
 */
export const VISIBLE_TEXT = '[^\\s\\p{C}]';

/** A name or other identifying text: trimmed by the services, and never blank or invisible. */
export const VisibleText = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: VISIBLE_TEXT, ...(description !== undefined && { description }) });

/** The error answers a route can give, for its response schema. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}

export const RoleSchema = Type.Enum(ROLES);

/**
 * Request examples use this time where it must lie ahead, within the demo queue's hours: the
 * OpenAPI document replaces it with a weekday at 16:00 UTC after the moment the document is built
 * (see `exampleTimeAfter` in swagger.ts); the committed openapi/ files are built on a fixed clock.
 */
export const EXAMPLE_TIME = '2030-03-05T16:00:00Z';
/** The demo queue, and a number its number rule allows (a US fixed line). */
export const EXAMPLE_QUEUE = 'Demo';
export const EXAMPLE_PHONE = '+12024561111';
/** The demo campaign (src/demo.ts). */
export const EXAMPLE_CAMPAIGN = 'Demo campaign';
/** The demo call-in group (src/demo.ts), and the first number of its pool. */
export const EXAMPLE_CALL_IN_GROUP = 'Demo call-in';
export const EXAMPLE_DNIS = '+18005550100';

/**
 * Marks an answer field a flow never gets (e.g. the manage token of a create through a publishable
 * key): it stays in the OpenAPI document and out of the data action's output contract.
 */
export const NOT_FOR_FLOWS = 'x-not-for-flows';
