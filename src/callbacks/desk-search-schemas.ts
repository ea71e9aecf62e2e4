import { Type, type Static } from 'typebox';
import { PageLimit, TimeFilter, Uuid } from '../http/schemas.js';
import { CALLBACK_STATES, DELIVERY_STATUSES } from '../vocabulary.js';

/** The console's callback search: any of several states, queues and delivery statuses, and one search text. */
export const FindFilter = Type.Object(
  {
    state: Type.Optional(Type.Array(Type.Enum(CALLBACK_STATES), { maxItems: CALLBACK_STATES.length, description: 'Any of these states (repeat the parameter)' })),
    queue: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, description: 'Any of these queues, by name, id or Genesys queue id (repeat the parameter)' })),
    deliveryStatus: Type.Optional(Type.Array(Type.Enum(DELIVERY_STATUSES), { maxItems: DELIVERY_STATUSES.length, description: 'Any of these delivery statuses' })),
    queueId: Type.Optional(Uuid),
    type: Type.Optional(Type.Enum(['immediate', 'scheduled'])),
    from: Type.Optional(TimeFilter('Scheduled (or created, for immediate) at or after')),
    to: Type.Optional(TimeFilter('...and before')),
    phone: Type.Optional(Type.String({ maxLength: 40, description: 'Exactly this E.164 number (digits are enough), as on the desk listing' })),
    q: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'Search text: any part of the phone number (national or E.164 digits), part of the customer name, a callback id or a conversation id',
      }),
    ),
  },
  { additionalProperties: false },
);
export type FindFilter = Static<typeof FindFilter>;

export const FindQuery = Type.Object(
  { ...FindFilter.properties, limit: PageLimit, cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })) },
  { additionalProperties: false },
);
export type FindQuery = Static<typeof FindQuery>;
