import { sql, type Kysely } from 'kysely';
import { isRestricted } from '../auth/access.js';
import type { Context } from '../context.js';
import type { DB } from '../db/types.js';
import { errors } from '../errors.js';
import { allowedQueueIds } from '../queues/resolve.js';
import { isoUtc, isoUtcOrNull, parseTimeFilter } from '../time.js';
import type { CallInRequestState } from '../vocabulary.js';
import { getCallInGroup } from './groups.js';
import { CALL_IN_REACHABLE, type CallInRequestQuery } from './group-schemas.js';

/**
 * The Call-In tab (`GET /admin/v1/call-in/requests`): the call-in requests an operator may see
 * (those of groups of its queues; of groups without a queue only when unrestricted), filtered by
 * creation time, group and state. The list holds the 5,000 newest records the filter matches, in
 * pages of up to 500, sorted by creation time either way. A pending request past its expiry reads
 * as EXPIRED, whether or not anything has marked it yet.
 */

interface Filter {
  from?: Date;
  to?: Date;
  groupId?: string;
  state?: CallInRequestState;
  /** null: every group's requests (an unrestricted caller). */
  allowedQueueIds: string[] | null;
  now: Date;
}

function filtered(db: Kysely<DB>, f: Filter) {
  let q = db.selectFrom('call_in_requests as r').innerJoin('call_in_groups as g', 'g.id', 'r.group_id');
  if (f.allowedQueueIds !== null) {
    const ids = f.allowedQueueIds;
    q = ids.length === 0 ? q.where(sql<boolean>`false`) : q.where('g.queue_id', 'in', ids);
  }
  if (f.from) q = q.where('r.created_at', '>=', f.from);
  if (f.to) q = q.where('r.created_at', '<', f.to);
  if (f.groupId) q = q.where('r.group_id', '=', f.groupId);
  if (f.state === 'PENDING') q = q.where('r.state', '=', 'PENDING').where('r.expires_at', '>', f.now);
  else if (f.state === 'EXPIRED') q = q.where((eb) => eb.or([eb('r.state', '=', 'EXPIRED'), eb.and([eb('r.state', '=', 'PENDING'), eb('r.expires_at', '<=', f.now)])]));
  else if (f.state) q = q.where('r.state', '=', f.state);
  return q;
}

const COLUMNS = [
  'r.id',
  'r.group_id',
  'g.name as group_name',
  'r.callback_id',
  'r.queue_id',
  'r.from_phone_e164',
  'r.to_number',
  'r.exclusive',
  'r.state',
  'r.wrong_codes',
  'r.priority',
  'r.user_data',
  'r.expires_at',
  'r.matched_at',
  'r.created_by',
  'r.created_at',
] as const;

export async function listCallInRequests(ctx: Context, query: CallInRequestQuery) {
  const from = query.from === undefined ? undefined : parseTimeFilter(query.from, 'from');
  const to = query.to === undefined ? undefined : parseTimeFilter(query.to, 'to');
  if (from && to && to <= from) throw errors.validation('to', 'to must be after from');
  // An unknown group, or one outside the allow-list, is a 404 / 403 rather than an empty list.
  if (query.groupId !== undefined) await getCallInGroup(ctx, query.groupId);
  const now = ctx.clock.now();
  const f: Filter = {
    ...(from && { from }),
    ...(to && { to }),
    ...(query.groupId !== undefined && { groupId: query.groupId }),
    ...(query.state !== undefined && { state: query.state }),
    allowedQueueIds: isRestricted(ctx.caller) ? ((await allowedQueueIds(ctx)) ?? []) : null,
    now,
  };
  // The window: the newest records the filter matches, one past the limit to tell whether there are more.
  const window = filtered(ctx.db, f)
    .select(COLUMNS)
    .select(sql<boolean>`r.access_code_hash is not null`.as('has_code'))
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(CALL_IN_REACHABLE + 1);
  const counted = await ctx.db
    .selectFrom(filtered(ctx.db, f).select('r.id').limit(CALL_IN_REACHABLE + 1).as('w'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const matched = Number(counted.n);
  const total = Math.min(matched, CALL_IN_REACHABLE);
  const end = Math.min(query.offset + query.limit, total);
  const rows =
    query.offset >= total
      ? []
      : query.sort === 'desc'
        ? await window.offset(query.offset).limit(end - query.offset).execute()
        : await ctx.db
            .selectFrom(window.limit(CALL_IN_REACHABLE).as('w'))
            .selectAll()
            .orderBy('w.created_at', 'asc')
            .orderBy('w.id', 'asc')
            .offset(query.offset)
            .limit(end - query.offset)
            .execute();
  return {
    items: rows.map((r) => ({
      id: r.id,
      groupId: r.group_id,
      groupName: r.group_name,
      callbackId: r.callback_id,
      queueId: r.queue_id,
      fromPhoneNumber: r.from_phone_e164,
      toPhoneNumber: r.to_number,
      hasAccessCode: r.has_code,
      uniqueDnis: r.exclusive,
      state: r.state === 'PENDING' && new Date(r.expires_at) <= now ? ('EXPIRED' as const) : r.state,
      wrongCodes: r.wrong_codes,
      priority: r.priority,
      userData: r.user_data,
      expiresAt: isoUtc(new Date(r.expires_at)),
      matchedAt: isoUtcOrNull(r.matched_at),
      createdBy: r.created_by,
      createdAt: isoUtc(r.created_at),
    })),
    offset: query.offset,
    total,
    truncated: matched > CALL_IN_REACHABLE,
    nextOffset: end < total ? end : null,
  };
}
