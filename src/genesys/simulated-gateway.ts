import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import type { AddContactsOptions, AgentlessMessage, SentMessage, ContactInput, ContactSnapshot, ConversationDetails, ConversationSnapshot, CreateCallbackRequest, CreatedCallback, GenesysGateway, RoutingEntity } from './gateway.js';

/** The routing skills and languages the simulated org has, so demo flows can name them. */
export const SIMULATED_SKILLS: readonly RoutingEntity[] = [
  { id: '5d9c7a2e-0b1f-4c4e-9a63-1f0d7e2b8a01', name: 'Billing' },
  { id: '5d9c7a2e-0b1f-4c4e-9a63-1f0d7e2b8a02', name: 'Technical Support' },
  { id: '5d9c7a2e-0b1f-4c4e-9a63-1f0d7e2b8a03', name: 'Sales' },
];
export const SIMULATED_LANGUAGES: readonly RoutingEntity[] = [
  { id: '7e3b1c4d-2a5f-4b6e-8c7d-9e0f1a2b3c01', name: 'English' },
  { id: '7e3b1c4d-2a5f-4b6e-8c7d-9e0f1a2b3c02', name: 'Spanish' },
  { id: '7e3b1c4d-2a5f-4b6e-8c7d-9e0f1a2b3c03', name: 'French' },
];
const named = (list: readonly RoutingEntity[], name: string) => list.find((e) => e.name.toLowerCase() === name.trim().toLowerCase()) ?? null;

/**
 * Stands in for Genesys Cloud when no credentials are configured (the embedded default): every call
 * is recorded in `simulated_genesys_calls` (operators read them at /admin/v1/genesys/simulated-calls)
 * and answered with plausible ids, so the whole product runs on a laptop.
 */
export function createSimulatedGateway(db: Kysely<DB>): GenesysGateway {
  const record = async (operation: string, request: unknown, response: unknown = null) => {
    await db
      .insertInto('simulated_genesys_calls')
      .values({ operation, request: JSON.stringify(request), response: response === null ? null : JSON.stringify(response) })
      .execute();
  };
  const created = async (conversationId: string) =>
    db
      .selectFrom('simulated_genesys_calls')
      .select('request')
      .where('operation', '=', 'createCallback')
      .where(sql<string>`response->>'conversationId'`, '=', conversationId)
      .executeTakeFirst();

  return {
    kind: 'simulated',
    async createCallback(req: CreateCallbackRequest): Promise<CreatedCallback> {
      const answer = { conversationId: randomUUID(), callbackId: randomUUID() };
      await record('createCallback', { ...req, callbackScheduledTime: req.callbackScheduledTime?.toISOString() }, answer);
      return answer;
    },
    async rescheduleCallback(conversationId: string, scheduledTime: Date) {
      // The body the sdk gateway sends: simulated callbacks are never agent-owned, so no agentId.
      await record('rescheduleCallback', { conversationId, callbackScheduledTime: scheduledTime.toISOString() });
    },
    async cancelCallback(conversationId: string) {
      await record('cancelCallback', { conversationId });
    },
    async getConversation(conversationId: string): Promise<ConversationSnapshot | null> {
      const callback = await created(conversationId);
      if (!callback) return null;
      // A simulated callback waits in queue: an ACD participant connected, no agent yet, at the
      // priority last set (or the one it was created with).
      const { queueId = null, priority: createdWith = null } = callback.request as { queueId?: string; priority?: number };
      const set = await db
        .selectFrom('simulated_genesys_calls')
        .select(sql<number>`(request->>'priority')::int`.as('priority'))
        .where('operation', '=', 'setConversationPriority')
        .where(sql<string>`request->>'conversationId'`, '=', conversationId)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      const priority = set?.priority ?? createdWith;
      return {
        id: conversationId,
        participants: [
          { id: `${conversationId}-customer`, purpose: 'customer', state: 'connected', userId: null, queueId: null, callbackStates: ['scheduled'], priority: null },
          { id: `${conversationId}-acd`, purpose: 'acd', state: 'connected', userId: null, queueId, callbackStates: [], priority },
        ],
      };
    },
    async setConversationPriority(conversationId: string, priority: number) {
      await record('setConversationPriority', { conversationId, priority });
    },
    async releaseCallbackOwner(conversationId: string) {
      await record('releaseCallbackOwner', { conversationId, requestScoredAgents: [] });
    },
    async findSkill(name: string) {
      const found = named(SIMULATED_SKILLS, name);
      await record('findSkill', { name }, found);
      return found;
    },
    async findLanguage(name: string) {
      const found = named(SIMULATED_LANGUAGES, name);
      await record('findLanguage', { name }, found);
      return found;
    },
    async addContacts(contactListId: string, contacts: ContactInput[], opts: AddContactsOptions = {}) {
      await record('addContacts', { contactListId, contacts, ...opts });
    },
    async getContact(contactListId: string, contactId: string): Promise<ContactSnapshot | null> {
      await record('getContact', { contactListId, contactId });
      return null;
    },
    async getContacts(contactListId: string, contactIds: string[]): Promise<ContactSnapshot[]> {
      // Nothing dials here: a contact never shows an attempt, so a simulated campaign callback expires.
      await record('getContacts', { contactListId, contactIds });
      return [];
    },
    async deleteContact(contactListId: string, contactId: string) {
      await record('deleteContact', { contactListId, contactId });
    },
    async findCallback(_queueId: string, engineId: string, _since: Date, attempt = 1) {
      const row = await db
        .selectFrom('simulated_genesys_calls')
        .select('response')
        .where('operation', '=', 'createCallback')
        .where(sql<string>`request->'data'->>'callbackEngineId'`, '=', engineId)
        .where(sql<string>`coalesce(request->'data'->>'callbackEngineAttempt', '1')`, '=', String(attempt))
        .executeTakeFirst();
      return (row?.response as CreatedCallback | undefined) ?? null;
    },
    /**
     * What the simulated Genesys knows of its callbacks: one it created is scheduled until its time,
     * then waits in queue with no agent (as getConversation says); one it cancelled has ended; any
     * other conversation is unknown (absent). Not recorded: the reconciler asks every interval.
     */
    async conversationDetails(conversationIds: string[]): Promise<ConversationDetails[]> {
      if (conversationIds.length === 0) return [];
      const rows = await db
        .selectFrom('simulated_genesys_calls')
        .select(['operation', 'at', 'request', sql<string>`coalesce(response->>'conversationId', request->>'conversationId')`.as('conversation_id')])
        .where((eb) =>
          eb.or([
            eb.and([eb('operation', '=', 'createCallback'), eb(sql<string>`response->>'conversationId'`, 'in', conversationIds)]),
            eb.and([eb('operation', '=', 'cancelCallback'), eb(sql<string>`request->>'conversationId'`, 'in', conversationIds)]),
          ]),
        )
        .orderBy('id')
        .execute();
      const now = new Date();
      const out: ConversationDetails[] = [];
      for (const created of rows.filter((r) => r.operation === 'createCallback')) {
        const id = created.conversation_id;
        const { queueId = null, callbackScheduledTime } = created.request as { queueId?: string; callbackScheduledTime?: string };
        const cancelled = rows.find((r) => r.operation === 'cancelCallback' && r.conversation_id === id)?.at ?? null;
        const scheduledAt = callbackScheduledTime ? new Date(callbackScheduledTime) : null;
        const queuedAt = scheduledAt && scheduledAt > created.at ? scheduledAt : created.at;
        const scheduledEnd = cancelled && cancelled < queuedAt ? cancelled : queuedAt > now ? null : queuedAt;
        const segment = (segmentType: string, start: Date, end: Date | null) => ({ segmentType, start, end, queueId, wrapUpCode: null, disconnectType: end && cancelled && end.getTime() === cancelled.getTime() ? 'client' : null });
        const participants: ConversationDetails['participants'] = [];
        if (scheduledAt) participants.push({ purpose: 'customer', userId: null, sessions: [{ mediaType: 'callback', segments: [segment('scheduled', created.at, scheduledEnd)] }] });
        if (queuedAt <= now && (!cancelled || cancelled > queuedAt)) {
          participants.push({ purpose: 'acd', userId: null, queueId, sessions: [{ mediaType: 'callback', segments: [segment('interact', queuedAt, cancelled)] }] });
        }
        out.push({ conversationId: id, start: created.at, end: cancelled, participants });
      }
      return out;
    },
    async sendAgentlessMessage(msg: AgentlessMessage): Promise<SentMessage> {
      const answer = { messageId: randomUUID(), conversationId: randomUUID() };
      await record('sendAgentlessMessage', { fromAddress: msg.fromAddress, toAddress: msg.toAddress, toAddressMessengerType: 'sms', textBody: msg.textBody, referenceId: msg.referenceId ?? null }, answer);
      return answer;
    },
    async estimatedWaitTime(queueId: string, mediaType: 'callback' | 'call') {
      await record('estimatedWaitTime', { queueId, mediaType });
      return null;
    },
    async conversationWaitTime(queueId: string, conversationId: string) {
      await record('conversationWaitTime', { queueId, conversationId });
      return null;
    },
  };
}
