import { Type } from 'typebox';
import { updateBodyOf } from '../http/patch.js';
import { IsoTime, RoleSchema, Uuid, VisibleText } from '../http/schemas.js';
import { CAPTCHA_PROVIDERS, CLIENT_KINDS } from '../vocabulary.js';

/** The longest overlap a key rotation allows: the old key works at most this long after. */
export const MAX_KEY_OVERLAP_SECONDS = 7 * 24 * 3600;
export const DEFAULT_KEY_OVERLAP_SECONDS = 24 * 3600;

const Name = VisibleText(100, 'Unique name');
const Queues = Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 }), Type.Null()], {
  description: 'Queue allow-list (queue names or ids); null or absent means every queue (a publishable key needs a non-empty list)',
});
const Origins = Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
  minItems: 1,
  maxItems: 100,
  description: 'Publishable keys: the web origins allowed to use the key, exactly `scheme://host[:port]` (https; http only for localhost); no wildcards, no paths',
});
const RateLimitInput = Type.Object(
  {
    perKey: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 10_000_000 }), Type.Null()], { description: 'Requests per window for the key; null: PUBLISHABLE_RATE_LIMIT_PER_KEY' })),
    perIp: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 10_000_000 }), Type.Null()], { description: 'Requests per window per client IP; null: PUBLISHABLE_RATE_LIMIT_PER_IP' })),
  },
  { additionalProperties: false },
);
const CaptchaInput = Type.Object(
  {
    provider: Type.Enum(CAPTCHA_PROVIDERS),
    secret: Type.Optional(
      Type.String({ minLength: 1, maxLength: 500, description: "The provider's secret key; stored encrypted, shown masked. Required when the key has no CAPTCHA yet; absent on a change: the stored one is kept" }),
    ),
    minScore: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'reCAPTCHA v3: the lowest score accepted (default 0.5)' })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_/]+$', description: 'reCAPTCHA v3 (required) and Turnstile (optional): the action the token must carry' })),
    hostnames: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { minItems: 1, maxItems: 100, description: "The hostnames a token may be solved on; absent: the hosts of the key's origins" }),
    ),
  },
  { additionalProperties: false },
);

const RateLimitView = Type.Object({
  perKey: Type.Union([Type.Integer(), Type.Null()]),
  perIp: Type.Union([Type.Integer(), Type.Null()]),
});
const CaptchaView = Type.Object({
  provider: Type.Enum(CAPTCHA_PROVIDERS),
  secret: Type.String({ description: 'Masked' }),
  minScore: Type.Optional(Type.Number()),
  action: Type.Optional(Type.String()),
  hostnames: Type.Optional(Type.Array(Type.String())),
});
const KeyView = Type.Object({
  keyId: Uuid,
  key: Type.String({ description: 'Masked: only the creation or rotation answer shows a key whole' }),
  createdAt: IsoTime,
  expiresAt: Type.Union([IsoTime, Type.Null()], { description: 'When a rotated-out key stops working; null: the current key' }),
});

export const ApiClientSchema = Type.Object(
  {
    clientId: Uuid,
    name: Type.String(),
    kind: Type.Enum(CLIENT_KINDS, { description: 'server: a secret and bearer tokens; publishable: a key for browsers and apps' }),
    roles: Type.Array(RoleSchema),
    queues: Type.Union([Type.Array(Type.String()), Type.Null()]),
    active: Type.Boolean(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    lastTokenAt: Type.Union([IsoTime, Type.Null()]),
    origins: Type.Optional(Type.Array(Type.String())),
    allowNoOrigin: Type.Optional(Type.Boolean()),
    rateLimit: Type.Optional(RateLimitView),
    captcha: Type.Optional(Type.Union([CaptchaView, Type.Null()])),
    keys: Type.Optional(Type.Array(KeyView, { description: 'The working keys, newest first' })),
  },
  { title: 'ApiClient' },
);

export const ClientWithSecret = Type.Object({
  client: ApiClientSchema,
  clientSecret: Type.Optional(Type.String({ description: 'Server clients: shown once; only its hash is stored' })),
  publishableKey: Type.Optional(Type.String({ description: 'Publishable clients: the key (x-api-key), shown whole only now; only its SHA-256 is stored' })),
});

const ClientFields = {
  name: Name,
  roles: Type.Optional(
    Type.Array(RoleSchema, { minItems: 1, uniqueItems: true, description: 'Required for a server client; a publishable key takes none (it holds `actions` on its routes only)' }),
  ),
  queues: Type.Optional(Queues),
  active: Type.Optional(Type.Boolean()),
  origins: Type.Optional(Origins),
  allowNoOrigin: Type.Optional(Type.Boolean({ description: 'Publishable keys: accept requests without an Origin header (mobile apps, servers); default false' })),
  rateLimit: Type.Optional(RateLimitInput),
  captcha: Type.Optional(Type.Union([CaptchaInput, Type.Null()], { description: 'Publishable keys: require a CAPTCHA token on every request; null: none' })),
};

export const CreateClientBody = Type.Object(
  { ...ClientFields, kind: Type.Optional(Type.Enum(CLIENT_KINDS, { default: 'server', description: 'server (default) or publishable' })) },
  {
    additionalProperties: false,
    examples: [
      { name: 'Architect flows (billing)', roles: ['actions'], queues: ['Demo'] },
      { name: 'Website callback widget', kind: 'publishable', queues: ['Demo'], origins: ['https://www.example.com'] },
    ],
  },
);

export const UpdateClientBody = updateBodyOf(Type.Object(ClientFields), { examples: [{ roles: ['actions', 'events'] }] });

export const ClientList = Type.Object({ items: Type.Array(ApiClientSchema) });

export const RotateKeyBody = Type.Object(
  {
    overlapSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_KEY_OVERLAP_SECONDS,
        default: DEFAULT_KEY_OVERLAP_SECONDS,
        description: 'How long the keys working now keep working (0: they stop at once); at most 7 days, default 1 day',
      }),
    ),
  },
  { additionalProperties: false },
);
