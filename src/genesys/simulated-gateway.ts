import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import type { AddContactsOptions, ContactInput, ContactSnapshot, ConversationSnapshot, CreateCallbackRequest, CreatedCallback, GenesysGateway } from './gateway.js';

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
    async findCallback(_queueId: string, engineId: string) {
      const row = await db
        .selectFrom('simulated_genesys_calls')
        .select('response')
        .where('operation', '=', 'createCallback')
        .where(sql<string>`request->'data'->>'callbackEngineId'`, '=', engineId)
        .executeTakeFirst();
      return (row?.response as CreatedCallback | undefined) ?? null;
    },
    async estimatedWaitTime(queueId: string, mediaType: 'callback' | 'call') {
      await record('estimatedWaitTime', { queueId, mediaType });
      return null;
    },
  };
}
