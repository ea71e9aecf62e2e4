import { errors } from '../errors.js';
import { assertStorable } from '../http/input-guard.js';
import { checkTimeRange } from '../time.js';

/**
 * A forwarded event arrives either as its top-level fields (trigger data format TopLevelPrimitives,
 * which drops arrays such as callbackNumbers) or whole as `jsonData` text (data format Json).
 */

export const MAX_JSON_DATA = 65_536;

export interface EventEnvelope {
  conversationId: string;
  participantId: string | null;
  sessionId: string | null;
  eventTime: Date;
  fields: Record<string, unknown>;
}

function text(fields: Record<string, unknown>, name: string): string | null {
  const v = fields[name];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw errors.validation(name, `${name} must be a string`);
  if (v.length > 200) throw errors.validation(name, `${name} is longer than 200 characters`);
  return v;
}

function time(value: unknown, name = 'eventTime'): Date {
  let d: Date | undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) d = new Date(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    d = Number.isFinite(n) && /^\d+$/.test(value.trim()) ? new Date(n) : new Date(value);
  }
  if (d === undefined || Number.isNaN(d.getTime())) throw errors.validation(name, `${name} must be epoch milliseconds or an ISO-8601 time`);
  return checkTimeRange(d, name);
}

export function parseEvent(body: Record<string, unknown>, opts: { requireEventTime?: boolean } = {}): EventEnvelope {
  let fields = body;
  if (typeof body.jsonData === 'string') {
    if (body.jsonData.length > MAX_JSON_DATA) throw errors.validation('jsonData', `jsonData is longer than ${MAX_JSON_DATA} characters`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.jsonData);
    } catch {
      throw errors.validation('jsonData', 'jsonData must be the event as JSON text');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw errors.validation('jsonData', 'jsonData must be a JSON object');
    assertStorable(parsed, 'jsonData');
    // Top-level fields sent beside jsonData fill what the JSON lacks.
    const { jsonData: _ignored, ...rest } = body;
    fields = { ...rest, ...(parsed as Record<string, unknown>) };
  } else if (body.jsonData !== undefined) {
    throw errors.validation('jsonData', 'jsonData must be a string of JSON');
  }
  const conversationId = text(fields, 'conversationId');
  if (!conversationId) throw errors.validation('conversationId', 'conversationId is required');
  const eventTime = fields.eventTime === undefined && !opts.requireEventTime ? new Date(0) : time(fields.eventTime);
  // The topics send it as epoch milliseconds (0 or absent: not scheduled); a workflow may have formatted it as ISO text.
  const scheduled = fields.callbackScheduledTime;
  if (scheduled !== undefined && scheduled !== null && scheduled !== '' && scheduled !== 0) time(scheduled, 'callbackScheduledTime');
  return { conversationId, participantId: text(fields, 'participantId'), sessionId: text(fields, 'sessionId'), eventTime, fields };
}

export function field(env: EventEnvelope, name: string): string | null {
  const v = env.fields[name];
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}

/** callbackNumbers (array, Json format) or callbackNumber (string, TopLevelPrimitives). */
export function callbackNumbers(env: EventEnvelope): string[] {
  const list = env.fields.callbackNumbers;
  const out: string[] = [];
  if (Array.isArray(list)) for (const n of list) if (typeof n === 'string') out.push(n);
  if (typeof list === 'string') out.push(list);
  const one = env.fields.callbackNumber;
  if (typeof one === 'string') out.push(one);
  return out;
}

/** topic + conversation + participant/session + event time: the same event forwarded twice has the same key. */
export function dedupeKey(topic: string, env: EventEnvelope, extra = ''): string {
  return [topic, env.conversationId, env.participantId ?? env.sessionId ?? '', env.eventTime.getTime(), extra].join('|');
}
