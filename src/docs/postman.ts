/**
 * A Postman v2.1 collection from the OpenAPI document: a folder per tag, an example body for
 * every request and a saved example answer for every endpoint, OAuth 2.0 client-credentials auth
 * preconfigured and a `baseUrl` variable.
 */

type Json = Record<string, unknown>;

interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema?: Json; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: Json }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Json }> }>;
}

interface OpenApiDocument {
  info: { title: string; description?: string; version: string };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * Values for fields that recur across the API, so that example requests work against the demo
 * setup (`npm start` seeds the queue `Demo`) instead of failing on a placeholder.
 */
const NAMED_EXAMPLES: Record<string, string | number> = {
  queue: 'Demo',
  phoneNumber: '+12024561111',
  defaultCountry: 'US',
  timezone: 'America/New_York',
  desiredTime: '2030-03-05T14:15:00Z',
  customerName: 'Ada Lovelace',
  fullName: 'Ada Lovelace',
  conversationId: '0b6c1f3e-8a52-4d0e-9c1a-3f7f2a5d9e10',
  participantId: '5e2d7c9a-1b4f-4c8e-a6d3-9f0e1a2b3c4d',
  eventTime: 1769706000000,
  mediaType: 'CALLBACK',
};

/** True when a value was invented from the field's name only: not worth sending for an optional field. */
const isPlaceholder = (value: unknown, name: string) => value === name || value === 'string';

/**
 * A plausible value for a schema: its example or default, the first enum value, a known value for
 * a recurring field name, else by type and format. With `minimal` (request bodies), optional
 * properties that would only carry a placeholder are left out.
 */
export function exampleFor(schema: Json | undefined, name = '', opts: { minimal?: boolean } = {}): unknown {
  if (!schema) return undefined;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const named = NAMED_EXAMPLES[name];
  const types = [schema.type, ...((schema.anyOf ?? schema.oneOf ?? []) as Json[]).map((o) => o.type)];
  if (named !== undefined && types.includes(typeof named === 'number' ? 'number' : 'string')) return named;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const first = (options as Json[]).find((o) => o.type !== 'null');
      return exampleFor(first, name, opts);
    }
  }
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Json>;
      const required = new Set((schema.required ?? []) as string[]);
      return Object.fromEntries(
        Object.entries(props)
          .map(([k, v]) => [k, exampleFor(v, k, opts)] as const)
          .filter(([k, v]) => !opts.minimal || required.has(k) || !isPlaceholder(v, k)),
      );
    }
    case 'array':
      return [exampleFor(schema.items as Json | undefined, name, opts)];
    case 'integer':
    case 'number':
      // 1 when allowed (not the minimum: a priority of -25,000,000 is a poor example)
      if (typeof schema.minimum === 'number' && schema.minimum > 1) return schema.minimum;
      if (typeof schema.maximum === 'number' && schema.maximum < 1) return schema.maximum;
      return 1;
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (schema.format === 'date-time') return '2030-03-05T14:15:00Z';
      // JSON carried as text (userData, an event's jsonData): the smallest valid one.
      if (typeof schema.description === 'string' && /JSON text/i.test(schema.description)) return '{}';
      return name === '' ? 'string' : name;
    default:
      return null;
  }
}

function urlOf(path: string, op: OpenApiOperation) {
  const segments = path.split('/').filter((s) => s !== '').map((s) => s.replace(/^\{(.+)\}$/, ':$1'));
  const params = op.parameters ?? [];
  const query = params
    .filter((p) => p.in === 'query')
    .map((p) => ({ key: p.name, value: String(exampleFor(p.schema, p.name) ?? ''), disabled: !p.required, description: p.description ?? '' }));
  const variable = params
    .filter((p) => p.in === 'path')
    .map((p) => ({ key: p.name, value: String(exampleFor(p.schema, p.name) ?? ''), description: p.description ?? '' }));
  const qs = query.filter((q) => !q.disabled).map((q) => `${q.key}=${q.value}`).join('&');
  return {
    raw: `{{baseUrl}}/${segments.join('/')}${qs ? `?${qs}` : ''}`,
    host: ['{{baseUrl}}'],
    path: segments,
    ...(query.length > 0 && { query }),
    ...(variable.length > 0 && { variable }),
  };
}

function requestItem(path: string, method: string, op: OpenApiOperation): Json {
  const content = op.requestBody?.content ?? {};
  const isToken = path === '/oauth/token';
  const request: Json = { method: method.toUpperCase(), header: [] as Json[], url: urlOf(path, op), description: op.description ?? op.summary ?? '' };
  if (isToken) {
    request.auth = {
      type: 'basic',
      basic: [
        { key: 'username', value: '{{clientId}}', type: 'string' },
        { key: 'password', value: '{{clientSecret}}', type: 'string' },
      ],
    };
    request.body = { mode: 'urlencoded', urlencoded: [{ key: 'grant_type', value: 'client_credentials', type: 'text' }] };
  } else {
    if (Array.isArray(op.security) && op.security.length === 0) request.auth = { type: 'noauth' };
    const json = content['application/json'];
    if (json) {
      (request.header as Json[]).push({ key: 'Content-Type', value: 'application/json' });
      request.body = { mode: 'raw', raw: JSON.stringify(exampleFor(json.schema, '', { minimal: true }), null, 2), options: { raw: { language: 'json' } } };
    }
  }
  return { name: op.summary ?? `${method.toUpperCase()} ${path}`, request, response: exampleAnswers(request, op) };
}

/** A saved example answer (Postman "example") from the first success response with a JSON schema. */
function exampleAnswers(request: Json, op: OpenApiOperation): Json[] {
  const entry = Object.entries(op.responses ?? {}).find(([code, r]) => /^2\d\d$/.test(code) && r.content?.['application/json']?.schema);
  if (!entry) return [];
  const [code, response] = entry;
  return [
    {
      name: `${code} ${response.description && response.description !== 'Default Response' ? response.description : 'example'}`,
      originalRequest: request,
      status: code === '201' ? 'Created' : 'OK',
      code: Number(code),
      _postman_previewlanguage: 'json',
      header: [{ key: 'Content-Type', value: 'application/json' }],
      body: JSON.stringify(exampleFor(response.content!['application/json']!.schema), null, 2),
    },
  ];
}

export function toPostman(doc: OpenApiDocument): Json {
  const folders = new Map<string, Json[]>();
  for (const tag of doc.tags ?? []) folders.set(tag.name, []);
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      if (!folders.has(tag)) folders.set(tag, []);
      folders.get(tag)!.push(requestItem(path, method, op));
    }
  }
  const descriptions = new Map((doc.tags ?? []).map((t) => [t.name, t.description ?? '']));
  return {
    info: {
      name: doc.info.title,
      description: `${doc.info.description ?? ''}\n\nSet the collection variables baseUrl, clientId and clientSecret; requests get a token automatically (OAuth 2.0 client credentials).`,
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    auth: {
      type: 'oauth2',
      oauth2: [
        { key: 'grant_type', value: 'client_credentials', type: 'string' },
        { key: 'accessTokenUrl', value: '{{baseUrl}}/oauth/token', type: 'string' },
        { key: 'clientId', value: '{{clientId}}', type: 'string' },
        { key: 'clientSecret', value: '{{clientSecret}}', type: 'string' },
        { key: 'client_authentication', value: 'header', type: 'string' },
        { key: 'tokenName', value: 'callback-engine', type: 'string' },
        { key: 'addTokenTo', value: 'header', type: 'string' },
      ],
    },
    variable: [
      { key: 'baseUrl', value: 'http://127.0.0.1:3000', type: 'string' },
      { key: 'clientId', value: '', type: 'string' },
      { key: 'clientSecret', value: '', type: 'string' },
    ],
    item: [...folders.entries()]
      .filter(([, items]) => items.length > 0)
      .map(([name, items]) => ({ name, description: descriptions.get(name) ?? '', item: items })),
  };
}
