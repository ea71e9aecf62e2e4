import { Type, type Static } from 'typebox';
import { ERROR_CODES } from './errors.js';

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
export const IsoTime = Type.String({ format: 'date-time', description: 'ISO-8601; UTC times end in Z' });

export const IdParams = Type.Object({ id: Uuid });

/** The error answers a route can give, for its response schema. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}

export const ROLES = ['administrator', 'supervisor', 'monitor', 'developer', 'actions', 'events'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = Type.Enum(ROLES);
