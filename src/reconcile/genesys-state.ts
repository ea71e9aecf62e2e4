import { canTransition } from '../callbacks/lifecycle.js';
import type { ConversationDetails, ConversationDetailsSegment } from '../genesys/gateway.js';
import type { CallbackState, CompletionReason } from '../vocabulary.js';

/**
 * Where a callback stands, as Genesys analytics shows its conversation: one pure decision, so the
 * reconciler and its tests read Genesys the same way.
 */
export interface GenesysView {
  state: CallbackState;
  /** Set exactly when `state` is COMPLETED. */
  reason?: CompletionReason;
  /** The wrap-up code the (last) connected agent gave, when the conversation was handled. */
  wrapUpCode: string | null;
  /** What Genesys showed, for the history: the facts the decision was made from. */
  shown: string;
  /** QUEUED only: an agent was alerted and the alert ended unanswered (the callback went back to queue). */
  alertEnded?: boolean;
}

/** An agent segment in which the agent is on the callback: it was answered (accepted), not just offered. */
const CONNECTED_SEGMENTS = new Set(['interact', 'dialing', 'contacting', 'hold', 'wrapup']);
/** Metrics only a connected agent session carries. */
const CONNECTED_METRICS = new Set(['tAnswered', 'tTalk', 'tTalkComplete', 'tHandle', 'tContacting', 'tDialing']);
/** Disconnects the customer side made (hung up, cancelled): not Genesys's own ending. */
const CUSTOMER_DISCONNECTS = new Set(['client', 'endpoint', 'peer']);
/** The customer side of a callback conversation. */
const CUSTOMER_PURPOSES = new Set(['customer', 'external']);
const AGENT_PURPOSES = new Set(['agent', 'user']);

const segmentsOf = (p: ConversationDetails['participants'][number]) => p.sessions.flatMap((s) => s.segments);
const open = (g: ConversationDetailsSegment) => g.end === null;

/** The state Genesys shows, or null when the details say nothing we can act on. */
export function genesysView(details: ConversationDetails): GenesysView | null {
  const agents = details.participants.filter((p) => AGENT_PURPOSES.has(p.purpose) && p.userId !== null);
  const acd = details.participants.filter((p) => p.purpose === 'acd');
  const customers = details.participants.filter((p) => CUSTOMER_PURPOSES.has(p.purpose));

  const connectedAgents = agents.filter(
    (a) => segmentsOf(a).some((g) => CONNECTED_SEGMENTS.has(g.segmentType)) || a.sessions.some((s) => (s.metrics ?? []).some((m) => CONNECTED_METRICS.has(m.name) && m.value > 0)),
  );
  const wrapUpCode = connectedAgents.flatMap(segmentsOf).filter((g) => g.wrapUpCode !== null).sort((a, b) => a.start.getTime() - b.start.getTime()).at(-1)?.wrapUpCode ?? null;
  const reachedQueue = acd.some((p) => segmentsOf(p).length > 0);

  if (details.end !== null) {
    if (connectedAgents.length > 0) return { state: 'COMPLETED', reason: 'HANDLED', wrapUpCode, shown: `ended; agent ${connectedAgents.at(-1)!.userId} was connected` };
    // Who ended it: the disconnect types of its last segments (the customer's side first).
    const disconnects = [...customers, ...acd, ...agents]
      .flatMap(segmentsOf)
      .filter((g) => g.disconnectType !== null)
      .sort((a, b) => (b.end ?? b.start).getTime() - (a.end ?? a.start).getTime())
      .map((g) => g.disconnectType!.toLowerCase());
    const abandonMetric = acd.some((p) => p.sessions.some((s) => (s.metrics ?? []).some((m) => m.name === 'tAbandon' && m.value > 0)));
    const byCustomer = abandonMetric || (disconnects[0] !== undefined && CUSTOMER_DISCONNECTS.has(disconnects[0]));
    const how = disconnects[0] ?? 'unknown';
    if (byCustomer && reachedQueue) return { state: 'COMPLETED', reason: 'ABANDONED', wrapUpCode: null, shown: `ended in queue with no agent connected (disconnect ${how})` };
    if (byCustomer) return { state: 'COMPLETED', reason: 'CANCELLED_BY_CUSTOMER', wrapUpCode: null, shown: `ended before it was routed (disconnect ${how})` };
    return { state: 'COMPLETED', reason: 'EXPIRED', wrapUpCode: null, shown: `Genesys ended it with no agent connected (disconnect ${how})` };
  }

  const onIt = connectedAgents.find((a) => segmentsOf(a).some(open));
  if (onIt) return { state: 'PROCESSING', wrapUpCode: null, shown: `agent ${onIt.userId} connected` };
  const alerting = agents.find((a) => segmentsOf(a).some((g) => open(g) && g.segmentType === 'alert'));
  if (alerting) return { state: 'ROUTING', wrapUpCode: null, shown: `agent ${alerting.userId} alerting` };
  if (acd.some((p) => segmentsOf(p).some(open))) {
    const alertEnded = agents.some((a) => !connectedAgents.includes(a) && segmentsOf(a).some((g) => g.segmentType === 'alert' && !open(g)));
    return { state: 'QUEUED', wrapUpCode: null, shown: alertEnded ? 'waiting in queue again, an alerted agent did not answer' : 'waiting in queue, no agent', alertEnded };
  }
  if (customers.some((p) => segmentsOf(p).some((g) => open(g) && g.segmentType === 'scheduled'))) return { state: 'SCHEDULED', wrapUpCode: null, shown: 'callback scheduled' };
  return null;
}

/**
 * Whether the reconciler applies what Genesys shows over the stored state: only a state ahead of it
 * (events are the fast path and may already be further), except ROUTING → QUEUED when Genesys shows
 * an alert that ended unanswered (`alertEnded`): the callback waits in queue again — a fact no later
 * event corrects, which the queue's waiting count and purge depend on. Details that show no ended
 * alert are older than the user.start that moved the callback to ROUTING (analytics lags events),
 * so they do not take it back.
 */
export function reconcilerMayApply(stored: CallbackState, shown: CallbackState, alertEnded = false): boolean {
  // The state machine's moves (callbacks/lifecycle.ts) are the forward ones, and ROUTING → QUEUED.
  if (stored === 'ROUTING' && shown === 'QUEUED') return alertEnded;
  return canTransition(stored, shown);
}
