import { DOCS_CLOCK, exampleTimeAfter } from '../http/swagger.js';

/**
 * A Postman v2.1 collection from the OpenAPI document that runs green in newman on a fresh
 * `npm start`: the requests in the order of PLAN (ids flow from create to read, update and delete),
 * a token fetched and reused per role by each folder's pre-request script, assertions on every
 * request, and a saved example answer for every endpoint. What changes shared state (settings,
 * clients, a real bulk cancel) is only in the last folder, which restores what it changed.
 */

type Json = Record<string, unknown>;

interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema?: Json; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: Json; example?: unknown }> };
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

type Role = 'admin' | 'actions' | 'events';

/** One request of the collection: an operation, how to call it and what its answer must show. */
interface Step {
  op: string;
  /** Request name (default: the operation's summary). */
  name?: string;
  /** Path parameters, e.g. `{ id: '{{queueId}}' }`. */
  path?: Record<string, string>;
  /** Query parameters to send (the required ones are sent with their example anyway). */
  query?: Record<string, string>;
  /** Fields set on (or, with `null`, removed from) the operation's example body. */
  body?: Record<string, unknown>;
  /** The whole body, as raw text (e.g. a saved variable). */
  rawBody?: string;
  status: number;
  /** Assertions on the JSON answer: label → a JavaScript expression of `body`. */
  checks?: Record<string, string>;
  /** Collection variables to set from the answer: name → a JavaScript expression of `body`. */
  save?: Record<string, string>;
}

interface Folder {
  name: string;
  description: string;
  /** Whose token the folder's requests carry; absent: no token (public endpoints). */
  role?: Role;
  steps: Step[];
}

const unique = ' {{$timestamp}}';
/** Events carry a fresh conversation and no fixed event time or participant: a second run is not a DUPLICATE. */
const freshEvent = { conversationId: '{{$guid}}', participantId: null, eventTime: null, jsonData: null };

/** The CRUD round of a configuration resource: create → list → get → change → (extra) → delete. */
function crud(base: string, idVar: string, opts: { createBody?: Record<string, unknown>; extra?: Step[]; checkName?: boolean } = {}): Step[] {
  const byId = { id: `{{${idVar}}}` };
  return [
    { op: `post${base}`, status: 201, body: opts.createBody ?? {}, checks: { 'has an id': 'typeof body.id === "string"' }, save: { [idVar]: 'body.id' } },
    { op: `get${base}`, status: 200, checks: { 'lists the new record': `body.items.some((i) => i.id === pm.collectionVariables.get('${idVar}'))` } },
    { op: `get${base}ById`, path: byId, status: 200, checks: { 'is the new record': `body.id === pm.collectionVariables.get('${idVar}')` } },
    { op: `patch${base}ById`, path: byId, status: 200, checks: { 'is the new record': `body.id === pm.collectionVariables.get('${idVar}')` } },
    ...(opts.extra ?? []),
    { op: `delete${base}ById`, path: byId, status: 204 },
  ];
}

/** The collection, folder by folder, in the order newman runs it. */
const PLAN: Folder[] = [
  {
    name: 'operations',
    description: 'Health, readiness and metrics (public).',
    steps: [
      { op: 'getHealthz', status: 200, checks: { 'status ok': 'body.status === "ok"' } },
      { op: 'getReadyz', status: 200, checks: { ready: 'body.status === "ready"' } },
      { op: 'getMetrics', status: 200 },
    ],
  },
  {
    name: 'auth',
    description: 'The token request the folders\' pre-request scripts make, with the administrator client (HTTP Basic).',
    steps: [{ op: 'postOauthToken', status: 200, checks: { 'a bearer token': 'typeof body.access_token === "string" && body.token_type.toLowerCase() === "bearer"' } }],
  },
  {
    name: 'data-actions',
    description: 'What Architect flows call (token of the actions client), on the demo queue "Demo": a scheduled callback is created, found, moved and cancelled.',
    role: 'actions',
    steps: [
      { op: 'postActionsAvailability', status: 200, checks: { 'free slots': 'body.slotCount > 0 && body.slots.length === body.slotCount' } },
      { op: 'postActionsOpenFor', status: 200, checks: { 'a next opening': 'typeof body.open === "boolean" && (body.open || body.nextOpenTime !== "")' } },
      { op: 'postActionsNumbersCheck', status: 200, checks: { 'number allowed': 'body.allowed === true && body.outcome === "ALLOWED"' } },
      { op: 'postActionsQueueStatus', status: 200, checks: { 'scheduled offered': 'body.offerScheduled === true' } },
      { op: 'postActionsOffers', status: 200, body: { conversationId: '{{$guid}}' }, checks: { 'outcome RECORDED': 'body.outcome === "RECORDED" && body.result === "ACCEPTED"' } },
      {
        op: 'postActionsCallbacksCreate',
        status: 200,
        body: { idempotencyKey: null },
        checks: { 'outcome CREATED': 'body.outcome === "CREATED" && body.created === true', 'at the desired time': 'body.scheduledTime === pm.collectionVariables.get("exampleTime")' },
        save: { callbackId: 'body.callbackId' },
      },
      { op: 'postActionsCallbacksLookup', status: 200, checks: { 'finds the callback': 'body.found === true && body.callbackId === pm.collectionVariables.get("callbackId")' } },
      {
        op: 'postActionsCallbacksReschedule',
        status: 200,
        body: { callbackId: '{{callbackId}}', desiredTime: '{{exampleTimeLater}}' },
        checks: { 'outcome RESCHEDULED': 'body.outcome === "RESCHEDULED" && body.scheduledTime === pm.collectionVariables.get("exampleTimeLater")' },
      },
      // DUPLICATE when an earlier run left its campaign callback pending; the cancel below frees the number.
      { op: 'postActionsCampaignCallbacks', status: 200, checks: { 'outcome SCHEDULED (or DUPLICATE of an earlier run)': '["SCHEDULED", "DUPLICATE"].includes(body.outcome) && body.phoneE164 === "+12024561111"' } },
      {
        op: 'postActionsCampaignCallbacksCancel',
        status: 200,
        checks: { 'outcome CANCELLED': 'body.outcome === "CANCELLED" && body.callbackId !== ""' },
        save: { campaignCallbackId: 'body.callbackId' },
      },
      { op: 'postActionsCallbacksCancel', status: 200, body: { queue: null, phoneNumber: null, callbackId: '{{callbackId}}' }, checks: { 'outcome CANCELLED': 'body.outcome === "CANCELLED"' } },
      { op: 'postActionsMessagesOptOut', name: 'A customer texts STOP (the number is texted no more)', status: 200, checks: { 'outcome OPTED_OUT': 'body.outcome === "OPTED_OUT" && body.optedOut === true' } },
      { op: 'postActionsMessagesOptOut', name: 'The customer texts START (texted again)', body: { text: 'START' }, status: 200, checks: { 'outcome OPTED_IN': 'body.outcome === "OPTED_IN" && body.optedOut === false' } },
      {
        op: 'postActionsCallInRequests',
        name: 'The app asks for a number to call in on',
        status: 200,
        checks: { 'outcome READY, a number and a code': 'body.outcome === "READY" && body.toPhoneNumber !== "" && body.accessCode.length === 6' },
        save: { callInNumber: 'body.toPhoneNumber', callInCode: 'body.accessCode' },
      },
      {
        op: 'postActionsCallInMatch',
        name: 'The inbound flow matches the call by the dialed number and the code',
        status: 200,
        body: { dialedNumber: '{{callInNumber}}', accessCode: '{{callInCode}}' },
        checks: { 'outcome MATCHED, with the demo queue': 'body.outcome === "MATCHED" && body.matched === true && body.genesysQueueId === "demo-genesys-queue"' },
      },
      { op: 'postActionsCallInMatch', name: 'A second call with the same code', status: 200, body: { dialedNumber: '{{callInNumber}}', accessCode: '{{callInCode}}' }, checks: { 'outcome ALREADY_USED': 'body.outcome === "ALREADY_USED"' } },
    ],
  },
  {
    name: 'events',
    description: 'What trigger workflows forward (token of the events client). Fresh conversation ids, so a second run is not a DUPLICATE.',
    role: 'events',
    steps: [
      { op: 'postEventsConversationAcdStart', status: 200, body: { ...freshEvent, mediaType: 'CALLBACK', queueId: 'demo-genesys-queue' }, checks: { 'taken, no policy': 'body.accepted === true && body.action === "IGNORED"' } },
      { op: 'postEventsConversationAcdEnd', status: 200, body: { ...freshEvent, acdOutcome: 'ANSWERED', queueId: 'demo-genesys-queue' }, checks: { taken: 'body.accepted === true && typeof body.action === "string"' } },
      {
        op: 'postEventsPreviewAccepted',
        status: 200,
        body: { ...freshEvent, phoneNumber: '+12024561111', contactId: 'postman-contact', contactListId: 'demo-contact-list' },
        checks: { 'outcome RECORDED': 'body.accepted === true && body.action === "RECORDED"' },
      },
      // A fresh conversation is no callback's: taken, and it changes nothing.
      { op: 'postEventsConversationUserStart', status: 200, body: { ...freshEvent, mediaType: 'CALLBACK', userId: '{{$guid}}' }, checks: { 'taken, not ours': 'body.accepted === true && body.action === "IGNORED"' } },
      { op: 'postEventsConversationUserEnd', status: 200, body: { ...freshEvent, mediaType: 'CALLBACK', disconnectType: 'CLIENT' }, checks: { taken: 'body.accepted === true && typeof body.action === "string"' } },
      // A fresh conversation is no callback's: taken, and it changes nothing.
      { op: 'postEventsConversationWrapup', status: 200, body: { ...freshEvent, mediaType: 'CALLBACK', wrapupCode: 'postman-no-answer' }, checks: { 'taken, not ours': 'body.accepted === true && body.action === "IGNORED"' } },
    ],
  },
  {
    name: 'callbacks',
    description: 'The callback desk (administrator token): the cancelled callback is recreated, read, moved, counted by a dry-run bulk cancel and cancelled; the demo queue’s report summary.',
    role: 'admin',
    steps: [
      { op: 'getAdminCallbacks', status: 200, query: { queue: 'Demo' }, checks: { 'lists the callback': 'body.items.some((c) => c.id === pm.collectionVariables.get("callbackId"))' } },
      { op: 'getAdminReportsSummary', status: 200, query: { queue: 'Demo' }, checks: { 'the demo queue, with the callback created': 'body.rows.length === 1 && body.rows[0].queueName === "Demo" && body.totals.created >= 1' } },
      { op: 'postAdminCallbacksByIdRecreate', path: { id: '{{callbackId}}' }, status: 200, checks: { 'outcome CREATED': 'body.outcome === "CREATED"' }, save: { deskCallbackId: 'body.callbackId' } },
      { op: 'getAdminCallbacksById', path: { id: '{{deskCallbackId}}' }, status: 200, checks: { 'with its history': 'body.id === pm.collectionVariables.get("deskCallbackId") && body.history.length > 0' } },
      { op: 'getAdminCallbacksByIdNotifications', path: { id: '{{deskCallbackId}}' }, status: 200, checks: { 'a list': 'Array.isArray(body.items)' } },
      { op: 'getAdminCallbacksSearch', status: 200, query: { queue: 'Demo', q: '{{deskCallbackId}}' }, checks: { 'finds the callback by id': 'body.items.some((c) => c.id === pm.collectionVariables.get("deskCallbackId"))' } },
      { op: 'getAdminCallbacksExport', status: 200, query: { queue: 'Demo' }, checks: { 'CSV with a header': 'pm.response.text().startsWith("id,queueName,")' } },
      { op: 'postAdminCallbacksByIdReschedule', path: { id: '{{deskCallbackId}}' }, body: { desiredTime: '{{exampleTimeLater}}' }, status: 200, checks: { 'outcome RESCHEDULED': 'body.outcome === "RESCHEDULED"' } },
      { op: 'postAdminCallbacksBulkCancel', status: 200, checks: { 'dry run only': 'body.dryRun === true && body.matched >= 1 && body.cancelledIds.includes(pm.collectionVariables.get("deskCallbackId"))' } },
      { op: 'postAdminCallbacksByIdCancel', path: { id: '{{deskCallbackId}}' }, status: 200, checks: { 'outcome CANCELLED': 'body.outcome === "CANCELLED"' } },
      {
        op: 'postAdminCallbacks',
        name: 'Create a callback from the desk (as the data action does)',
        body: { idempotencyKey: null, phoneNumber: '+12024561112', desiredTime: '{{exampleTimeLater}}' },
        status: 200,
        checks: { 'outcome CREATED': 'body.outcome === "CREATED"' },
        save: { adminCallbackId: 'body.callbackId' },
      },
      { op: 'postAdminCallbacksByIdCancel', name: 'Cancel the callback created from the desk', path: { id: '{{adminCallbackId}}' }, status: 200, checks: { 'outcome CANCELLED': 'body.outcome === "CANCELLED"' } },
    ],
  },
  {
    name: 'queues',
    description: 'Create, read, change and delete a queue.',
    role: 'admin',
    steps: crud('AdminQueues', 'queueId', {
      createBody: { name: `Billing${unique}`, genesysQueueId: `billing${unique}` },
      extra: [
        { op: 'getAdminQueuesOverview', status: 200, checks: { 'lists the new queue': 'body.items.some((q) => q.id === pm.collectionVariables.get("queueId"))' } },
        { op: 'getAdminQueuesByIdUtilization', path: { id: '{{queueId}}' }, status: 200, checks: { '14 days': 'body.days.length === 14' } },
      ],
    }),
  },
  {
    name: 'business-hours',
    description: 'Create, read, change and delete business hours.',
    role: 'admin',
    steps: crud('AdminBusinessHours', 'businessHoursId', {
      createBody: { name: `Office hours${unique}` },
      extra: [
        { op: 'getAdminBusinessHoursByIdPreview', path: { id: '{{businessHoursId}}' }, query: { date: '2030-03-10' }, status: 200, checks: { 'a slot grid': 'Array.isArray(body.slots)' } },
        { op: 'getAdminBusinessHoursByIdHolidays', path: { id: '{{businessHoursId}}' }, query: { year: '2030' }, status: 200, checks: { 'the special dates': 'Array.isArray(body.dates)' } },
        { op: 'getAdminHolidayCalendars', query: { country: 'US' }, status: 200, checks: { 'states of the country': 'body.country === "US" && Array.isArray(body.states)' } },
      ],
    }),
  },
  {
    name: 'capacity-rules',
    description: 'Create, read, change, replace the cells of and delete a capacity rule.',
    role: 'admin',
    steps: crud('AdminCapacityRules', 'capacityRuleId', {
      createBody: { name: `Weekday mornings${unique}` },
      extra: [
        { op: 'putAdminCapacityRulesByIdStatement', path: { id: '{{capacityRuleId}}' }, status: 200, checks: { 'cells replaced': 'body.cells.monday["08:00"] === 10 && body.cells.tuesday === undefined' } },
        { op: 'getAdminCapacityRulesByIdConversion', path: { id: '{{capacityRuleId}}' }, query: { to: 'halfHour' }, status: 200, checks: { 'a preview': 'Array.isArray(body.kept) && Array.isArray(body.dropped)' } },
      ],
    }),
  },
  {
    name: 'number-rules',
    description: 'Create, read, change, try a number against and delete a number rule.',
    role: 'admin',
    steps: crud('AdminNumberRules', 'numberRuleId', {
      createBody: { name: `North America${unique}` },
      extra: [{ op: 'postAdminNumberRulesByIdTest', path: { id: '{{numberRuleId}}' }, status: 200, checks: { 'number allowed': 'body.allowed === true' } }],
    }),
  },
  {
    name: 'priority-aging',
    description: 'Create, read, change and delete a prioritization policy; read the aging tracks.',
    role: 'admin',
    steps: [
      ...crud('AdminPrioritizationPolicies', 'policyId', { createBody: { name: `Five bumps${unique}` } }),
      { op: 'getAdminAgingTracks', status: 200, checks: { 'a list': 'Array.isArray(body.items)' } },
      // The demo queue has no prioritization policy, so no event of this run starts a track.
      { op: 'getAdminAgingTracksByConversationId', name: 'A track with every priority it set (none on the demo data: 404)', path: { conversationId: '{{$guid}}' }, status: 404, checks: { 'NOT_FOUND': 'body.error === "NOT_FOUND"' } },
    ],
  },
  {
    name: 'callback-retries',
    description: 'Create, read, change and delete a callback retry policy (no queue uses it).',
    role: 'admin',
    steps: crud('AdminCallbackRetryPolicies', 'callbackRetryPolicyId', { createBody: { name: `No answer${unique}` } }),
  },
  {
    name: 'webhooks',
    description: 'Create a webhook (its secret answered once), read, change, rotate its secret, read its delivery log and delete it.',
    role: 'admin',
    steps: crud('AdminWebhooks', 'webhookId', {
      createBody: { name: `CRM${unique}`, url: 'https://crm.example.com/hooks/callbacks' },
      extra: [
        { op: 'postAdminWebhooksByIdRotateSecret', path: { id: '{{webhookId}}' }, status: 200, checks: { 'a new secret': 'body.secret.startsWith("whsec_")' } },
        { op: 'postAdminWebhooksByIdTest', path: { id: '{{webhookId}}' }, status: 200, checks: { 'an answer': 'typeof body.ok === "boolean"' } },
        { op: 'getAdminWebhooksByIdDeliveries', path: { id: '{{webhookId}}' }, status: 200, checks: { 'the test attempt': 'body.items.length >= 1 && body.items[0].test === true' } },
      ],
    }),
  },
  {
    name: 'message-opt-outs',
    description: 'Put a number on the SMS do-not-message list, find it, read it and take it off again.',
    role: 'admin',
    steps: [
      { op: 'putAdminMessageOptOutsByPhone', path: { phone: '+12024561114' }, status: 201, checks: { 'on the list': 'body.phoneE164 === "+12024561114" && body.source === "list"' } },
      { op: 'getAdminMessageOptOuts', query: { phone: '1202456' }, status: 200, checks: { 'lists the number': 'body.items.some((o) => o.phoneE164 === "+12024561114")' } },
      { op: 'getAdminMessageOptOutsByPhone', path: { phone: '+12024561114' }, status: 200, checks: { 'the entry': 'body.phoneE164 === "+12024561114"' } },
      { op: 'deleteAdminMessageOptOutsByPhone', path: { phone: '+12024561114' }, status: 204 },
    ],
  },
  {
    name: 'preview-retries',
    description: 'Create, read, change and delete a retry policy; read the preview contacts (the events folder recorded one) and the retry settings.',
    role: 'admin',
    steps: [
      ...crud('AdminRetryPolicies', 'retryPolicyId', { createBody: { name: `Skipped previews${unique}` } }),
      { op: 'getAdminPreviewContacts', status: 200, checks: { 'the recorded contact': 'body.items.some((c) => c.contactId === "postman-contact")' }, save: { previewContactId: 'body.items.find((c) => c.contactId === "postman-contact").id' } },
      { op: 'getAdminPreviewContactsById', path: { id: '{{previewContactId}}' }, status: 200, checks: { 'the contact': 'body.id === pm.collectionVariables.get("previewContactId")' } },
      { op: 'getAdminSettingsPreviewRetries', status: 200, checks: { criteria: 'typeof body.criteria === "object"' } },
    ],
  },
  {
    name: 'campaigns',
    description: 'Create, read, change and delete a campaign; list the demo campaign\'s callbacks.',
    role: 'admin',
    steps: crud('AdminCampaigns', 'campaignId', {
      createBody: { name: `Automated callbacks${unique}` },
      extra: [{ op: 'getAdminCampaignsByIdCallbacks', path: { id: '{{campaignId}}' }, status: 200, checks: { 'none yet': 'body.items.length === 0' } }],
    }),
  },
  {
    name: 'call-in',
    description: 'Create a Click-To-Call-In group with its DNIS pool, read and change it, replace its pool, import it from CSV and export it, read the Call-In tab; delete it.',
    role: 'admin',
    steps: crud('AdminCallInGroups', 'callInGroupId', {
      createBody: { name: `App call-in${unique}` },
      extra: [
        { op: 'getAdminCallInGroupsByIdDnis', path: { id: '{{callInGroupId}}' }, status: 200, checks: { 'the pool': 'body.total === 2 && body.items.length === 2' } },
        { op: 'putAdminCallInGroupsByIdDnis', path: { id: '{{callInGroupId}}' }, status: 200, checks: { 'pool replaced': 'body.dnisCount === 2' } },
        {
          op: 'postAdminCallInGroupsByIdDnisImport',
          path: { id: '{{callInGroupId}}' },
          rawBody: 'number,description\r\n+18005550100,Toll-free main\r\n+18005550101,\r\n+18005550103,Sales\r\n',
          status: 200,
          checks: { 'three imported': 'body.mode === "replace" && body.imported === 3 && body.dnisCount === 3' },
        },
        { op: 'getAdminCallInGroupsByIdDnisExport', path: { id: '{{callInGroupId}}' }, status: 200, checks: { 'CSV with a header': 'pm.response.text().startsWith("number,description")' } },
        { op: 'getAdminCallInRequests', status: 200, checks: { 'a page': 'Array.isArray(body.items) && typeof body.total === "number"' } },
      ],
    }),
  },
  {
    name: 'campaign-callbacks',
    description: 'The campaign-callback desk: the demo campaign callback the data-actions folder cancelled, listed, read with its history, and cancelled again (already completed).',
    role: 'admin',
    steps: [
      { op: 'getAdminCampaignCallbacks', status: 200, checks: { 'lists the callback': 'body.items.some((c) => c.id === pm.collectionVariables.get("campaignCallbackId"))' } },
      {
        op: 'getAdminCampaignCallbacksById',
        path: { id: '{{campaignCallbackId}}' },
        status: 200,
        checks: { 'cancelled, with its history': 'body.completionReason === "CANCELLED_BY_CUSTOMER" && body.history.some((h) => h.event === "cancelled")' },
      },
      { op: 'postAdminCampaignCallbacksByIdCancel', path: { id: '{{campaignCallbackId}}' }, status: 200, checks: { 'outcome ALREADY_COMPLETED': 'body.outcome === "ALREADY_COMPLETED"' } },
    ],
  },
  {
    name: 'genesys',
    description: 'What the simulated Genesys gateway was asked.',
    role: 'admin',
    steps: [
      { op: 'getAdminGenesysSimulatedCalls', status: 200, checks: { 'the callbacks of this run': 'body.items.length > 0' } },
      { op: 'getAdminGenesysStatus', status: 200, checks: { 'names the gateway': '["sdk", "simulated"].includes(body.gateway)' } },
    ],
  },
  {
    name: 'audit',
    description: 'The audit log, which has the changes of this run.',
    role: 'admin',
    steps: [{ op: 'getAdminAudit', status: 200, checks: { 'has entries': 'body.items.length > 0' } }],
  },
  {
    name: 'console',
    description: "The operator console's sign-in, without a person's password: which methods are offered, a refused sign-in, no session, and signing out (which only clears the cookie then).",
    steps: [
      { op: 'getAuthProviders', status: 200, checks: { 'password sign-in': 'body.password === true' } },
      { op: 'postAuthSession', name: 'Sign in with a wrong password (refused)', body: { username: 'nobody', password: 'not-the-password' }, status: 401, checks: { INVALID_CREDENTIALS: 'body.error === "INVALID_CREDENTIALS"' } },
      { op: 'getAuthSession', name: 'The session (none: 401)', status: 401, checks: { UNAUTHORIZED: 'body.error === "UNAUTHORIZED"' } },
      { op: 'deleteAuthSession', status: 204 },
      { op: 'getAuthGenesysStart', name: 'Sign in with Genesys Cloud (not configured on the demo: 404)', status: 404, checks: { NOT_FOUND: 'body.error === "NOT_FOUND"' } },
      { op: 'getAuthGenesysCallback', name: 'The Genesys sign-in callback (not configured on the demo: 404)', query: { code: 'example', state: 'example' }, status: 404, checks: { NOT_FOUND: 'body.error === "NOT_FOUND"' } },
    ],
  },
  {
    name: 'self-service',
    description:
      "A customer's own callback, with the manage token a create through a publishable key answers (header X-Manage-Token). Without one — as here — every route answers 404, as for a callback that does not exist.",
    steps: [
      { op: 'getPublicCallbacksById', name: 'A callback’s status without its manage token (404)', path: { id: '{{$guid}}' }, status: 404, checks: { NOT_FOUND: 'body.error === "NOT_FOUND"' } },
      { op: 'postPublicCallbacksByIdCancel', name: 'Cancel without the manage token (404)', path: { id: '{{$guid}}' }, status: 404, checks: { NOT_FOUND: 'body.error === "NOT_FOUND"' } },
      { op: 'postPublicCallbacksByIdReschedule', name: 'Reschedule without the manage token (404)', path: { id: '{{$guid}}' }, status: 404, checks: { NOT_FOUND: 'body.error === "NOT_FOUND"' } },
      { op: 'getPublicCallbacksByIdAvailability', name: 'Free slots without the manage token (404)', path: { id: '{{$guid}}' }, status: 404, checks: { NOT_FOUND: 'body.error === "NOT_FOUND"' } },
    ],
  },
  {
    name: 'changes shared state (cleans up after itself)',
    description:
      'Changes what other users share: the preview-retry settings (restored to what they were), the push credential (removed: it cannot be read back to restore it), an API client (created, then deleted) ' +
      'and a real bulk cancel (of a callback this folder recreates). Each request depends on the one before: run the folder whole.',
    role: 'admin',
    steps: [
      { op: 'getAdminSettingsPreviewRetries', name: 'Save the preview-retry settings', status: 200, save: { savedPreviewRetrySettings: 'JSON.stringify(body)' } },
      { op: 'putAdminSettingsPreviewRetries', name: 'Change the preview-retry settings', status: 200, checks: { 'changed': 'body.criteria.mediaType === "CALLBACK"' } },
      { op: 'putAdminSettingsPreviewRetries', name: 'Restore the saved preview-retry settings', rawBody: '{{savedPreviewRetrySettings}}', status: 200, checks: { restored: 'JSON.stringify(body) === pm.collectionVariables.get("savedPreviewRetrySettings")' } },
      { op: 'getAdminSettingsPush', status: 200, checks: { 'the key masked': 'typeof body.configured === "boolean" && (body.privateKey === null || body.privateKey.startsWith("••••"))' } },
      {
        op: 'putAdminSettingsPush',
        name: 'Refuse a private key that is not PEM (400 naming privateKey)',
        body: { projectId: 'my-firebase-project', clientEmail: 'notifier@my-firebase-project.iam.gserviceaccount.com', privateKey: 'not a PEM key' },
        status: 400,
        checks: { 'names privateKey': 'body.field === "privateKey"' },
      },
      { op: 'deleteAdminSettingsPush', name: 'Remove the push credential (none on the demo; not restorable: keep the key file)', status: 204 },
      { op: 'postAdminSettingsPushTest', name: 'Test send without a credential (409)', status: 409, checks: { CONFLICT: 'body.error === "CONFLICT"' } },
      // The body whole: the schema's optional fields of a publishable key would otherwise be filled with placeholders.
      { op: 'postAdminClients', status: 201, rawBody: JSON.stringify({ name: `Postman example client${unique}`, roles: ['actions'] }, null, 2), checks: { 'a secret': 'typeof body.clientSecret === "string"' }, save: { clientId: 'body.client.clientId' } },
      { op: 'getAdminClients', status: 200, checks: { 'lists the client': 'body.items.some((c) => c.clientId === pm.collectionVariables.get("clientId"))' } },
      { op: 'getAdminClientsById', path: { id: '{{clientId}}' }, status: 200, checks: { 'the client': 'body.clientId === pm.collectionVariables.get("clientId")' } },
      { op: 'patchAdminClientsById', path: { id: '{{clientId}}' }, status: 200, checks: { 'roles changed': 'body.roles.includes("events")' } },
      { op: 'postAdminClientsByIdRotateSecret', path: { id: '{{clientId}}' }, status: 200, checks: { 'a new secret': 'typeof body.clientSecret === "string"' } },
      { op: 'deleteAdminClientsById', path: { id: '{{clientId}}' }, status: 204 },
      {
        op: 'postAdminClients',
        name: 'Create a publishable key (browsers and apps)',
        status: 201,
        rawBody: JSON.stringify({ name: `Postman example key${unique}`, kind: 'publishable', queues: ['Demo'], origins: ['https://www.example.com'] }, null, 2),
        checks: { 'a key': 'typeof body.publishableKey === "string" && body.client.kind === "publishable"' },
        save: { keyClientId: 'body.client.clientId' },
      },
      { op: 'postAdminClientsByIdRotateKey', path: { id: '{{keyClientId}}' }, status: 200, body: { overlapSeconds: 3600 }, checks: { 'a new key, the old one still working': 'typeof body.publishableKey === "string" && body.client.keys.length === 2' } },
      { op: 'deleteAdminClientsById', name: 'Delete the publishable key', path: { id: '{{keyClientId}}' }, status: 204 },
      { op: 'postAdminUsers', status: 201, body: { username: 'postman-example-{{$timestamp}}' }, checks: { 'a generated password': 'typeof body.password === "string"' }, save: { userId: 'body.user.id' } },
      { op: 'getAdminUsers', status: 200, checks: { 'lists the user': 'body.items.some((u) => u.id === pm.collectionVariables.get("userId"))' } },
      { op: 'getAdminUsersById', path: { id: '{{userId}}' }, status: 200, checks: { 'the user': 'body.id === pm.collectionVariables.get("userId")' } },
      { op: 'patchAdminUsersById', path: { id: '{{userId}}' }, status: 200, checks: { disabled: 'body.disabled === true' } },
      { op: 'postAdminUsersByIdPassword', path: { id: '{{userId}}' }, status: 200, body: { password: null }, checks: { 'a new password': 'typeof body.password === "string"' } },
      { op: 'deleteAdminUsersById', path: { id: '{{userId}}' }, status: 204 },
      {
        op: 'getAdminGenesysSignInMappings',
        name: 'Save the Genesys sign-in mappings',
        status: 200,
        save: { savedSignInMappings: 'JSON.stringify({ items: body.items.map((m) => ({ kind: m.kind, genesysId: m.genesysId, label: m.label, roles: m.roles, queues: m.queues })) })' },
      },
      { op: 'putAdminGenesysSignInMappings', name: 'Change the Genesys sign-in mappings', status: 200, checks: { changed: 'body.items.length === 1 && body.items[0].roles[0] === "supervisor"' } },
      { op: 'putAdminGenesysSignInMappings', name: 'Restore the saved Genesys sign-in mappings', rawBody: '{{savedSignInMappings}}', status: 200, checks: { restored: 'body.items.length === JSON.parse(pm.collectionVariables.get("savedSignInMappings")).items.length' } },
      { op: 'postAdminCallbacksByIdRecreate', name: 'Recreate the cancelled callback (for the bulk cancel)', path: { id: '{{deskCallbackId}}' }, status: 200, checks: { 'outcome CREATED': 'body.outcome === "CREATED"' }, save: { bulkCallbackId: 'body.callbackId' } },
      {
        op: 'postAdminCallbacksBulkCancel',
        name: 'Bulk cancel, for real, the recreated callback',
        body: { filter: null, dryRun: false, ids: ['{{bulkCallbackId}}'] },
        status: 200,
        checks: { 'cancelled it': 'body.dryRun === false && body.cancelled === 1 && body.cancelledIds[0] === pm.collectionVariables.get("bulkCallbackId")' },
      },
    ],
  },
];

/** Fetches a token for the folder's role once and reuses it until shortly before it expires. */
function tokenScript(role: Role): string[] {
  return [
    `const role = '${role}';`,
    "const token = pm.collectionVariables.get(role + 'Token');",
    "const expires = Number(pm.collectionVariables.get(role + 'TokenExpires') || 0);",
    'if (!token || Date.now() > expires) {',
    '  pm.sendRequest({',
    "    url: pm.variables.get('baseUrl') + '/oauth/token',",
    "    method: 'POST',",
    '    body: { mode: \'urlencoded\', urlencoded: [',
    "      { key: 'grant_type', value: 'client_credentials' },",
    "      { key: 'client_id', value: pm.variables.get(role + 'ClientId') },",
    "      { key: 'client_secret', value: pm.variables.get(role + 'ClientSecret') },",
    '    ] },',
    '  }, (err, res) => {',
    "    pm.test('token for the ' + role + ' client', () => pm.expect(err ? String(err) : res.code).to.eql(200));",
    '    if (err || res.code !== 200) return;',
    "    pm.collectionVariables.set(role + 'Token', res.json().access_token);",
    "    pm.collectionVariables.set(role + 'TokenExpires', String(Date.now() + (res.json().expires_in - 60) * 1000));",
    '  });',
    '}',
  ];
}

/** Times ahead within the demo queue's hours, as the live /docs examples have them (swagger.ts `exampleTimeAfter`). */
const TIME_SCRIPT = [
  'const now = new Date();',
  'const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 16));',
  'while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);',
  "pm.collectionVariables.set('exampleTime', d.toISOString().replace('.000Z', 'Z'));",
  "pm.collectionVariables.set('exampleTimeLater', new Date(d.getTime() + 3600000).toISOString().replace('.000Z', 'Z'));",
];

function testScript(step: Step): string[] {
  const lines = [`pm.test('status ${step.status}', () => pm.response.to.have.status(${step.status}));`];
  const checks = Object.entries(step.checks ?? {});
  const saves = Object.entries(step.save ?? {});
  if (checks.length > 0 || saves.length > 0) {
    lines.push('let body;', 'try { body = pm.response.json(); } catch (e) { body = undefined; }');
    for (const [label, expr] of checks) lines.push(`pm.test(${JSON.stringify(label)}, () => pm.expect(${expr}).to.eql(true));`);
    for (const [name, expr] of saves) lines.push(`if (body !== undefined) pm.collectionVariables.set(${JSON.stringify(name)}, ${expr});`);
  }
  return lines;
}

/** The operation's request example (a time that must lie ahead becomes `{{exampleTime}}`) with the step's changes. */
function bodyOf(op: OpenApiOperation, step: Step): string | undefined {
  if (step.rawBody !== undefined) return step.rawBody;
  const json = op.requestBody?.content?.['application/json'];
  if (!json) return undefined;
  const example = (json.example ?? exampleFor(json.schema, '', { minimal: true })) as Json;
  const body: Json = typeof example === 'object' && example !== null && !Array.isArray(example) ? { ...example } : {};
  for (const [k, v] of Object.entries(step.body ?? {})) {
    if (v === null) delete body[k];
    else body[k] = v;
  }
  return JSON.stringify(body, null, 2).split(exampleTimeAfter(DOCS_CLOCK.now())).join('{{exampleTime}}');
}

function urlOf(path: string, op: OpenApiOperation, step: Step) {
  const segments = path.split('/').filter((s) => s !== '').map((s) => s.replace(/^\{(.+)\}$/, ':$1'));
  const params = op.parameters ?? [];
  const query = params
    .filter((p) => p.in === 'query')
    .map((p) => {
      const value = step.query?.[p.name] ?? String(exampleFor(p.schema, p.name) ?? '');
      return { key: p.name, value, disabled: !p.required && step.query?.[p.name] === undefined, description: p.description ?? '' };
    });
  const variable = params
    .filter((p) => p.in === 'path')
    .map((p) => {
      const value = step.path?.[p.name];
      if (value === undefined) throw new Error(`${op.operationId}: the plan gives no value for the path parameter ${p.name}`);
      return { key: p.name, value, description: p.description ?? '' };
    });
  const qs = query.filter((q) => !q.disabled).map((q) => `${q.key}=${q.value}`).join('&');
  return {
    raw: `{{baseUrl}}/${segments.join('/')}${qs ? `?${qs}` : ''}`,
    host: ['{{baseUrl}}'],
    path: segments,
    ...(query.length > 0 && { query }),
    ...(variable.length > 0 && { variable }),
  };
}

function requestItem(path: string, method: string, op: OpenApiOperation, step: Step): Json {
  const request: Json = { method: method.toUpperCase(), header: [] as Json[], url: urlOf(path, op, step), description: op.description ?? op.summary ?? '' };
  if (path === '/oauth/token') {
    request.auth = {
      type: 'basic',
      basic: [
        { key: 'username', value: '{{adminClientId}}', type: 'string' },
        { key: 'password', value: '{{adminClientSecret}}', type: 'string' },
      ],
    };
    request.body = { mode: 'urlencoded', urlencoded: [{ key: 'grant_type', value: 'client_credentials', type: 'text' }] };
  } else {
    if (Array.isArray(op.security) && op.security.length === 0) request.auth = { type: 'noauth' };
    const csv = op.requestBody?.content?.['text/csv'];
    const raw = csv ? step.rawBody : bodyOf(op, step);
    if (csv && raw === undefined) throw new Error(`${op.operationId}: a CSV body needs the plan's rawBody`);
    if (raw !== undefined) {
      (request.header as Json[]).push({ key: 'Content-Type', value: csv ? 'text/csv' : 'application/json' });
      request.body = { mode: 'raw', raw, options: { raw: { language: csv ? 'text' : 'json' } } };
    }
  }
  return {
    name: step.name ?? op.summary ?? `${method.toUpperCase()} ${path}`,
    event: [{ listen: 'test', script: { type: 'text/javascript', exec: testScript(step) } }],
    request,
    response: exampleAnswers(request, op),
  };
}

/** A saved example answer (Postman "example") from the first success response with a JSON schema. */
function exampleAnswers(request: Json, op: OpenApiOperation): Json[] {
  const entry = Object.entries(op.responses ?? {}).find(([code, r]) => /^2\d\d$/.test(code) && r.content?.['application/json']?.schema);
  if (!entry) return [];
  const [code, response] = entry;
  return [
    {
      name: `${code} ${response.description ?? 'example'}`,
      originalRequest: request,
      status: code === '201' ? 'Created' : 'OK',
      code: Number(code),
      _postman_previewlanguage: 'json',
      header: [{ key: 'Content-Type', value: 'application/json' }],
      body: JSON.stringify(exampleFor(response.content!['application/json']!.schema), null, 2),
    },
  ];
}

const bearer = (role: Role) => ({ type: 'bearer', bearer: [{ key: 'token', value: `{{${role}Token}}`, type: 'string' }] });

/** The collection; throws when an operation of the document is in no folder of PLAN, or PLAN names one it lacks. */
export function toPostman(doc: OpenApiDocument): Json {
  const operations = new Map<string, { path: string; method: string; op: OpenApiOperation }>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = ops[method];
      if (op?.operationId) operations.set(op.operationId, { path, method, op });
    }
  }
  const planned = new Set(PLAN.flatMap((f) => f.steps.map((s) => s.op)));
  const missing = [...operations.keys()].filter((id) => !planned.has(id));
  if (missing.length > 0) throw new Error(`operations missing from the Postman plan (src/docs/postman.ts): ${missing.join(', ')}`);
  const items = PLAN.map((folder) => ({
    name: folder.name,
    description: folder.description,
    ...(folder.role ? { auth: bearer(folder.role), event: [{ listen: 'prerequest', script: { type: 'text/javascript', exec: tokenScript(folder.role) } }] } : { auth: { type: 'noauth' } }),
    item: folder.steps.map((step) => {
      const found = operations.get(step.op);
      if (!found) throw new Error(`the Postman plan names an unknown operation: ${step.op}`);
      return requestItem(found.path, found.method, found.op, step);
    }),
  }));
  return {
    info: {
      name: doc.info.title,
      description:
        `${doc.info.description ?? ''}\n\n` +
        'Set the variables baseUrl and the client id and secret of each role (`npm start` prints the demo clients; the demo data-action client ' +
        'holds both actions and events). Each folder fetches a token for its role with OAuth 2.0 client credentials and reuses it. ' +
        'Run the whole collection in order (newman: `npx newman run openapi/postman_collection.json --env-var baseUrl=... --env-var adminClientId=...`): ' +
        'ids flow from create to read, change and delete; every request has assertions. Only the last folder changes shared state, and it restores it.',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    auth: bearer('admin'),
    event: [{ listen: 'prerequest', script: { type: 'text/javascript', exec: TIME_SCRIPT } }],
    variable: [
      { key: 'baseUrl', value: 'http://127.0.0.1:3000', type: 'string' },
      ...(['admin', 'actions', 'events'] as const).flatMap((role) => [
        { key: `${role}ClientId`, value: '', type: 'string' },
        { key: `${role}ClientSecret`, value: '', type: 'string' },
      ]),
    ],
    item: items,
  };
}
