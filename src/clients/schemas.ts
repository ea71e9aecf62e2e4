import { Type } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, RoleSchema, Uuid, VisibleText } from '../http/schemas.js';

const Name = VisibleText(100, 'Unique name');
const Roles = Type.Array(RoleSchema, { minItems: 1, uniqueItems: true });
const Queues = Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 }), Type.Null()], {
  description: 'Queue allow-list (queue names or ids); null or absent means every queue',
});

export const ApiClientSchema = Type.Object(
  {
    clientId: Uuid,
    name: Type.String(),
    roles: Type.Array(RoleSchema),
    queues: Type.Union([Type.Array(Type.String()), Type.Null()]),
    active: Type.Boolean(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    lastTokenAt: Type.Union([IsoTime, Type.Null()]),
  },
  { title: 'ApiClient' },
);

export const ClientWithSecret = Type.Object({
  client: ApiClientSchema,
  clientSecret: Type.String({ description: 'Shown once; only its hash is stored' }),
});

export const CreateClientBody = Type.Object(
  { name: Name, roles: Roles, queues: Type.Optional(Queues), active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, examples: [{ name: 'Architect flows (billing)', roles: ['actions'], queues: ['Demo'] }] },
);

export const UpdateClientBody = updateBodyOf(CreateClientBody, { examples: [{ roles: ['actions', 'events'] }] });

export const ClientList = Type.Object({ items: Type.Array(ApiClientSchema) });
