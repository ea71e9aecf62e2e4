/**
 * SDK models → the gateway's snapshots, and the analytics query that finds a callback we created.
 * Defensive throughout: every field of the SDK models is optional in practice.
 */
import type platformClient from 'purecloud-platform-client-v2';
import type { ContactSnapshot, ConversationDetails, ConversationDetailsSegment, CreateCallbackRequest, ParticipantSnapshot, RoutingEntity } from './gateway.js';

type SdkParticipant = platformClient.Models.Participant & { state?: string };

/** The participant-data key our callback id travels in (see CreateCallbackRequest.data). */
export const ENGINE_ID_KEY = 'callbackEngineId';
/** The participant-data key of the callback's attempt (1-based; absent on callbacks sent before attempts were counted: 1). */
export const ENGINE_ATTEMPT_KEY = 'callbackEngineAttempt';

export function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Conversation participants have no state of their own: it lives on their calls/callbacks. */
function participantState(p: SdkParticipant): string {
  if (p.state) return p.state;
  const states = [...(p.calls ?? []), ...(p.callbacks ?? [])]
    .map((c) => c.state)
    .filter((s): s is string => typeof s === 'string');
  const active = states.find((s) => s !== 'disconnected' && s !== 'terminated');
  return active ?? states.at(-1) ?? (p.endTime ? 'disconnected' : 'unknown');
}

export function toParticipant(p: SdkParticipant): ParticipantSnapshot {
  return {
    id: p.id ?? '',
    purpose: p.purpose ?? '',
    state: participantState(p),
    userId: str(p.userId),
    queueId: str(p.queueId) ?? str(p.conversationRoutingData?.queue?.id),
    callbackStates: (p.callbacks ?? []).map((c) => c.state).filter((s): s is string => typeof s === 'string'),
    priority: Number.isInteger(p.conversationRoutingData?.priority) ? p.conversationRoutingData!.priority! : null,
    ...(str(p.conversationRoutingData?.language?.id) ? { languageId: p.conversationRoutingData!.language!.id! } : {}),
    ...(p.conversationRoutingData?.skills?.length ? { skillIds: p.conversationRoutingData.skills.map((k) => str(k.id)).filter((id): id is string => id !== null) } : {}),
  };
}

export function toContact(c: platformClient.Models.DialerContact, contactListId: string): ContactSnapshot {
  const callRecords: ContactSnapshot['callRecords'] = {};
  for (const [column, r] of Object.entries(c.callRecords ?? {})) {
    callRecords[column] = { lastAttempt: str(r?.lastAttempt), lastResult: str(r?.lastResult) };
  }
  return {
    id: c.id ?? '',
    contactListId: c.contactListId ?? contactListId,
    data: Object.fromEntries(Object.entries(c.data ?? {}).map(([k, v]) => [k, v == null ? '' : String(v)])),
    callable: c.callable ?? true,
    callRecords,
  };
}

/**
 * Callback conversations on `queueId` started in [from, to] whose participant data has our id.
 * The details query does not return participant attributes, so callers confirm each hit with
 * GET /conversations/{id}; the property predicate only narrows the search.
 */
export function findCallbackQuery(queueId: string, engineId: string, from: Date, to: Date, attempt = 1): platformClient.Models.ConversationQuery {
  return {
    interval: `${from.toISOString()}/${to.toISOString()}`,
    order: 'desc',
    orderBy: 'conversationStart',
    paging: { pageSize: 25, pageNumber: 1 },
    segmentFilters: [
      {
        type: 'and',
        predicates: [
          { type: 'dimension', dimension: 'queueId', operator: 'matches', value: queueId },
          { type: 'dimension', dimension: 'mediaType', operator: 'matches', value: 'callback' },
        ],
      },
      {
        type: 'and',
        predicates: [{ type: 'property', propertyType: 'string', property: ENGINE_ID_KEY, operator: 'matches', value: engineId }],
      },
      // A later attempt carries its number; the first may predate the key, so it is confirmed by carrierOf only.
      ...(attempt > 1
        ? [{ type: 'and' as const, predicates: [{ type: 'property' as const, propertyType: 'string' as const, property: ENGINE_ATTEMPT_KEY, operator: 'matches' as const, value: String(attempt) }] }]
        : []),
    ],
  };
}

/**
 * CreateCallbackRequest → CreateCallbackCommand.routingData. An owner is the callback's one scored
 * agent, flagged as agent-owned (the flag's value is the one the API reference lists for RoutingData).
 */
export function routingDataOf(req: CreateCallbackRequest): platformClient.Models.RoutingData {
  return {
    queueId: req.queueId,
    ...(req.priority !== undefined ? { priority: req.priority } : {}),
    ...(req.skillIds?.length ? { skillIds: req.skillIds } : {}),
    ...(req.languageId !== undefined ? { languageId: req.languageId } : {}),
    ...(req.preferredAgentIds?.length ? { preferredAgentIds: req.preferredAgentIds } : {}),
    ...(req.routingLabel !== undefined ? { label: req.routingLabel } : {}),
    ...(req.ownerAgentId !== undefined ? { scoredAgents: [{ agent: { id: req.ownerAgentId }, score: OWNER_SCORE }], routingFlags: [AGENT_OWNED_FLAG] } : {}),
  };
}

/** The routing flag of an agent-owned callback. */
export const AGENT_OWNED_FLAG = 'AGENT_OWNED_CALLBACK';
/** An owner's score: the top of the 0–100 range scored agents take. */
export const OWNER_SCORE = 100;

/** The exact (case-insensitive) match among entities a name search returned. */
export function exactMatch(entities: { id?: string; name?: string }[] | undefined, name: string): RoutingEntity | null {
  const wanted = name.trim().toLowerCase();
  const hit = (entities ?? []).find((e) => str(e.id) && typeof e.name === 'string' && e.name.trim().toLowerCase() === wanted);
  return hit ? { id: hit.id!, name: hit.name! } : null;
}

/** The attempt a participant's data names (none: the first). */
const attemptOf = (p: platformClient.Models.Participant) => p.attributes?.[ENGINE_ATTEMPT_KEY] ?? '1';

/**
 * The participant carrying our id in its data (the customer side rather than the ACD one), for this
 * attempt: the conversation of an earlier attempt carries the same id and must not pass for it.
 */
export function carrierOf(participants: platformClient.Models.Participant[], engineId: string, attempt = 1): platformClient.Models.Participant | undefined {
  const carriers = participants.filter((p) => p.attributes?.[ENGINE_ID_KEY] === engineId && attemptOf(p) === String(attempt));
  return carriers.find((p) => p.purpose !== 'acd') ?? carriers[0];
}

function date(v: unknown): Date | null {
  if (typeof v !== 'string' || v === '') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** AnalyticsConversationWithoutAttributes → ConversationDetails (null without an id or a start). */
export function toConversationDetails(c: platformClient.Models.AnalyticsConversationWithoutAttributes): ConversationDetails | null {
  const conversationId = str(c.conversationId);
  const start = date(c.conversationStart);
  if (!conversationId || !start) return null;
  return {
    conversationId,
    start,
    end: date(c.conversationEnd),
    participants: (c.participants ?? []).map((p) => {
      const sessions = (p.sessions ?? []).map((s) => ({
        mediaType: s.mediaType ?? '',
        segments: (s.segments ?? []).flatMap((g): ConversationDetailsSegment[] => {
          const segStart = date(g.segmentStart);
          if (!segStart) return [];
          return [{ segmentType: g.segmentType ?? '', start: segStart, end: date(g.segmentEnd), queueId: str(g.queueId), wrapUpCode: str(g.wrapUpCode), disconnectType: str(g.disconnectType) }];
        }),
        metrics: (s.metrics ?? []).flatMap((m) => (str(m.name) && typeof m.value === 'number' ? [{ name: m.name!, value: m.value }] : [])),
      }));
      const queueId = sessions.flatMap((s) => s.segments).find((g) => g.queueId)?.queueId ?? null;
      return { purpose: p.purpose ?? '', userId: str(p.userId), queueId, sessions };
    }),
  };
}
