import { Type } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, RoleSchema, Uuid, VisibleText } from '../http/schemas.js';
import { SIGN_IN_MAPPING_KINDS, SIGN_IN_METHODS, USER_SOURCES } from '../vocabulary.js';

const Username = Type.String({ minLength: 1, maxLength: 200, pattern: '^\\S+$', description: 'Unique whatever its case; no spaces' });
const Password = Type.String({ minLength: 12, maxLength: 200, description: 'At least 12 characters; absent: one is generated and answered once' });
const Roles = Type.Array(RoleSchema, { minItems: 1, uniqueItems: true });
const Queues = Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 }), Type.Null()], {
  description: 'Queue allow-list (queue names or ids); null or absent means every queue',
});

export const UserSchema = Type.Object(
  {
    id: Uuid,
    username: Type.String(),
    displayName: Type.String(),
    roles: Type.Array(RoleSchema),
    queues: Type.Union([Type.Array(Type.String()), Type.Null()]),
    disabled: Type.Boolean(),
    source: Type.Enum(USER_SOURCES, { description: '`local`: made here, signs in with a password; `genesys`: made by a Genesys Cloud sign-in' }),
    genesysUserId: Type.Union([Type.String(), Type.Null()]),
    hasPassword: Type.Boolean(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    lastSignInAt: Type.Union([IsoTime, Type.Null()]),
  },
  { title: 'User' },
);

export const UserWithPassword = Type.Object({
  user: UserSchema,
  password: Type.Optional(Type.String({ description: 'Only when generated: shown once; only its hash is stored' })),
});

export const CreateUserBody = Type.Object(
  {
    username: Username,
    displayName: Type.Optional(VisibleText(200, 'Shown in the console and in the audit log; default: the username')),
    roles: Roles,
    queues: Type.Optional(Queues),
    password: Type.Optional(Password),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, examples: [{ username: 'ana.supervisor', displayName: 'Ana Lopez', roles: ['supervisor'], queues: ['Demo'] }] },
);

const { password: _password, ...updatable } = CreateUserBody.properties;
export const UpdateUserBody = updateBodyOf(Type.Object(updatable), { examples: [{ disabled: true }] });

export const SetPasswordBody = Type.Object({ password: Type.Optional(Password) }, { additionalProperties: false });

export const UserList = Type.Object({ items: Type.Array(UserSchema) });

export const SignInBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const SessionBody = Type.Object(
  {
    username: Type.String(),
    name: Type.String({ description: 'Display name' }),
    kind: Type.Literal('user'),
    roles: Type.Array(RoleSchema),
    queues: Type.Union([Type.Array(Type.String()), Type.Null()]),
    csrfToken: Type.String({ description: 'Send as X-CSRF-Token on every write made with the session cookie' }),
    method: Type.Enum(SIGN_IN_METHODS, { description: 'How the session was opened' }),
    idleTimeoutSeconds: Type.Integer(),
    expiresAt: IsoTime,
    idleExpiresAt: Type.String({ format: 'date-time', description: 'When the session ends without further activity' }),
  },
  { title: 'ConsoleSession' },
);

export const Providers = Type.Object({
  password: Type.Boolean(),
  genesys: Type.Boolean({ description: 'Sign in with Genesys Cloud is configured' }),
  genesysStartUrl: Type.Union([Type.String(), Type.Null()], { description: 'Where the sign-in page sends the browser for Genesys Cloud' }),
});

export const SignInMappingSchema = Type.Object(
  {
    id: Uuid,
    kind: Type.Enum(SIGN_IN_MAPPING_KINDS),
    genesysId: Type.String(),
    label: Type.Union([Type.String(), Type.Null()]),
    roles: Type.Array(RoleSchema),
    queues: Type.Union([Type.Array(Type.String()), Type.Null()]),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { title: 'GenesysSignInMapping' },
);

export const SignInMappingList = Type.Object({ items: Type.Array(SignInMappingSchema) });

export const ReplaceMappingsBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          kind: Type.Enum(SIGN_IN_MAPPING_KINDS, { description: 'What of the signed-in Genesys user it matches: one of its groups, or one of its roles' }),
          genesysId: VisibleText(200, 'The Genesys group id or role id'),
          label: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { description: 'A name to recognise it by (the group or role name)' })),
          roles: Roles,
          queues: Type.Optional(Queues),
        },
        { additionalProperties: false },
      ),
      { maxItems: 500 },
    ),
  },
  {
    additionalProperties: false,
    examples: [{ items: [{ kind: 'group', genesysId: '3b6b9f1e-2c1a-4d5e-8f90-123456789abc', label: 'Callback supervisors', roles: ['supervisor'], queues: ['Demo'] }] }],
  },
);

export const GenesysCallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  state: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 2000 })),
});
