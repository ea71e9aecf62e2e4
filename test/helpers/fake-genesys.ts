/**
 * A fake Genesys Cloud: the OAuth token endpoint and the Platform API routes the gateway uses, with
 * the real field names (bodies are validated with `additionalProperties: false`, so a misspelt or
 * invented field is a 400 like a typo against the real API would be), bearer tokens that expire,
 * in-memory state, a log of every request, and failures on demand (429/5xx, 401, slowness, resets).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

export type FakeRoute =
  | 'token'
  | 'createCallback'
  | 'rescheduleCallback'
  | 'cancelCallback'
  | 'bulkDisconnect'
  | 'getConversation'
  | 'setPriority'
  | 'addContacts'
  | 'getContact'
  | 'getContactsBulk'
  | 'deleteContact'
  | 'estimatedWaitTime'
  | 'conversationWaitTime'
  | 'agentlessMessage'
  | 'listSkills'
  | 'listLanguages'
  | 'conversationDetailsQuery'
  | 'conversationDetails'
  | 'unknown';

export interface RecordedRequest {
  route: FakeRoute;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The bearer token used, if any. */
  token: string | undefined;
  at: number;
}

/** One injected answer: an HTTP error (optionally with Retry-After seconds), or a dropped connection. */
export type InjectedFailure = { status: number; retryAfter?: number; body?: unknown } | { reset: true };

export interface FakeCommunication {
  id?: string;
  state: string;
  callbackScheduledTime?: string;
  callbackNumbers?: string[];
}

export interface FakeParticipant {
  id?: string;
  purpose: string;
  userId?: string;
  queueId?: string;
  attributes?: Record<string, string>;
  calls?: FakeCommunication[];
  callbacks?: FakeCommunication[];
  /**
   * An agent-owned callback names its owner here (routingData.scoredAgents, routing flag AGENT_OWNED_CALLBACK);
   * `priority` is the conversation's routing priority, on the ACD participant (set by create and by PATCH /routing/conversations).
   */
  conversationRoutingData?: { scoredAgents?: { agent: { id: string }; score?: number }[]; priority?: number; skills?: { id: string }[]; language?: { id: string } };
}

export interface FakeConversation {
  id: string;
  startTime: string;
  participants: FakeParticipant[];
  priority?: number;
}

/** One analytics segment of a participant's session, as GET /api/v2/analytics/conversations/details reports it. */
export interface FakeSegment {
  segmentType: string;
  segmentStart: string;
  segmentEnd?: string;
  queueId?: string;
  disconnectType?: string;
  wrapUpCode?: string;
}

/** A participant as analytics sees it: one callback session, its segments and metrics. */
export interface FakeAnalyticsParticipant {
  participantId: string;
  purpose: string;
  userId?: string;
  segments: FakeSegment[];
  metrics: { name: string; value: number; emitDate: string }[];
}

/** What analytics holds for a conversation the fake created: its segments so far, and its end. */
export interface FakeTimeline {
  conversationEnd?: string;
  participants: FakeAnalyticsParticipant[];
}

/**
 * A step of a callback's life in Genesys (driven by tests): it enters the queue, an agent is offered
 * it (alerting), does not answer, answers (connected), or the conversation ends — by the customer,
 * by Genesys itself (`system`: the auto-end of a callback nobody took), or by the agent with a wrap-up.
 */
export type FakeStep =
  | { to: 'queued' }
  | { to: 'alerting'; userId: string }
  | { to: 'noAnswer'; userId: string }
  | { to: 'connected'; userId: string }
  | { to: 'ended'; by: 'customer' | 'system' | 'agent'; wrapUpCode?: string };

export interface FakeContact {
  id: string;
  contactListId: string;
  data: Record<string, string>;
  callable: boolean;
  callRecords?: Record<string, { lastAttempt?: string; lastResult?: string }>;
}

export interface FakeGenesys {
  baseUrl: string;
  port: number;
  clientId: string;
  clientSecret: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  requestsTo(route: FakeRoute): RecordedRequest[];
  /** Access tokens issued so far. */
  issuedTokens: string[];
  conversations: Map<string, FakeConversation>;
  /** contactListId → contactId → contact */
  contacts: Map<string, Map<string, FakeContact>>;
  /** Answer the next requests to `route` with these failures, in order, then normally. */
  failNext(route: FakeRoute, failures: InjectedFailure[]): void;
  /** Answer every request to `route` with `status` until `recover(route)`: an outage that lasts as long as the test needs. */
  failUntilRecovered(route: FakeRoute, status: number, retryAfter?: number): void;
  recover(route: FakeRoute): void;
  /** Hold every request to `route` unanswered until `release(route)` (or close): a caller can only time out. */
  hold(route: FakeRoute): void;
  /** Answer the held requests (and future ones) on `route` normally. */
  release(route: FakeRoute): void;
  /** Do the work at once but delay the answer by `ms`: a caller that dies meanwhile never learns it succeeded. */
  slowAnswer(route: FakeRoute, ms: number): void;
  /** Do the work of every request to `route` but hold its answer until `releaseAnswers(route)` (or close): a caller killed meanwhile never learns it succeeded. */
  holdAnswers(route: FakeRoute): void;
  /** Send the held answers on `route` (and future ones at once). */
  releaseAnswers(route: FakeRoute): void;
  /** Do the work of the next requests to `route`, then answer them with these failures instead: the caller never learns it succeeded. */
  failAfterWork(route: FakeRoute, failures: InjectedFailure[]): void;
  /** Invalidate every issued token: the next API call gets a 401. */
  expireTokens(): void;
  /** expires_in of future tokens (default 86,400 s). */
  setTokenLifetime(seconds: number): void;
  seedConversation(c: { id?: string; startTime?: Date; participants: FakeParticipant[] }): string;
  /** Analytics of the conversations the fake created (conversation id → timeline). */
  timelines: Map<string, FakeTimeline>;
  /** The org's routing skills and languages (GET /api/v2/routing/skills and /languages search them by name). */
  skills: { id: string; name: string }[];
  languages: { id: string; name: string }[];
  /** Moves a conversation the fake created one step along (both its conversation and its analytics). */
  drive(conversationId: string, step: FakeStep): void;
  seedContact(c: Omit<FakeContact, 'id' | 'callable'> & { id?: string; callable?: boolean }): string;
  setEstimatedWait(queueId: string, mediaType: string, seconds: number | null): void;
  /** The estimated wait of one conversation in a queue (GET …/queues/{id}/estimatedwaittime?conversationId=). */
  setConversationWait(queueId: string, conversationId: string, seconds: number | null): void;
  /** Agentless outbound messages (SMS) accepted, in order: the request body and the message id answered. */
  agentlessMessages: { id: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

const ISO_MS_Z = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';
const strings = { type: 'array', items: { type: 'string' } } as const;
const comm = (extra: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, ...extra });

// Field lists from the SDK models (v262): CreateCallbackCommand, PatchCallbackRequest, ...
const schemas = {
  createCallback: comm({
    required: ['callbackNumbers'],
    properties: {
      scriptId: { type: 'string' },
      queueId: { type: 'string' },
      routingData: comm({
        required: ['queueId'],
        properties: {
          queueId: { type: 'string' },
          languageId: { type: 'string' },
          label: { type: 'string' },
          priority: { type: 'integer' },
          skillIds: strings,
          skillExpression: { type: 'string' },
          preferredAgentIds: strings,
          scoredAgents: {
            type: 'array',
            items: comm({ properties: { agent: comm({ required: ['id'], properties: { id: { type: 'string' } } }), score: { type: 'integer', minimum: 0, maximum: 100 } } }),
          },
          routingFlags: strings,
        },
      }),
      customerFirstCallbackDeliveryMode: { type: 'string' },
      callbackUserName: { type: 'string' },
      callbackNumbers: { ...strings, minItems: 1 },
      callbackScheduledTime: { type: 'string', pattern: ISO_MS_Z },
      countryCode: { type: 'string' },
      validateCallbackNumbers: { type: 'boolean' },
      data: { type: 'object', additionalProperties: { type: 'string' } },
      callerId: { type: 'string' },
      callerIdName: { type: 'string' },
    },
  }),
  rescheduleCallback: comm({
    required: ['conversationId'],
    properties: {
      conversationId: { type: 'string' },
      queueId: { type: 'string' },
      agentId: { type: 'string', minLength: 1 },
      callbackScheduledTime: { type: 'string', pattern: ISO_MS_Z },
      countryCode: { type: 'string' },
      callbackNumbers: strings,
      validateCallbackNumbers: { type: 'boolean' },
      customerFirstCallbackDeliveryMode: { type: 'string' },
    },
  }),
  // The model is a whole Conversation; disconnecting is the only change this endpoint makes.
  cancelCallback: comm({ required: ['state'], properties: { state: { const: 'disconnected' } } }),
  bulkDisconnect: comm({
    required: ['callbackDisconnectIdentifiers'],
    properties: {
      callbackDisconnectIdentifiers: {
        type: 'array',
        minItems: 1,
        items: comm({
          required: ['conversationId', 'callbackId'],
          properties: { conversationId: { type: 'string' }, callbackId: { type: 'string' } },
        }),
      },
    },
  }),
  setPriority: comm({
    minProperties: 1,
    properties: {
      priority: { type: 'integer', minimum: -25_000_000, maximum: 25_000_000 },
      skillIds: strings,
      skillExpression: { type: 'string' },
      languageId: { type: 'string' },
      labelId: { type: 'string' },
      requestScoredAgents: { type: 'array', items: comm({ properties: { id: { type: 'string' }, score: { type: 'integer' } } }) },
    },
  }),
  // GET /api/v2/routing/skills and /languages: paging and a name search.
  listRouting: comm({ properties: { pageSize: { type: 'string', pattern: '^\\d+$' }, pageNumber: { type: 'string', pattern: '^\\d+$' }, name: { type: 'string' }, sortOrder: { type: 'string' } } }),
  addContacts: {
    type: 'array',
    minItems: 1,
    maxItems: 1000,
    items: comm({
      required: ['contactListId', 'data'],
      properties: {
        id: { type: 'string' },
        contactListId: { type: 'string' },
        data: { type: 'object', additionalProperties: { type: 'string' } },
        callable: { type: 'boolean' },
      },
    }),
  },
  addContactsQuery: comm({
    properties: Object.fromEntries(
      ['priority', 'clearSystemData', 'doNotQueue'].map((k) => [k, { enum: ['true', 'false'] }]),
    ),
  }),
  // ConversationQuery, limited to what a lookup needs: interval, order, paging, segment predicates.
  conversationDetailsQuery: comm({
    required: ['interval'],
    properties: {
      interval: { type: 'string', pattern: `${ISO_MS_Z.slice(0, -1)}/${ISO_MS_Z.slice(1)}` },
      order: { enum: ['asc', 'desc'] },
      orderBy: { enum: ['conversationStart', 'conversationEnd', 'segmentStart', 'segmentEnd'] },
      paging: comm({ required: ['pageSize', 'pageNumber'], properties: { pageSize: { type: 'integer', maximum: 100 }, pageNumber: { type: 'integer', minimum: 1 } } }),
      segmentFilters: {
        type: 'array',
        items: comm({
          required: ['type'],
          properties: {
            type: { enum: ['and', 'or'] },
            predicates: {
              type: 'array',
              items: comm({
                properties: {
                  type: { enum: ['dimension', 'property', 'metric'] },
                  dimension: { type: 'string' },
                  propertyType: { enum: ['bool', 'integer', 'real', 'date', 'string', 'uuid'] },
                  property: { type: 'string' },
                  operator: { enum: ['matches', 'exists', 'notExists'] },
                  value: { type: 'string' },
                },
              }),
            },
          },
        }),
      },
    },
  }),
  // GET /api/v2/analytics/conversations/details?id=a,b,...: comma-separated ids, at most 100 (our batch).
  conversationDetails: comm({ required: ['id'], properties: { id: { type: 'string', pattern: '^[^,]+(,[^,]+){0,99}$' } } }),
  estimatedWaitTime: comm({
    required: ['queueId', 'mediaType'],
    properties: { queueId: { type: 'string' }, mediaType: { enum: ['call', 'callback', 'chat', 'email', 'message'] } },
  }),
  conversationWaitTime: comm({ required: ['conversationId'], properties: { conversationId: { type: 'string', minLength: 1 } } }),
  // SendAgentlessOutboundMessageRequest
  agentlessMessage: comm({
    required: ['fromAddress', 'toAddressMessengerType'],
    properties: {
      fromAddress: { type: 'string', minLength: 1 },
      toAddress: { type: 'string' },
      externalContactId: { type: 'string' },
      toAddressMessengerType: { enum: ['sms', 'facebook', 'twitter', 'line', 'whatsapp', 'open', 'instagram', 'apple'] },
      textBody: { type: 'string' },
      messagingTemplate: { type: 'object' },
      useExistingActiveConversation: { type: 'boolean' },
    },
  }),
};

const genesysError = (status: number, code: string, message: string) => ({ message, code, status });

export async function startFakeGenesys(opts: { clientId?: string; clientSecret?: string } = {}): Promise<FakeGenesys> {
  const clientId = opts.clientId ?? 'fake-client-id';
  const clientSecret = opts.clientSecret ?? `fake-secret-${randomBytes(12).toString('hex')}`;
  const requests: RecordedRequest[] = [];
  const issuedTokens: string[] = [];
  const tokens = new Map<string, number>(); // token → expiry (ms)
  const conversations = new Map<string, FakeConversation>();
  const contacts = new Map<string, Map<string, FakeContact>>();
  const ewt = new Map<string, number | null>();
  const timelines = new Map<string, FakeTimeline>();
  const skills: { id: string; name: string }[] = [];
  const languages: { id: string; name: string }[] = [];
  const nowIso = () => new Date().toISOString();
  const close = (p: FakeAnalyticsParticipant, disconnectType?: string) => {
    for (const g of p.segments) {
      if (g.segmentEnd) continue;
      g.segmentEnd = nowIso();
      if (disconnectType) g.disconnectType = disconnectType;
    }
  };
  function endTimeline(id: string, disconnectType: string): void {
    const t = timelines.get(id);
    if (!t || t.conversationEnd) return;
    for (const p of t.participants) close(p, disconnectType);
    t.conversationEnd = nowIso();
  }
  /** Analytics of a seeded conversation, from its participants' states now (it has no history). */
  function timelineFromState(conv: FakeConversation): FakeTimeline {
    const at = conv.startTime;
    const participants = conv.participants.map((p): FakeAnalyticsParticipant => {
      const states = [...(p.calls ?? []), ...(p.callbacks ?? [])].map((c) => c.state);
      const active = states.find((x) => x !== 'disconnected' && x !== 'terminated');
      const type = p.purpose === 'acd' ? 'interact' : active === 'scheduled' ? 'scheduled' : active === 'alerting' && p.purpose === 'agent' ? 'alert' : 'interact';
      return {
        participantId: p.id ?? '',
        purpose: p.purpose,
        ...(p.userId ? { userId: p.userId } : {}),
        segments: states.length ? [{ segmentType: type, segmentStart: at, ...(active ? {} : { segmentEnd: at, disconnectType: 'client' }), ...(p.queueId ? { queueId: p.queueId } : {}) }] : [],
        metrics: [],
      };
    });
    const ended = conv.participants.every((p) => [...(p.calls ?? []), ...(p.callbacks ?? [])].every((c) => c.state === 'disconnected' || c.state === 'terminated'));
    return { participants, ...(ended ? { conversationEnd: at } : {}) };
  }
  function drive(id: string, step: FakeStep): void {
    const conv = conversations.get(id);
    const t = timelines.get(id);
    if (!conv || !t) throw new Error(`the fake did not create conversation ${id}`);
    if (t.conversationEnd) throw new Error(`conversation ${id} has ended`);
    const [customer, acd] = t.participants as [FakeAnalyticsParticipant, FakeAnalyticsParticipant];
    const queueId = conv.participants.find((p) => p.purpose === 'acd')?.queueId;
    const agentOf = (userId: string) => t.participants.find((p) => p.purpose === 'agent' && p.userId === userId);
    const setComms = (purpose: string, state: string, userId?: string) => {
      for (const p of conv.participants) if (p.purpose === purpose && (userId === undefined || p.userId === userId)) for (const c of p.callbacks ?? []) c.state = state;
    };
    switch (step.to) {
      case 'queued':
        close(customer);
        if (!acd.segments.some((g) => !g.segmentEnd)) acd.segments.push({ segmentType: 'interact', segmentStart: nowIso(), ...(queueId ? { queueId } : {}) });
        setComms('customer', 'connected');
        setComms('acd', 'alerting');
        return;
      case 'alerting': {
        const participantId = randomUUID();
        t.participants.push({ participantId, purpose: 'agent', userId: step.userId, segments: [{ segmentType: 'alert', segmentStart: nowIso(), ...(queueId ? { queueId } : {}) }], metrics: [] });
        conv.participants.push({ id: participantId, purpose: 'agent', userId: step.userId, callbacks: [{ id: randomUUID(), state: 'alerting' }] });
        return;
      }
      case 'noAnswer': {
        const agent = agentOf(step.userId);
        if (!agent) throw new Error(`agent ${step.userId} was never alerted`);
        close(agent, 'transfer.noanswer');
        agent.metrics.push({ name: 'tAlert', value: 8_000, emitDate: nowIso() }, { name: 'tNotResponding', value: 8_000, emitDate: nowIso() });
        setComms('agent', 'disconnected', step.userId);
        return;
      }
      case 'connected': {
        const agent = agentOf(step.userId);
        if (!agent) throw new Error(`agent ${step.userId} was never alerted`);
        close(agent);
        agent.segments.push({ segmentType: 'interact', segmentStart: nowIso(), ...(queueId ? { queueId } : {}) });
        agent.metrics.push({ name: 'tAnswered', value: 3_000, emitDate: nowIso() });
        close(acd, 'transfer');
        setComms('agent', 'connected', step.userId);
        setComms('acd', 'disconnected');
        return;
      }
      case 'ended': {
        const agent = t.participants.filter((p) => p.purpose === 'agent').at(-1);
        const inQueue = acd.segments.some((g) => !g.segmentEnd);
        if (step.by === 'agent') {
          if (!agent) throw new Error('no agent to end it');
          close(agent, 'endpoint');
          agent.metrics.push({ name: 'tTalk', value: 60_000, emitDate: nowIso() });
          agent.segments.push({ segmentType: 'wrapup', segmentStart: nowIso(), segmentEnd: nowIso(), ...(step.wrapUpCode ? { wrapUpCode: step.wrapUpCode } : {}) });
        }
        if (step.by === 'customer' && inQueue) acd.metrics.push({ name: 'tAbandon', value: 30_000, emitDate: nowIso() });
        // The customer's side ends with the disconnect of whoever ended it.
        for (const p of [customer, acd, ...t.participants.slice(2)]) close(p, step.by === 'customer' ? 'client' : step.by === 'system' ? 'system' : 'peer');
        t.conversationEnd = nowIso();
        for (const p of conv.participants) for (const c of [...(p.calls ?? []), ...(p.callbacks ?? [])]) c.state = 'disconnected';
        return;
      }
    }
  }
  const queued = new Map<FakeRoute, InjectedFailure[]>();
  const outages = new Map<FakeRoute, { status: number; retryAfter?: number }>();
  const holds = new Map<FakeRoute, { released: Promise<void>; release: () => void }>();
  const closing = new AbortController();
  let tokenLifetime = 86_400;

  const app = Fastify({
    logger: false,
    forceCloseConnections: true, // tests close while the client still holds keep-alive or aborted sockets
    // Validate like an API: reject, never strip or coerce.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    void reply.code(status).send(genesysError(status, status === 400 ? 'bad.request' : 'internal.server.error', err.message));
  });

  const routeOf = (req: FastifyRequest): FakeRoute =>
    ((req.routeOptions.config as { route?: FakeRoute } | undefined)?.route ?? 'unknown');

  /** Starts holding `route` in `map` until its release (or close). */
  const holdOn = (map: typeof holds, route: FakeRoute) => {
    if (map.has(route)) return;
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    closing.signal.addEventListener('abort', () => release(), { once: true });
    map.set(route, { released, release });
  };
  const answerDelays = new Map<FakeRoute, number>();
  const answerHolds = new Map<FakeRoute, { released: Promise<void>; release: () => void }>();
  const afterWork = new Map<FakeRoute, InjectedFailure[]>();
  app.addHook('onSend', async (req, reply, payload) => {
    const delay = answerDelays.get(routeOf(req)) ?? 0;
    if (delay > 0) await sleep(delay, undefined, { signal: closing.signal }).catch(() => undefined);
    const heldAnswer = answerHolds.get(routeOf(req));
    if (heldAnswer) await heldAnswer.released;
    const failure = reply.statusCode < 400 ? afterWork.get(routeOf(req))?.shift() : undefined;
    if (!failure) return payload;
    if ('reset' in failure) {
      req.raw.socket.destroy();
      return payload;
    }
    void reply.code(failure.status);
    return JSON.stringify(failure.body ?? genesysError(failure.status, `http.${failure.status}`, 'Injected failure after the work was done'));
  });

  // Runs before body validation, like the real API: record, delay, injected failures, then auth.
  app.addHook('preValidation', async (req, reply) => {
    const route = routeOf(req);
    const auth = req.headers.authorization ?? '';
    const bearer = /^Bearer (.+)$/i.exec(auth)?.[1];
    requests.push({
      route,
      method: req.method,
      path: req.url.split('?')[0] ?? req.url,
      query: { ...(req.query as Record<string, string>) },
      body: req.body,
      token: bearer,
      at: Date.now(),
    });
    const failure: InjectedFailure | undefined = queued.get(route)?.shift() ?? outages.get(route);
    // Decided before holding: a request released later must not take a failure queued for the next one.
    const held = holds.get(route);
    if (held) await held.released;
    if (failure) {
      if ('reset' in failure) {
        req.raw.socket.destroy();
        return reply.hijack();
      }
      if (failure.retryAfter !== undefined) void reply.header('Retry-After', String(failure.retryAfter));
      const body = 'body' in failure && failure.body !== undefined ? failure.body : genesysError(failure.status, `http.${failure.status}`, 'Injected failure');
      return reply.code(failure.status).send(body);
    }

    if (route === 'token' || route === 'unknown') return;
    const expiry = bearer ? tokens.get(bearer) : undefined;
    if (expiry === undefined || Date.now() >= expiry) {
      return reply.code(401).send(genesysError(401, 'bad.credentials', 'Invalid login credentials.'));
    }
  });

  const cfg = (route: FakeRoute) => ({ config: { route } });
  const notFound = (reply: FastifyReply, what: string) => reply.code(404).send(genesysError(404, 'not.found', `${what} not found`));

  app.post('/oauth/token', cfg('token'), async (req, reply) => {
    const [scheme, encoded] = (req.headers.authorization ?? '').split(' ');
    const [id, secret] = Buffer.from(encoded ?? '', 'base64').toString().split(':');
    if (scheme !== 'Basic' || id !== clientId || secret !== clientSecret) {
      return reply.code(401).send({ error: 'invalid_client', description: 'client not found', error_description: 'client not found' });
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return reply.code(400).send({ error: 'invalid_request', description: 'expected a form-encoded body' });
    }
    if ((req.body as Record<string, string> | undefined)?.grant_type !== 'client_credentials') {
      return reply.code(400).send({ error: 'unsupported_grant_type', description: 'grant_type must be client_credentials' });
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + tokenLifetime * 1000);
    issuedTokens.push(token);
    return { access_token: token, token_type: 'bearer', expires_in: tokenLifetime };
  });

  const participantIds = (c: FakeConversation) =>
    c.participants.map((p) => ({ type: p.purpose === 'acd' ? 'ACD' : 'EXTERNAL', id: p.id ?? '' }));

  app.post('/api/v2/conversations/callbacks', { ...cfg('createCallback'), schema: { body: schemas.createCallback } }, async (req, reply) => {
    const b = req.body as {
      queueId?: string;
      routingData?: { queueId: string; priority?: number; scoredAgents?: { agent: { id: string }; score?: number }[] };
      callbackNumbers: string[];
      callbackScheduledTime?: string;
      data?: Record<string, string>;
    };
    const queueId = b.routingData?.queueId ?? b.queueId;
    if (!queueId) return reply.code(400).send(genesysError(400, 'bad.request', 'queueId or routingData.queueId is required'));
    const state = b.callbackScheduledTime ? 'scheduled' : 'alerting';
    const cb = () => ({ id: randomUUID(), state, callbackNumbers: b.callbackNumbers, ...(b.callbackScheduledTime ? { callbackScheduledTime: b.callbackScheduledTime } : {}) });
    const id = randomUUID();
    const conv: FakeConversation = {
      id,
      startTime: new Date().toISOString(),
      ...(b.routingData?.priority !== undefined ? { priority: b.routingData.priority } : {}),
      participants: [
        { id: randomUUID(), purpose: 'customer', attributes: b.data ?? {}, callbacks: [cb()] },
        {
          id: randomUUID(),
          purpose: 'acd',
          queueId,
          callbacks: [cb()],
          ...(b.routingData?.priority !== undefined || b.routingData?.scoredAgents
            ? {
                conversationRoutingData: {
                  ...(b.routingData.priority !== undefined ? { priority: b.routingData.priority } : {}),
                  ...(b.routingData.scoredAgents ? { scoredAgents: b.routingData.scoredAgents } : {}),
                },
              }
            : {}),
        },
      ],
    };
    conversations.set(id, conv);
    const at = new Date().toISOString();
    const [customer, acd] = conv.participants as [FakeParticipant, FakeParticipant];
    timelines.set(id, {
      participants: [
        // A scheduled callback waits on the customer side; an immediate one is in queue at once.
        { participantId: customer.id!, purpose: 'customer', segments: b.callbackScheduledTime ? [{ segmentType: 'scheduled', segmentStart: at }] : [], metrics: [] },
        { participantId: acd.id!, purpose: 'acd', segments: b.callbackScheduledTime ? [] : [{ segmentType: 'interact', segmentStart: at, queueId }], metrics: [] },
      ],
    });
    return { conversation: { id, selfUri: `/api/v2/conversations/${id}` }, callbackIdentifiers: participantIds(conv) };
  });

  app.patch('/api/v2/conversations/callbacks', { ...cfg('rescheduleCallback'), schema: { body: schemas.rescheduleCallback } }, async (req, reply) => {
    const b = req.body as { conversationId: string; agentId?: string; callbackScheduledTime?: string };
    const conv = conversations.get(b.conversationId);
    if (!conv) return notFound(reply, 'Conversation');
    // Stricter than anything published (PatchCallbackRequest marks agentId required): an agent-owned
    // callback is only moved with its owner named; one nobody owns takes no agentId.
    const owners = conv.participants.flatMap((p) => p.conversationRoutingData?.scoredAgents ?? []).map((a) => a.agent.id);
    if (owners.length > 0 ? !b.agentId || !owners.includes(b.agentId) : b.agentId !== undefined) {
      return reply.code(400).send({ status: 400, code: 'bad.request', message: owners.length > 0 ? 'agentId must name the agent that owns the callback' : 'agentId names no owner of this callback' });
    }
    for (const p of conv.participants) {
      for (const c of p.callbacks ?? []) if (b.callbackScheduledTime) c.callbackScheduledTime = b.callbackScheduledTime;
    }
    return { conversation: { id: conv.id }, callbackIdentifiers: participantIds(conv) };
  });

  const disconnect = (conv: FakeConversation) => {
    for (const p of conv.participants) for (const c of [...(p.calls ?? []), ...(p.callbacks ?? [])]) c.state = 'disconnected';
    endTimeline(conv.id, 'client');
  };

  app.patch('/api/v2/conversations/callbacks/:conversationId', { ...cfg('cancelCallback'), schema: { body: schemas.cancelCallback } }, async (req, reply) => {
    const conv = conversations.get((req.params as { conversationId: string }).conversationId);
    if (!conv) return notFound(reply, 'Conversation');
    disconnect(conv);
    return { id: conv.id, participants: conv.participants };
  });

  app.post('/api/v2/conversations/callbacks/bulk/disconnect', { ...cfg('bulkDisconnect'), schema: { body: schemas.bulkDisconnect } }, async (req, reply) => {
    for (const { conversationId } of (req.body as { callbackDisconnectIdentifiers: { conversationId: string }[] }).callbackDisconnectIdentifiers) {
      const conv = conversations.get(conversationId);
      if (conv) disconnect(conv);
    }
    return reply.code(202).send();
  });

  app.get('/api/v2/conversations/:conversationId', cfg('getConversation'), async (req, reply) => {
    const conv = conversations.get((req.params as { conversationId: string }).conversationId);
    if (!conv) return notFound(reply, 'Conversation');
    return { id: conv.id, startTime: conv.startTime, participants: conv.participants, selfUri: `/api/v2/conversations/${conv.id}` };
  });

  app.patch('/api/v2/routing/conversations/:conversationId', { ...cfg('setPriority'), schema: { body: schemas.setPriority } }, async (req, reply) => {
    const conv = conversations.get((req.params as { conversationId: string }).conversationId);
    if (!conv) return notFound(reply, 'Conversation');
    const { priority, requestScoredAgents } = req.body as { priority?: number; requestScoredAgents?: { id?: string; score?: number }[] };
    if (requestScoredAgents) {
      const scored = requestScoredAgents.filter((a) => a.id).map((a) => ({ agent: { id: a.id! }, ...(a.score !== undefined ? { score: a.score } : {}) }));
      for (const p of conv.participants) if (p.conversationRoutingData?.scoredAgents) p.conversationRoutingData = { ...p.conversationRoutingData, scoredAgents: scored };
    }
    if (priority !== undefined) {
      conv.priority = priority;
      for (const p of conv.participants) if (p.purpose === 'acd') p.conversationRoutingData = { ...p.conversationRoutingData, priority };
    }
    return { priority: conv.priority };
  });

  // A name search: entities whose name contains the text (case-insensitive), like the real API's partial match.
  const listing = (list: { id: string; name: string }[], req: FastifyRequest) => {
    const q = req.query as { name?: string; pageSize?: string; pageNumber?: string };
    const size = Number(q.pageSize ?? 25);
    const page = Number(q.pageNumber ?? 1);
    const hits = list.filter((e) => q.name === undefined || e.name.toLowerCase().includes(q.name.toLowerCase()));
    return { entities: hits.slice((page - 1) * size, page * size).map((e) => ({ ...e, state: 'active' })), pageSize: size, pageNumber: page, total: hits.length };
  };
  app.get('/api/v2/routing/skills', { ...cfg('listSkills'), schema: { querystring: schemas.listRouting } }, async (req) => listing(skills, req));
  app.get('/api/v2/routing/languages', { ...cfg('listLanguages'), schema: { querystring: schemas.listRouting } }, async (req) => listing(languages, req));

  app.post(
    '/api/v2/outbound/contactlists/:contactListId/contacts',
    { ...cfg('addContacts'), schema: { body: schemas.addContacts, querystring: schemas.addContactsQuery } },
    async (req, reply) => {
      const { contactListId } = req.params as { contactListId: string };
      const body = req.body as Array<{ id?: string; contactListId: string; data: Record<string, string>; callable?: boolean }>;
      if (body.some((c) => c.contactListId !== contactListId)) {
        return reply.code(400).send(genesysError(400, 'bad.request', 'contactListId in body does not match the path'));
      }
      const list = contacts.get(contactListId) ?? new Map<string, FakeContact>();
      contacts.set(contactListId, list);
      return body.map((c) => {
        const id = c.id ?? randomUUID();
        const stored: FakeContact = { ...list.get(id), id, contactListId, data: c.data, callable: c.callable ?? true };
        list.set(id, stored);
        return stored;
      });
    },
  );

  app.get('/api/v2/outbound/contactlists/:contactListId/contacts/:contactId', cfg('getContact'), async (req, reply) => {
    const { contactListId, contactId } = req.params as { contactListId: string; contactId: string };
    const contact = contacts.get(contactListId)?.get(contactId);
    return contact ?? notFound(reply, 'Contact');
  });

  // Like the real API: ids the list does not have are left out of the answer.
  app.post(
    '/api/v2/outbound/contactlists/:contactListId/contacts/bulk',
    { ...cfg('getContactsBulk'), schema: { body: { type: 'array', items: { type: 'string' }, minItems: 1 } } },
    async (req) => {
      const { contactListId } = req.params as { contactListId: string };
      const list = contacts.get(contactListId);
      return (req.body as string[]).flatMap((id) => (list?.get(id) ? [list.get(id)!] : []));
    },
  );

  app.delete('/api/v2/outbound/contactlists/:contactListId/contacts/:contactId', cfg('deleteContact'), async (req, reply) => {
    const { contactListId, contactId } = req.params as { contactListId: string; contactId: string };
    if (!contacts.get(contactListId)?.delete(contactId)) return notFound(reply, 'Contact');
    return reply.code(204).send();
  });

  type Predicate = { type?: string; dimension?: string; property?: string; value?: string };
  /** Does the conversation satisfy one predicate? Only what the gateway asks is modelled. */
  const matches = (c: FakeConversation, p: Predicate): boolean => {
    if (p.type === 'property') return c.participants.some((x) => p.property !== undefined && x.attributes?.[p.property] === p.value);
    if (p.dimension === 'queueId') return c.participants.some((x) => x.queueId === p.value);
    if (p.dimension === 'mediaType') return p.value === 'callback' ? c.participants.some((x) => x.callbacks?.length) : c.participants.some((x) => x.calls?.length);
    return true;
  };

  app.post(
    '/api/v2/analytics/conversations/details/query',
    { ...cfg('conversationDetailsQuery'), schema: { body: schemas.conversationDetailsQuery } },
    async (req) => {
      const q = req.body as { interval: string; segmentFilters?: Array<{ type: 'and' | 'or'; predicates?: Predicate[] }> };
      const [from, to] = q.interval.split('/').map((t) => Date.parse(t)) as [number, number];
      const hits = [...conversations.values()].filter((c) => {
        const start = Date.parse(c.startTime);
        if (start < from || start > to) return false;
        return (q.segmentFilters ?? []).every((f) =>
          f.type === 'and' ? (f.predicates ?? []).every((p) => matches(c, p)) : (f.predicates ?? []).some((p) => matches(c, p)),
        );
      });
      // Like the real API: no attributes in details results, and no `conversations` key when empty.
      return {
        totalHits: hits.length,
        ...(hits.length
          ? { conversations: hits.map((c) => ({ conversationId: c.id, conversationStart: c.startTime, participants: c.participants.map((p) => ({ participantId: p.id, purpose: p.purpose })) })) }
          : {}),
      };
    },
  );

  app.get('/api/v2/analytics/conversations/details', { ...cfg('conversationDetails'), schema: { querystring: schemas.conversationDetails } }, async (req) => {
    const ids = (req.query as { id: string }).id.split(',');
    const found = ids.flatMap((id) => {
      const conv = conversations.get(id);
      if (!conv) return [];
      const timeline = timelines.get(id) ?? timelineFromState(conv);
      return [
        {
          conversationId: id,
          conversationStart: conv.startTime,
          ...(timeline.conversationEnd ? { conversationEnd: timeline.conversationEnd } : {}),
          originatingDirection: 'outbound',
          participants: timeline.participants.map((p) => ({
            participantId: p.participantId,
            purpose: p.purpose,
            ...(p.userId ? { userId: p.userId } : {}),
            sessions: [{ mediaType: 'callback', sessionId: `${p.participantId}-s`, direction: 'outbound', segments: p.segments, ...(p.metrics.length ? { metrics: p.metrics } : {}) }],
          })),
        },
      ];
    });
    return { conversations: found };
  });

  app.get(
    '/api/v2/routing/queues/:queueId/mediatypes/:mediaType/estimatedwaittime',
    { ...cfg('estimatedWaitTime'), schema: { params: schemas.estimatedWaitTime } },
    async (req) => {
      const { queueId, mediaType } = req.params as { queueId: string; mediaType: string };
      const seconds = ewt.get(`${queueId}/${mediaType}`);
      return { results: seconds == null ? [] : [{ intent: 'ESTIMATE', formula: 'BEST', estimatedWaitTimeSeconds: seconds }] };
    },
  );

  app.get(
    '/api/v2/routing/queues/:queueId/estimatedwaittime',
    { ...cfg('conversationWaitTime'), schema: { querystring: schemas.conversationWaitTime } },
    async (req) => {
      const { queueId } = req.params as { queueId: string };
      const { conversationId } = req.query as { conversationId: string };
      const seconds = ewt.get(`${queueId}/conversation/${conversationId}`);
      return { results: seconds == null ? [] : [{ intent: 'ESTIMATE', formula: 'BEST', estimatedWaitTimeSeconds: seconds }] };
    },
  );

  const agentlessMessages: { id: string; body: Record<string, unknown> }[] = [];
  app.post('/api/v2/conversations/messages/agentless', { ...cfg('agentlessMessage'), schema: { body: schemas.agentlessMessage } }, async (req) => {
    const body = req.body as Record<string, unknown>;
    const id = randomUUID();
    agentlessMessages.push({ id, body });
    return {
      id,
      conversationId: randomUUID(),
      fromAddress: body.fromAddress,
      toAddress: body.toAddress,
      messengerType: body.toAddressMessengerType,
      textBody: body.textBody,
      timestamp: new Date().toISOString(),
    };
  });

  app.setNotFoundHandler((req, reply) => notFound(reply, `Route ${req.method} ${req.url}`));

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('fake Genesys did not bind');
  const port = address.port;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    clientId,
    clientSecret,
    requests,
    requestsTo: (route) => requests.filter((r) => r.route === route),
    issuedTokens,
    conversations,
    contacts,
    timelines,
    skills,
    languages,
    drive,
    failNext: (route, failures) => queued.set(route, [...(queued.get(route) ?? []), ...failures]),
    failUntilRecovered: (route, status, retryAfter) => outages.set(route, { status, ...(retryAfter !== undefined ? { retryAfter } : {}) }),
    recover: (route) => outages.delete(route),
    hold: (route) => holdOn(holds, route),
    holdAnswers: (route) => holdOn(answerHolds, route),
    releaseAnswers: (route) => {
      answerHolds.get(route)?.release();
      answerHolds.delete(route);
    },
    release: (route) => {
      holds.get(route)?.release();
      holds.delete(route);
    },
    slowAnswer: (route, ms) => answerDelays.set(route, ms),
    failAfterWork: (route, failures) => afterWork.set(route, [...(afterWork.get(route) ?? []), ...failures]),
    expireTokens: () => tokens.clear(),
    setTokenLifetime: (seconds) => {
      tokenLifetime = seconds;
    },
    seedConversation: (c) => {
      const id = c.id ?? randomUUID();
      const participants = c.participants.map((p) => ({ ...p, id: p.id ?? randomUUID() }));
      conversations.set(id, { id, startTime: (c.startTime ?? new Date()).toISOString(), participants });
      return id;
    },
    seedContact: (c) => {
      const id = c.id ?? randomUUID();
      const list = contacts.get(c.contactListId) ?? new Map<string, FakeContact>();
      contacts.set(c.contactListId, list);
      list.set(id, { ...c, id, callable: c.callable ?? true });
      return id;
    },
    setEstimatedWait: (queueId, mediaType, seconds) => ewt.set(`${queueId}/${mediaType}`, seconds),
    setConversationWait: (queueId, conversationId, seconds) => ewt.set(`${queueId}/conversation/${conversationId}`, seconds),
    agentlessMessages,
    close: async () => {
      closing.abort();
      await app.close();
    },
  };
}
