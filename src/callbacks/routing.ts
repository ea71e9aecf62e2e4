import type { CallbackRow, QueueRow } from '../db/types.js';
import { errors } from '../errors.js';
import { ErrorCode } from '../genesys/errors.js';
import { GenesysError, type CreateCallbackRequest, type GenesysGateway, type RoutingEntity } from '../genesys/gateway.js';
import { UUID_RE } from '../ids.js';

/**
 * Routing on create: skills and a language (names or ids; names are resolved to Genesys ids through
 * the gateway, cached), preferred agents, an owner (agent-owned callbacks), caller id, script, label.
 * A data action's input is flat, so lists travel as comma-separated text.
 */

export const MAX_SKILLS = 20;
export const MAX_PREFERRED_AGENTS = 20;
/** Agent-owned callbacks: the ownership period (1 hour to 30 days) and the edit cut-off before the scheduled time. */
export const MIN_OWNERSHIP_HOURS = 1;
export const MAX_OWNERSHIP_HOURS = 720;
export const OWNED_EDIT_CUTOFF_MS = 15 * 60_000;

/** Genesys ids are UUIDs: a value shaped like one is taken as an id, anything else as a name. */
export const isGenesysId = (v: string) => UUID_RE.test(v);

/** "a, b,c" → ['a', 'b', 'c']; empty entries are a 400 naming the entry (`skills[1]`). */
export function parseList(value: string | undefined, field: string, max: number): string[] {
  if (value === undefined || value.trim() === '') return [];
  const items = value.split(',').map((s) => s.trim());
  if (items.length > max) throw errors.validation(field, `${field}: at most ${max} entries`);
  items.forEach((item, i) => {
    if (item === '') throw errors.validation(`${field}[${i}]`, `${field}[${i}] is empty`);
  });
  return items;
}

/** Names → ids, remembered for `ttlMs` (unknown names too, so a flow repeating a typo does not ask each time). */
export class RoutingNameCache {
  private readonly entries = new Map<string, { at: number; value: Promise<RoutingEntity | null> }>();
  constructor(
    private readonly ttlMs = 10 * 60_000,
    /** Names kept at most: the oldest go first (flows typing ever new names cannot grow it without bound). */
    private readonly maxEntries = 2_000,
  ) {}

  get(kind: 'skill' | 'language', name: string, now: number, ask: () => Promise<RoutingEntity | null>): Promise<RoutingEntity | null> {
    const key = `${kind}:${name.trim().toLowerCase()}`;
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = ask();
    this.entries.delete(key);
    this.entries.set(key, { at: now, value });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    // A failed look-up decides nothing: the next asker tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}

interface Resolver {
  gateway: GenesysGateway;
  caches: { routingNames: RoutingNameCache };
  clock: { now(): Date };
}

async function resolveOne(r: Resolver, kind: 'skill' | 'language', value: string): Promise<string | null> {
  if (isGenesysId(value)) return value;
  const found = await r.caches.routingNames.get(kind, value, r.clock.now().getTime(), () => (kind === 'skill' ? r.gateway.findSkill(value) : r.gateway.findLanguage(value)));
  return found?.id ?? null;
}

/**
 * At create: names resolved where Genesys answers. An unknown name is a 400 naming the entry; when
 * Genesys cannot be asked (down, no access), the name is kept and resolved at delivery.
 */
export async function resolveAtCreate(r: Resolver, skills: string[], language: string | undefined): Promise<{ skills: string[]; language: string | null }> {
  const attempt = async (kind: 'skill' | 'language', value: string, field: string): Promise<string> => {
    try {
      const id = await resolveOne(r, kind, value);
      if (id === null) throw errors.validation(field, `${field}: Genesys has no routing ${kind} named "${value}"`);
      return id;
    } catch (err) {
      if (err instanceof GenesysError) return value;
      throw err;
    }
  };
  return {
    skills: await Promise.all(skills.map((s, i) => attempt('skill', s, `skills[${i}]`))),
    language: language === undefined ? null : await attempt('language', language, 'language'),
  };
}

/**
 * At delivery: the names still unresolved. An unknown one is a refusal the delivery gives up on
 * (as Genesys refusing the create would be); a failing look-up is retried like the create.
 */
async function resolveAtDelivery(r: Resolver, cb: CallbackRow): Promise<{ skillIds: string[]; languageId: string | undefined }> {
  const must = async (kind: 'skill' | 'language', value: string) => {
    const id = await resolveOne(r, kind, value);
    if (id === null) throw new GenesysError(`Genesys has no routing ${kind} named "${value}"`, 400, ErrorCode.invalidArgument, false);
    return id;
  };
  return {
    skillIds: await Promise.all(cb.routing_skills.map((s) => must('skill', s))),
    languageId: cb.routing_language === null ? undefined : await must('language', cb.routing_language),
  };
}

/** The routing part of a callback's CreateCallbackRequest. */
export async function routingRequestOf(r: Resolver, cb: CallbackRow, queue: Pick<QueueRow, 'script_id'>): Promise<Partial<CreateCallbackRequest>> {
  const { skillIds, languageId } = await resolveAtDelivery(r, cb);
  const ownerActive = cb.owner_agent_id !== null && (cb.ownership_ends_at === null || cb.ownership_ends_at > r.clock.now());
  return {
    scriptId: cb.script_id ?? queue.script_id ?? undefined,
    ...(skillIds.length > 0 && { skillIds }),
    ...(languageId !== undefined && { languageId }),
    ...(cb.preferred_agent_ids.length > 0 && { preferredAgentIds: cb.preferred_agent_ids }),
    ...(cb.routing_label !== null && { routingLabel: cb.routing_label }),
    ...(ownerActive && { ownerAgentId: cb.owner_agent_id! }),
    ...(cb.caller_id !== null && { callerId: cb.caller_id }),
    ...(cb.caller_id_name !== null && { callerIdName: cb.caller_id_name }),
  };
}

/** An agent-owned callback within 15 minutes of its scheduled time: its owner is about to call, nothing may change it. */
export function ownedCutOff(cb: Pick<CallbackRow, 'owner_agent_id' | 'ownership_ends_at' | 'scheduled_time'>, now: Date): boolean {
  if (cb.owner_agent_id === null || !cb.scheduled_time) return false;
  if (cb.ownership_ends_at !== null && cb.ownership_ends_at <= now) return false;
  return cb.scheduled_time.getTime() - now.getTime() <= OWNED_EDIT_CUTOFF_MS;
}
