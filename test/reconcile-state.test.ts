import type platformClient from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { toConversationDetails } from '../src/genesys/sdk-mapping.js';
import { genesysView, reconcilerMayApply } from '../src/reconcile/genesys-state.js';
import { CALLBACK_STATES } from '../src/vocabulary.js';

/**
 * The reconciler's one decision — what state a conversation's analytics details show — on payloads
 * typed as the SDK's AnalyticsConversationWithoutAttributes, mapped as the gateway maps them.
 */

type Seg = platformClient.Models.AnalyticsConversationSegment;
const T0 = Date.parse('2030-03-04T15:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const seg = (segmentType: string, from: number, to?: number, extra: Partial<Seg> = {}): Seg => ({ segmentType, segmentStart: at(from), ...(to !== undefined && { segmentEnd: at(to) }), ...extra });
const participant = (purpose: string, segments: Seg[], extra: { userId?: string; metrics?: { name: string; value: number }[] } = {}): platformClient.Models.AnalyticsParticipantWithoutAttributes => ({
  participantId: `${purpose}-${extra.userId ?? 'x'}`,
  purpose,
  ...(extra.userId && { userId: extra.userId }),
  sessions: [{ mediaType: 'callback', segments, ...(extra.metrics && { metrics: extra.metrics.map((m) => ({ ...m, emitDate: at(0) })) }) }],
});
function view(participants: platformClient.Models.AnalyticsParticipantWithoutAttributes[], end?: number) {
  const details = toConversationDetails({ conversationId: 'c-1', conversationStart: at(0), ...(end !== undefined && { conversationEnd: at(end) }), participants });
  expect(details).not.toBeNull();
  return genesysView(details!);
}
const short = (v: ReturnType<typeof genesysView>) => (v ? (v.reason ? `${v.state}/${v.reason}` : v.state) : null);

describe('genesysView: the state Genesys shows', () => {
  it.each([
    ['a callback scheduled on the customer side', [participant('customer', [seg('scheduled', 0)])], undefined, 'SCHEDULED'],
    ['in queue, no agent', [participant('customer', [seg('scheduled', 0, 10)]), participant('acd', [seg('interact', 10)])], undefined, 'QUEUED'],
    ['an agent alerting', [participant('acd', [seg('interact', 10)]), participant('agent', [seg('alert', 20)], { userId: 'a' })], undefined, 'ROUTING'],
    ['an agent who did not answer, in queue again', [participant('acd', [seg('interact', 10)]), participant('agent', [seg('alert', 20, 28, { disconnectType: 'transfer.noanswer' })], { userId: 'a', metrics: [{ name: 'tNotResponding', value: 8000 }] })], undefined, 'QUEUED'],
    ['an agent connected', [participant('acd', [seg('interact', 10, 30, { disconnectType: 'transfer' })]), participant('agent', [seg('alert', 20, 30), seg('interact', 30)], { userId: 'a' })], undefined, 'PROCESSING'],
    ['an agent dialing the customer (accepted)', [participant('agent', [seg('alert', 20, 30), seg('dialing', 30)], { userId: 'a' })], undefined, 'PROCESSING'],
    ['ended after an agent was connected', [participant('agent', [seg('alert', 20, 30), seg('interact', 30, 90, { disconnectType: 'endpoint' }), seg('wrapup', 90, 95, { wrapUpCode: 'wu-9' })], { userId: 'a', metrics: [{ name: 'tTalk', value: 60000 }] })], 100, 'COMPLETED/HANDLED'],
    ['ended while queued, the customer hung up', [participant('customer', [seg('interact', 0, 50, { disconnectType: 'client' })]), participant('acd', [seg('interact', 10, 50, { disconnectType: 'peer' })], { metrics: [{ name: 'tAbandon', value: 40000 }] })], 50, 'COMPLETED/ABANDONED'],
    ['ended while an agent was only alerted, by the customer', [participant('customer', [seg('interact', 0, 50, { disconnectType: 'client' })]), participant('acd', [seg('interact', 10, 50)]), participant('agent', [seg('alert', 40, 50, { disconnectType: 'peer' })], { userId: 'a' })], 50, 'COMPLETED/ABANDONED'],
    ['ended by Genesys with no agent (auto-end)', [participant('customer', [seg('scheduled', 0, 9000, { disconnectType: 'system' })]), participant('acd', [seg('interact', 10, 9000, { disconnectType: 'system' })])], 9000, 'COMPLETED/EXPIRED'],
    ['ended by Genesys while still scheduled', [participant('customer', [seg('scheduled', 0, 9000, { disconnectType: 'system' })])], 9000, 'COMPLETED/EXPIRED'],
    ['disconnected by the customer before it was routed', [participant('customer', [seg('scheduled', 0, 60, { disconnectType: 'client' })])], 60, 'COMPLETED/CANCELLED_BY_CUSTOMER'],
  ] as const)('%s → %s', (_what, participants, end, expected) => {
    expect(short(view([...participants], end))).toBe(expected);
  });

  it('keeps the connected agent’s wrap-up code (the last one given)', () => {
    const v = view([participant('agent', [seg('interact', 30, 90), seg('wrapup', 90, 95, { wrapUpCode: 'first' })], { userId: 'a' }), participant('agent', [seg('interact', 100, 150), seg('wrapup', 150, 160, { wrapUpCode: 'last' })], { userId: 'b' })], 160);
    expect(v).toMatchObject({ state: 'COMPLETED', reason: 'HANDLED', wrapUpCode: 'last' });
  });

  it('an alert-only agent is not a handled callback, even when the conversation ended', () => {
    const v = view([participant('acd', [seg('interact', 10, 50, { disconnectType: 'system' })]), participant('agent', [seg('alert', 20, 28)], { userId: 'a', metrics: [{ name: 'tAlert', value: 8000 }] })], 50);
    expect(short(v)).toBe('COMPLETED/EXPIRED');
  });

  it('says nothing when the details show nothing it can act on', () => {
    expect(view([participant('customer', [])])).toBeNull();
  });

  it('the mapping drops what it cannot read (no id, no start, a segment without a start)', () => {
    expect(toConversationDetails({ conversationStart: at(0) })).toBeNull();
    expect(toConversationDetails({ conversationId: 'c' })).toBeNull();
    const d = toConversationDetails({ conversationId: 'c', conversationStart: at(0), participants: [{ purpose: 'acd', sessions: [{ mediaType: 'callback', segments: [{ segmentType: 'interact' }, seg('interact', 5, undefined, { queueId: 'q-1' })] }] }] });
    expect(d!.participants[0]).toMatchObject({ purpose: 'acd', userId: null, queueId: 'q-1', sessions: [{ segments: [{ segmentType: 'interact', end: null, queueId: 'q-1' }] }] });
  });
});

describe('reconcilerMayApply: never behind the stored state', () => {
  it('without an ended alert, ROUTING stays: details older than the user.start that routed it do not take it back', () => {
    expect(reconcilerMayApply('ROUTING', 'QUEUED')).toBe(false);
    expect(reconcilerMayApply('ROUTING', 'QUEUED', false)).toBe(false);
    const waiting = view([participant('acd', [seg('interact', 10)])]);
    const again = view([participant('acd', [seg('interact', 10)]), participant('agent', [seg('alert', 20, 28, { disconnectType: 'transfer.noanswer' })], { userId: 'a' })]);
    expect([waiting?.state, waiting?.alertEnded, again?.state, again?.alertEnded]).toEqual(['QUEUED', false, 'QUEUED', true]);
  });

  it('applies only states ahead of the stored one, and ROUTING → QUEUED (an agent who did not answer)', () => {
    const allowed: string[] = [];
    for (const from of CALLBACK_STATES) for (const to of CALLBACK_STATES) if (reconcilerMayApply(from, to, true)) allowed.push(`${from}→${to}`);
    expect(allowed).toEqual([
      'SCHEDULED→QUEUED',
      'SCHEDULED→ROUTING',
      'SCHEDULED→PROCESSING',
      'SCHEDULED→COMPLETED',
      'QUEUED→ROUTING',
      'QUEUED→PROCESSING',
      'QUEUED→COMPLETED',
      'ROUTING→QUEUED',
      'ROUTING→PROCESSING',
      'ROUTING→COMPLETED',
      'PROCESSING→COMPLETED',
    ]);
  });
});
