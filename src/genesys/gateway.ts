/**
 * Everything the service asks of Genesys Cloud goes through this interface. Two implementations:
 * `sdk` (purecloud-platform-client-v2 against a real org, or a fake server in tests) and
 * `simulated` (no credentials configured: records each call and answers plausible ids).
 */

export interface CreateCallbackRequest {
  /** Genesys queue id. */
  queueId: string;
  /** E.164 numbers to call, first one first. */
  callbackNumbers: string[];
  callbackUserName?: string | undefined;
  /** Absent: as soon as possible. */
  callbackScheduledTime?: Date | undefined;
  priority?: number | undefined;
  scriptId?: string | undefined;
  /**
   * Participant attributes; our callback id (and its attempt) travel here because the API has no
   * idempotency key.
   */
  data: Record<string, string>;
  countryCode?: string | undefined;
  /** routingData.skillIds: Genesys routing skill ids. */
  skillIds?: string[] | undefined;
  /** routingData.languageId. */
  languageId?: string | undefined;
  /** routingData.preferredAgentIds: Genesys user ids. */
  preferredAgentIds?: string[] | undefined;
  /** routingData.label. */
  routingLabel?: string | undefined;
  /** An agent-owned callback's owner (a Genesys user id): routingData.scoredAgents and routingFlags. */
  ownerAgentId?: string | undefined;
  /** The number (and name) the customer sees when called back. */
  callerId?: string | undefined;
  callerIdName?: string | undefined;
}

/** A routing skill or language as Genesys names it. */
export interface RoutingEntity {
  id: string;
  name: string;
}

export interface CreatedCallback {
  conversationId: string;
  /** The callback participant's id, when Genesys returns it (callbackIdentifiers). */
  callbackId: string | null;
}

export interface ParticipantSnapshot {
  id: string;
  purpose: string;
  /** Participant state, e.g. connected, disconnected, alerting. */
  state: string;
  userId: string | null;
  queueId: string | null;
  /** States of the participant's callbacks (scheduled, connected, disconnected, ...). */
  callbackStates: string[];
  /** The routing priority Genesys holds for the conversation (conversationRoutingData.priority; on the ACD participant), if it says. */
  priority: number | null;
  /** The routing skills Genesys holds for the conversation (conversationRoutingData.skills), if it says. */
  skillIds?: string[];
  /** Its routing language (conversationRoutingData.language), if it says. */
  languageId?: string;
}

export interface ConversationSnapshot {
  id: string;
  participants: ParticipantSnapshot[];
}

/**
 * A conversation as Genesys analytics reports it (conversation details: participants → sessions →
 * segments), reduced to what the reconciler reads. Times are the segment's; `end: null` is still open.
 */
export interface ConversationDetailsSegment {
  /** scheduled, interact, alert, hold, wrapup, dialing, contacting, ... */
  segmentType: string;
  start: Date;
  end: Date | null;
  queueId: string | null;
  wrapUpCode: string | null;
  /** client, endpoint, system, peer, transfer, ... (on the segment that ended with a disconnect). */
  disconnectType: string | null;
}

export interface ConversationDetailsSession {
  mediaType: string;
  segments: ConversationDetailsSegment[];
  /** Session metrics (tAlert, tAnswered, tTalk, tAbandon, ...): name and value (ms for t-metrics). */
  metrics?: { name: string; value: number }[];
}

export interface ConversationDetailsParticipant {
  /** customer, external, acd, agent, user, ivr, ... */
  purpose: string;
  userId: string | null;
  /** The queue of its segments (ACD participants), when one names it. */
  queueId?: string | null;
  sessions: ConversationDetailsSession[];
}

export interface ConversationDetails {
  conversationId: string;
  start: Date;
  /** Set once the conversation has ended. */
  end: Date | null;
  participants: ConversationDetailsParticipant[];
}

export interface ContactInput {
  /** Keep the same id to upsert (re-submit) an existing contact. */
  id?: string | undefined;
  data: Record<string, string>;
  callable?: boolean | undefined;
}

export interface ContactSnapshot {
  id: string;
  contactListId: string;
  data: Record<string, string>;
  callable: boolean;
  /** column → last attempt/result, e.g. { Phone: { lastAttempt, lastResult: 'ININ-OUTBOUND-PREVIEW-SKIPPED' } } */
  callRecords: Record<string, { lastAttempt: string | null; lastResult: string | null }>;
}

export interface AddContactsOptions {
  priority?: boolean | undefined;
  clearSystemData?: boolean | undefined;
  doNotQueue?: boolean | undefined;
}

/**
 * Ids per conversation-details request. Neither the Platform API reference nor the SDK
 * (`getAnalyticsConversationsDetails`: "Comma-separated conversation ids") states the most GET
 * /api/v2/analytics/conversations/details takes; 100 is a conservative choice (the analytics
 * queries cap pages at 100, and 100 ids keep the URL under 4 KB).
 */
export const CONVERSATION_DETAILS_BATCH = 100;

/**
 * Contact ids per bulk read (POST /api/v2/outbound/contactlists/{id}/contacts/bulk). Neither the
 * API reference nor the SDK (`postOutboundContactlistContactsBulk`: "ContactIds to get") states a
 * maximum; 50 keeps each answer small and, at 10,000 queued campaign callbacks, a full pass is 200
 * requests.
 */
export const CONTACTS_PER_READ = 50;

/**
 * An SMS sent without an agent. `referenceId` is the caller's idempotency key: the Genesys request
 * (SendAgentlessOutboundMessageRequest) has no field for one, so it is not sent; the simulated
 * gateway records it.
 */
export interface AgentlessMessage {
  fromAddress: string;
  toAddress: string;
  textBody: string;
  referenceId?: string;
}

export interface SentMessage {
  /** The message id Genesys answered ('' when none). */
  messageId: string;
  conversationId: string;
}

export interface GenesysGateway {
  readonly kind: 'sdk' | 'simulated';
  createCallback(req: CreateCallbackRequest): Promise<CreatedCallback>;
  rescheduleCallback(conversationId: string, scheduledTime: Date): Promise<void>;
  cancelCallback(conversationId: string): Promise<void>;
  /** null when the conversation does not exist (404). */
  getConversation(conversationId: string): Promise<ConversationSnapshot | null>;
  setConversationPriority(conversationId: string, priority: number): Promise<void>;
  /** An agent-owned callback loses its owner (requestScoredAgents emptied) and routes to its queue. */
  releaseCallbackOwner(conversationId: string): Promise<void>;
  /** The routing skill of this name (case-insensitive exact match); null when Genesys has none. */
  findSkill(name: string): Promise<RoutingEntity | null>;
  /** The routing language of this name (case-insensitive exact match); null when Genesys has none. */
  findLanguage(name: string): Promise<RoutingEntity | null>;
  addContacts(contactListId: string, contacts: ContactInput[], opts?: AddContactsOptions): Promise<void>;
  /** null when the contact does not exist (404). */
  getContact(contactListId: string, contactId: string): Promise<ContactSnapshot | null>;
  /**
   * Several contacts of one list in one request (at most CONTACTS_PER_READ ids); a contact the list
   * no longer has is absent from the answer.
   */
  getContacts(contactListId: string, contactIds: string[]): Promise<ContactSnapshot[]>;
  /** Removes a contact from its list so the dialer never calls it; one already gone (404) is fine. */
  deleteContact(contactListId: string, contactId: string): Promise<void>;
  /**
   * The callback conversation we created earlier with `data.callbackEngineId = engineId` (and, for
   * a retried callback, `data.callbackEngineAttempt = attempt`; none counts as attempt 1), if Genesys
   * has it — asked before re-sending a delivery whose outcome is unknown (the process died mid-call).
   * `since`: when that attempt began (no earlier conversation can be it).
   */
  findCallback(queueId: string, engineId: string, since: Date, attempt?: number): Promise<CreatedCallback | null>;
  /**
   * Analytics details of these conversations, in one request (at most CONVERSATION_DETAILS_BATCH
   * ids). A conversation Genesys does not know is absent from the answer.
   */
  conversationDetails(conversationIds: string[]): Promise<ConversationDetails[]>;
  /** Estimated wait in seconds; null when Genesys cannot tell. */
  estimatedWaitTime(queueId: string, mediaType: 'callback' | 'call'): Promise<number | null>;
  /** Estimated wait in seconds of one conversation waiting in the queue; null when Genesys cannot tell. */
  conversationWaitTime(queueId: string, conversationId: string): Promise<number | null>;
  /** Sends one SMS from the org's number or short code (agentless outbound messaging). */
  sendAgentlessMessage(msg: AgentlessMessage): Promise<SentMessage>;
  /**
   * Proves the credential works: resolves once a token is held (the current one, or a login), rejects
   * with the login's GenesysError. Only the `sdk` gateway has one (for /readyz).
   */
  checkAccess?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * One shape for every failure, whatever the SDK threw. Never carries credentials or tokens.
 * `retryable`: 429, 502, 503, 504, timeouts and network errors; `retryAfterSeconds` from Retry-After.
 */
export class GenesysError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly retryable: boolean,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'GenesysError';
  }
}
