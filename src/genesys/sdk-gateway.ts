/**
 * The `sdk` GenesysGateway: purecloud-platform-client-v2 (pinned) with our own HTTP client
 * (retries, timeouts, no proxy variables: http-client.ts) and token handling (session.ts).
 */
import platformClient from 'purecloud-platform-client-v2';
import { ConfigError, type GenesysConfig } from '../config.js';
import { ErrorCode, redactEverywhere, toGenesysError } from './errors.js';
import {
  CONVERSATION_DETAILS_BATCH,
  CONTACTS_PER_READ,
  GenesysError,
  type AddContactsOptions,
  type AgentlessMessage,
  type ContactInput,
  type ContactSnapshot,
  type ConversationDetails,
  type ConversationSnapshot,
  type CreateCallbackRequest,
  type CreatedCallback,
  type GenesysGateway,
  type RoutingEntity,
  type SentMessage,
} from './gateway.js';
import { RetryingHttpClient, type GatewayLog } from './http-client.js';
import { carrierOf, exactMatch, findCallbackQuery, routingDataOf, str, toContact, toConversationDetails, toParticipant } from './sdk-mapping.js';
import { createTokenSession } from './session.js';

type ApiClient = InstanceType<typeof platformClient.ApiClientClass>;

export interface SdkGatewayOptions extends GenesysConfig {
  /** Per attempt, connect to last body byte (default 10 s). */
  timeoutMs?: number;
  /** Default 3. */
  maxRetries?: number;
  /** Default 30 s. */
  maxRetryWaitMs?: number;
  /** Default 500 ms. */
  baseBackoffMs?: number;
  /** Default 60 s. */
  tokenRefreshMarginMs?: number;
  now?: () => number;
}

/**
 * GENESYS_REGION as a PureCloudRegionHosts key (`eu_west_1`, `eu-west-1`) or a host
 * (`mypurecloud.ie`, `usw2.pure.cloud`, also with `https://api.` in front).
 */
export function resolveRegion(region: string): string {
  const hosts = platformClient.PureCloudRegionHosts as Record<string, string>;
  const key = region.trim().toLowerCase().replace(/-/g, '_');
  const known = hosts[key];
  if (known) return known;
  const host = region.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, '').replace(/^(api|login)\./, '');
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) return host;
  throw new ConfigError(
    'GENESYS_REGION',
    `"${region}" is neither a region key (${Object.keys(hosts).join(', ')}) nor a host like mypurecloud.ie`,
  );
}

/** A fresh SDK client for a region (or a base URL for login and API both), with the SDK's own logging and config file off. */
export function createSdkClient(config: { region?: string | undefined; baseUrl?: string | undefined }): ApiClient {
  const client = new platformClient.ApiClientClass();
  // Otherwise ~/.genesyscloudjavascript/config is watched and can reset region, gateway and logging.
  client.config.live_reload_config = false;
  // The constructor has already read that file once: undo what it may have set.
  client.config.gateway = undefined;
  client.config.logger.log_to_console = false;
  client.config.logger.log_file_path = '';
  client.config.logger.setLogger();
  client.setEnvironment(config.region ? resolveRegion(config.region) : 'mypurecloud.com');
  if (config.baseUrl) {
    // Tests and proxies: login and API both on this base URL (setEnvironment cannot do http://host:port).
    const u = new URL(config.baseUrl);
    const path = u.pathname.replace(/\/+$/, '');
    client.setGateway({
      host: u.hostname,
      protocol: u.protocol.replace(/:$/, ''),
      ...(u.port ? { port: Number(u.port) } : {}),
      ...(path ? { path_params_login: path, path_params_api: path } : {}),
    });
  }
  return client;
}

function configureClient(config: SdkGatewayOptions, http: RetryingHttpClient): ApiClient {
  const client = createSdkClient(config);
  client.setHttpClient(http);
  return client;
}

function isNotFound(err: unknown): boolean {
  return err instanceof GenesysError && err.status === 404;
}

/** The agent an agent-owned callback belongs to: the best-scored agent of its routing data. */
export function ownerOf(participants: platformClient.Models.Participant[]): string | null {
  const scored = participants.flatMap((p) => p.conversationRoutingData?.scoredAgents ?? []).filter((a) => str(a.agent?.id));
  scored.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  return str(scored[0]?.agent?.id);
}

/** The best estimate's seconds, if Genesys gave one. */
function waitSeconds(res: platformClient.Models.EstimatedWaitTimePredictions | undefined): number | null {
  const seconds = res?.results?.[0]?.estimatedWaitTimeSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : null;
}

function iso(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new GenesysError('Invalid callback time', 0, ErrorCode.invalidArgument, false);
  return d.toISOString(); // always milliseconds and Z, as Genesys expects
}

export function createSdkGateway(config: SdkGatewayOptions, log?: GatewayLog): GenesysGateway {
  const { clientId, clientSecret } = config;
  if (!clientId || !clientSecret) {
    throw new ConfigError('GENESYS_CLIENT_ID', 'the sdk gateway needs GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET');
  }
  if (!config.region && !config.baseUrl) throw new ConfigError('GENESYS_REGION', 'is required (or GENESYS_BASE_URL)');
  // Genesys echoes what it was sent often enough (a login error quoting the form, a proxy's error page).
  redactEverywhere(clientId, clientSecret);

  const http = new RetryingHttpClient(
    config.timeoutMs ?? 10_000,
    {
      maxRetries: config.maxRetries ?? 3,
      maxRetryWaitMs: config.maxRetryWaitMs ?? 30_000,
      baseBackoffMs: config.baseBackoffMs ?? 500,
    },
    log,
  );
  const client = configureClient(config, http);
  const now = config.now ?? Date.now;
  const session = createTokenSession(client, clientId, clientSecret, {
    refreshMarginMs: config.tokenRefreshMarginMs ?? 60_000,
    ...(config.now ? { now: config.now } : {}),
    ...(log ? { log } : {}),
  });
  const conversations = new platformClient.ConversationsApi(client);
  const routing = new platformClient.RoutingApi(client);
  const outbound = new platformClient.OutboundApi(client);

  /** Every SDK call goes through here: token, one 401 retry, and only GenesysErrors out. */
  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await session.run(what, async () => fn()); // async: the SDK throws strings synchronously
    } catch (err) {
      throw toGenesysError(err, what);
    }
  }

  return {
    kind: 'sdk',

    async createCallback(req: CreateCallbackRequest): Promise<CreatedCallback> {
      const body: platformClient.Models.CreateCallbackCommand = {
        routingData: routingDataOf(req),
        callbackNumbers: req.callbackNumbers,
        data: req.data,
        ...(req.callbackUserName !== undefined ? { callbackUserName: req.callbackUserName } : {}),
        ...(req.callbackScheduledTime ? { callbackScheduledTime: iso(req.callbackScheduledTime) } : {}),
        ...(req.scriptId !== undefined ? { scriptId: req.scriptId } : {}),
        ...(req.countryCode !== undefined ? { countryCode: req.countryCode } : {}),
        ...(req.callerId !== undefined ? { callerId: req.callerId } : {}),
        ...(req.callerIdName !== undefined ? { callerIdName: req.callerIdName } : {}),
      };
      const res = await call('createCallback', () => conversations.postConversationsCallbacks(body));
      const conversationId = str(res?.conversation?.id);
      if (!conversationId) {
        throw new GenesysError('Genesys created a callback but returned no conversation id', 0, ErrorCode.unexpected, false);
      }
      // Unconfirmed which identifier later calls want; the customer-side (EXTERNAL) one is kept.
      const ids = res.callbackIdentifiers ?? [];
      const chosen = ids.find((i) => i.type?.toUpperCase() === 'EXTERNAL') ?? ids[0];
      return { conversationId, callbackId: str(chosen?.id) };
    },

    async rescheduleCallback(conversationId: string, scheduledTime: Date): Promise<void> {
      // Every SDK marks PatchCallbackRequest.agentId required; no public text says whether the API
      // enforces it or what it means for a callback no agent owns. So: an agent-owned callback
      // (routingData.scoredAgents) is moved with its owner as agentId, so the move keeps it with that
      // agent; one nobody owns is sent without (there is no agent to name, and inventing one would
      // hand the callback to them).
      let owner: string | null = null;
      try {
        const conv = await call('rescheduleCallback', () => conversations.getConversation(conversationId));
        owner = ownerOf(conv.participants ?? []);
      } catch (err) {
        if (!isNotFound(err)) throw err; // a 404 is the PATCH's to report
      }
      const body = { conversationId, callbackScheduledTime: iso(scheduledTime), ...(owner ? { agentId: owner } : {}) } as platformClient.Models.PatchCallbackRequest;
      await call('rescheduleCallback', () => conversations.patchConversationsCallbacks(body));
    },

    async cancelCallback(conversationId: string): Promise<void> {
      // PATCH /api/v2/conversations/callbacks/{id} { state: 'disconnected' } needs only the conversation
      // id; bulk/disconnect requires a callbackId too (CallbackDisconnectIdentifier), which we may not have.
      // The SDK types the body as a whole Conversation; the API takes just the state.
      const body = { state: 'disconnected' } as platformClient.Models.Conversation;
      await call('cancelCallback', () => conversations.patchConversationsCallback(conversationId, body));
    },

    async getConversation(conversationId: string): Promise<ConversationSnapshot | null> {
      try {
        const c = await call('getConversation', () => conversations.getConversation(conversationId));
        return { id: c.id ?? conversationId, participants: (c.participants ?? []).map(toParticipant) };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },

    async setConversationPriority(conversationId: string, priority: number): Promise<void> {
      await call('setConversationPriority', () => routing.patchRoutingConversation(conversationId, { priority }));
    },

    async releaseCallbackOwner(conversationId: string): Promise<void> {
      // No published text says how an owner is taken off a callback; emptying its scored agents is
      // the one routing change the public API offers for it (RoutingConversationAttributesRequest).
      await call('releaseCallbackOwner', () => routing.patchRoutingConversation(conversationId, { requestScoredAgents: [] }));
    },

    async findSkill(name: string): Promise<RoutingEntity | null> {
      // GET /api/v2/routing/skills?name=...: a name search (not an exact match), first 100 hits.
      const res = await call('findSkill', () => routing.getRoutingSkills({ name, pageSize: 100, pageNumber: 1 }));
      return exactMatch(res?.entities, name);
    },

    async findLanguage(name: string): Promise<RoutingEntity | null> {
      const res = await call('findLanguage', () => routing.getRoutingLanguages({ name, pageSize: 100, pageNumber: 1 }));
      return exactMatch(res?.entities, name);
    },

    async addContacts(contactListId: string, contacts: ContactInput[], opts: AddContactsOptions = {}): Promise<void> {
      if (contacts.length === 0) return;
      const body: platformClient.Models.WritableDialerContact[] = contacts.map((c) => ({
        ...(c.id !== undefined ? { id: c.id } : {}),
        contactListId,
        data: c.data,
        callable: c.callable ?? true,
      }));
      const query: Record<string, boolean> = {};
      if (opts.priority !== undefined) query.priority = opts.priority;
      if (opts.clearSystemData !== undefined) query.clearSystemData = opts.clearSystemData;
      if (opts.doNotQueue !== undefined) query.doNotQueue = opts.doNotQueue;
      await call('addContacts', () => outbound.postOutboundContactlistContacts(contactListId, body, query));
    },

    async getContact(contactListId: string, contactId: string): Promise<ContactSnapshot | null> {
      try {
        const c = await call('getContact', () => outbound.getOutboundContactlistContact(contactListId, contactId));
        return toContact(c, contactListId);
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },

    async getContacts(contactListId: string, contactIds: string[]): Promise<ContactSnapshot[]> {
      if (contactIds.length === 0) return [];
      if (contactIds.length > CONTACTS_PER_READ) throw new GenesysError(`At most ${CONTACTS_PER_READ} contacts per read`, 0, ErrorCode.invalidArgument, false);
      const res = await call('getContacts', () => outbound.postOutboundContactlistContactsBulk(contactListId, contactIds));
      return (res ?? []).filter((c) => str(c?.id)).map((c) => toContact(c, contactListId));
    },

    async deleteContact(contactListId: string, contactId: string): Promise<void> {
      try {
        await call('deleteContact', () => outbound.deleteOutboundContactlistContact(contactListId, contactId));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },

    async findCallback(queueId: string, engineId: string, since: Date, attempt = 1): Promise<CreatedCallback | null> {
      // A minute of slack on both sides for clock skew between us and Genesys.
      const query = findCallbackQuery(queueId, engineId, new Date(since.getTime() - 60_000), new Date(now() + 60_000), attempt);
      const res = await call('findCallback', () => conversations.postAnalyticsConversationsDetailsQuery(query));
      for (const hit of (res?.conversations ?? []).slice(0, 5)) {
        if (!hit.conversationId) continue;
        let conv: platformClient.Models.Conversation;
        try {
          conv = await call('findCallback', () => conversations.getConversation(hit.conversationId!));
        } catch (err) {
          if (isNotFound(err)) continue;
          throw err;
        }
        const carrier = carrierOf(conv.participants ?? [], engineId, attempt);
        if (carrier) return { conversationId: hit.conversationId, callbackId: str(carrier.id) };
      }
      return null;
    },

    async conversationDetails(conversationIds: string[]): Promise<ConversationDetails[]> {
      if (conversationIds.length === 0) return [];
      if (conversationIds.length > CONVERSATION_DETAILS_BATCH) {
        throw new GenesysError(`At most ${CONVERSATION_DETAILS_BATCH} conversation ids per request`, 0, ErrorCode.invalidArgument, false);
      }
      try {
        // GET /api/v2/analytics/conversations/details?id=a,b,... (the SDK documents `id` as comma-separated ids).
        const res = await call('conversationDetails', () => conversations.getAnalyticsConversationsDetails({ id: conversationIds }));
        return (res?.conversations ?? []).map(toConversationDetails).filter((c): c is ConversationDetails => c !== null);
      } catch (err) {
        // None of them known (unconfirmed whether Genesys answers 404 or an empty list): all absent.
        if (isNotFound(err)) return [];
        throw err;
      }
    },

    async estimatedWaitTime(queueId: string, mediaType: 'callback' | 'call'): Promise<number | null> {
      const res = await call('estimatedWaitTime', () =>
        routing.getRoutingQueueMediatypeEstimatedwaittime(queueId, mediaType),
      );
      return waitSeconds(res);
    },

    async conversationWaitTime(queueId: string, conversationId: string): Promise<number | null> {
      try {
        return waitSeconds(await call('conversationWaitTime', () => routing.getRoutingQueueEstimatedwaittime(queueId, { conversationId })));
      } catch (err) {
        if (isNotFound(err)) return null; // no longer waiting in that queue
        throw err;
      }
    },

    async sendAgentlessMessage(msg: AgentlessMessage): Promise<SentMessage> {
      // SendAgentlessOutboundMessageRequest has no reference/idempotency field: msg.referenceId stays here.
      const body: platformClient.Models.SendAgentlessOutboundMessageRequest = {
        fromAddress: msg.fromAddress,
        toAddress: msg.toAddress,
        toAddressMessengerType: 'sms',
        textBody: msg.textBody,
      };
      const res = await call('sendAgentlessMessage', () => conversations.postConversationsMessagesAgentless(body));
      return { messageId: str(res?.id) ?? '', conversationId: str(res?.conversationId) ?? '' };
    },

    async checkAccess(): Promise<void> {
      try {
        await session.ensureToken();
      } catch (err) {
        throw toGenesysError(err, 'login');
      }
    },

    async close(): Promise<void> {
      http.close();
    },
  };
}
