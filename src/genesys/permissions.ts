/**
 * The Platform API permissions the `sdk` gateway needs, one per SDK call it makes (sdk-gateway.ts).
 * One entry per call: a permission two calls need is listed twice (the role grants it once).
 * The generated Terraform role grants exactly these, and the README lists them; a test reads
 * sdk-gateway.ts and fails when it calls an SDK method that is not here (or this lists one it no
 * longer calls). Permissions as the Platform API documents them per operation (the generated
 * `gc` CLI prints the same list under "Permissions:" for each operation).
 * The login (client credentials) needs no permission.
 */
export interface GatewayPermission {
  /** `domain:entity:action`, e.g. `conversation:callback:create`. */
  permission: string;
  /** The SDK API class and method the gateway calls. */
  sdk: { api: 'ConversationsApi' | 'RoutingApi' | 'OutboundApi'; method: string };
  /** The Platform API operation behind that method. */
  operation: string;
  /** The gateway methods (GenesysGateway) that make this call. */
  usedBy: string[];
  /** Why the engine needs it, for the README. */
  why: string;
}

export const GATEWAY_PERMISSIONS: readonly GatewayPermission[] = [
  {
    permission: 'conversation:callback:create',
    sdk: { api: 'ConversationsApi', method: 'postConversationsCallbacks' },
    operation: 'POST /api/v2/conversations/callbacks',
    usedBy: ['createCallback'],
    why: 'create the callbacks it books (immediate and scheduled)',
  },
  {
    permission: 'conversation:callback:edit',
    sdk: { api: 'ConversationsApi', method: 'patchConversationsCallbacks' },
    operation: 'PATCH /api/v2/conversations/callbacks',
    usedBy: ['rescheduleCallback'],
    why: 'move a scheduled callback to its new time',
  },
  {
    permission: 'conversation:communication:disconnect',
    sdk: { api: 'ConversationsApi', method: 'patchConversationsCallback' },
    operation: 'PATCH /api/v2/conversations/callbacks/{conversationId}',
    usedBy: ['cancelCallback'],
    why: 'cancel a callback (disconnect it)',
  },
  {
    permission: 'conversation:communication:view',
    sdk: { api: 'ConversationsApi', method: 'getConversation' },
    operation: 'GET /api/v2/conversations/{conversationId}',
    usedBy: ['getConversation', 'findCallback'],
    why: 'read a callback’s state: is it still waiting (priority aging), who owns it, did our earlier create reach Genesys',
  },
  {
    permission: 'analytics:conversationDetail:view',
    sdk: { api: 'ConversationsApi', method: 'postAnalyticsConversationsDetailsQuery' },
    operation: 'POST /api/v2/analytics/conversations/details/query',
    usedBy: ['findCallback'],
    why: 'find the callback a delivery created before the process died mid-call, so it is not created twice',
  },
  {
    permission: 'analytics:conversationDetail:view',
    sdk: { api: 'ConversationsApi', method: 'getAnalyticsConversationsDetails' },
    operation: 'GET /api/v2/analytics/conversations/details',
    usedBy: ['conversationDetails'],
    why: 'read where each pending callback stands in Genesys, up to 100 per request (the reconciler)',
  },
  {
    permission: 'routing:conversation:edit',
    sdk: { api: 'RoutingApi', method: 'patchRoutingConversation' },
    operation: 'PATCH /api/v2/routing/conversations/{conversationId}',
    usedBy: ['setConversationPriority', 'releaseCallbackOwner'],
    why: 'raise a waiting callback’s routing priority (priority aging)',
  },
  {
    permission: 'routing:queue:view',
    sdk: { api: 'RoutingApi', method: 'getRoutingQueueMediatypeEstimatedwaittime' },
    operation: 'GET /api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/estimatedwaittime',
    usedBy: ['estimatedWaitTime'],
    why: 'the estimated wait time `queue-status` answers with',
  },
  {
    permission: 'routing:queue:view',
    sdk: { api: 'RoutingApi', method: 'getRoutingQueueEstimatedwaittime' },
    operation: 'GET /api/v2/routing/queues/{queueId}/estimatedwaittime',
    usedBy: ['conversationWaitTime'],
    why: 'a waiting immediate callback’s own estimated wait, for CALLBACK_UPCOMING',
  },
  {
    permission: 'conversation:message:create',
    sdk: { api: 'ConversationsApi', method: 'postConversationsMessagesAgentless' },
    operation: 'POST /api/v2/conversations/messages/agentless',
    usedBy: ['sendAgentlessMessage'],
    why: 'text customers their notifications (agentless SMS from the queue’s sender number)',
  },
  {
    permission: 'outbound:contact:add',
    sdk: { api: 'OutboundApi', method: 'postOutboundContactlistContacts' },
    operation: 'POST /api/v2/outbound/contactlists/{contactListId}/contacts',
    usedBy: ['addContacts'],
    why: 'add campaign callbacks to the agentless campaign’s contact list, and re-submit preview contacts',
  },
  {
    permission: 'outbound:contact:view',
    sdk: { api: 'OutboundApi', method: 'getOutboundContactlistContact' },
    operation: 'GET /api/v2/outbound/contactlists/{contactListId}/contacts/{contactId}',
    usedBy: ['getContact'],
    why: 'read a preview contact’s last result (wrap-up) to pick its retry wait',
  },
  {
    permission: 'outbound:contact:view',
    sdk: { api: 'OutboundApi', method: 'postOutboundContactlistContactsBulk' },
    operation: 'POST /api/v2/outbound/contactlists/{contactListId}/contacts/bulk',
    usedBy: ['getContacts'],
    why: 'read queued campaign callbacks’ contacts back, 50 per request, to see whether the dialer has called them',
  },
  {
    permission: 'outbound:contact:delete',
    sdk: { api: 'OutboundApi', method: 'deleteOutboundContactlistContact' },
    operation: 'DELETE /api/v2/outbound/contactlists/{contactListId}/contacts/{contactId}',
    usedBy: ['deleteContact'],
    why: 'remove an expired or cancelled campaign callback’s contact from the list, so it is never dialed',
  },
];

/**
 * SDK calls the gateway makes that need no permission: the Platform API reference (and the SDK docs
 * of current versions) list none for these name searches; some older SDK docs named
 * `routing:skill:manage`, which the engine does not ask for. A role that lacks what an org enforces
 * shows as a 403 on the look-up: create then keeps the name and delivery resolves it.
 */
export const UNPERMISSIONED_CALLS: readonly Omit<GatewayPermission, 'permission'>[] = [
  {
    sdk: { api: 'RoutingApi', method: 'getRoutingSkills' },
    operation: 'GET /api/v2/routing/skills',
    usedBy: ['findSkill'],
    why: 'resolve the routing skill names a create names to ids',
  },
  {
    sdk: { api: 'RoutingApi', method: 'getRoutingLanguages' },
    operation: 'GET /api/v2/routing/languages',
    usedBy: ['findLanguage'],
    why: 'resolve the routing language name a create names to its id',
  },
];

/** The permissions as a role grants them: domain → entity → actions, sorted (stable output). */
export function permissionPolicies(): { domain: string; entityName: string; actions: string[] }[] {
  const byKey = new Map<string, { domain: string; entityName: string; actions: Set<string> }>();
  for (const { permission } of GATEWAY_PERMISSIONS) {
    const [domain, entityName, action] = permission.split(':') as [string, string, string];
    const key = `${domain}:${entityName}`;
    const entry = byKey.get(key) ?? { domain, entityName, actions: new Set<string>() };
    entry.actions.add(action);
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .map((p) => ({ domain: p.domain, entityName: p.entityName, actions: [...p.actions].sort() }))
    .sort((a, b) => `${a.domain}:${a.entityName}`.localeCompare(`${b.domain}:${b.entityName}`));
}
