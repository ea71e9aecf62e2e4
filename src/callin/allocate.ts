import { sql, type Transaction } from 'kysely';
import type { CallInGroupRow, DB } from '../db/types.js';
import { randomCode, type CodeHasher } from './codes.js';

/**
 * Handing out a call-in number and code: for a request from the app or a flow (requests.ts), and for
 * a delayed call-in's READY (delayed.ts).
 */

/** Codes drawn before a request gives up on a number whose live codes crowd its code space. */
const CODE_DRAWS = 20;

export type Allocation = { ok: true; requestId: string; dnis: string; code: string; expiresAt: Date } | { ok: false; message: string };

/**
 * Hands out a number of the group (and a code) as a new PENDING request, under the group's row lock:
 * the least busy number of the pool (unique DNIS: a free one), a code no live request holds on it.
 */
export async function allocate(
  trx: Transaction<DB>,
  codes: CodeHasher,
  group: CallInGroupRow,
  o: { phone: string; callback?: { id: string; queue_id: string; priority: number; user_data: Record<string, string> } | undefined; userData: Record<string, string>; expirySeconds: number; createdBy: string; now: Date },
): Promise<Allocation> {
  const { now } = o;
  await trx.selectFrom('call_in_groups').select('id').where('id', '=', group.id).forUpdate().executeTakeFirst();
  await expireDue(trx, now, sql`to_number in (select number from call_in_dnis where group_id = ${group.id})`);
  const dnis = await pickNumber(trx, group);
  if (!dnis) return { ok: false, message: group.unique_dnis ? `Every number of ${group.name} is held by a pending request` : `${group.name} has no numbers` };
  let code = '';
  let hash: string | null = null;
  if (group.access_code_enabled) {
    for (let i = 0; i < CODE_DRAWS && hash === null; i++) {
      code = randomCode(group.access_code_length);
      const candidate = codes.hash(dnis, code);
      const taken = await trx.selectFrom('call_in_requests').select('id').where('to_number', '=', dnis).where('access_code_hash', '=', candidate).where('state', '=', 'PENDING').executeTakeFirst();
      if (!taken) hash = candidate;
    }
    if (hash === null) return { ok: false, message: `${dnis} has no free access code of ${group.access_code_length} digits` };
  }
  const expiresAt = new Date(now.getTime() + o.expirySeconds * 1000);
  const row = await trx
    .insertInto('call_in_requests')
    .values({
      group_id: group.id,
      callback_id: o.callback?.id ?? null,
      queue_id: o.callback?.queue_id ?? group.queue_id,
      from_phone_e164: o.phone,
      to_number: dnis,
      access_code_hash: hash,
      exclusive: group.unique_dnis,
      priority: o.callback?.priority ?? null,
      user_data: JSON.stringify({ ...(o.callback?.user_data ?? {}), ...o.userData }),
      expires_at: expiresAt,
      created_by: o.createdBy,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ok: true, requestId: row.id, dnis, code, expiresAt };
}

/** Pending requests past their expiry become EXPIRED (those `where` selects). */
async function expireDue(trx: Transaction<DB>, now: Date, where: ReturnType<typeof sql>): Promise<void> {
  await sql`update call_in_requests set state = 'EXPIRED' where state = 'PENDING' and expires_at <= ${now} and ${where}`.execute(trx);
}

async function pickNumber(trx: Transaction<DB>, group: CallInGroupRow): Promise<string | undefined> {
  // Pending requests are few next to a pool of up to 10,000 numbers: count them once, not per number.
  const { rows } = await sql<{ number: string }>`
    select d.number
      from call_in_dnis d
      left join (
        select r.to_number, count(*)::int as live
          from call_in_requests r
         where r.state = 'PENDING' and r.to_number in (select number from call_in_dnis where group_id = ${group.id})
         group by r.to_number
      ) l on l.to_number = d.number
     where d.group_id = ${group.id}
       ${group.unique_dnis ? sql`and l.live is null` : sql``}
     order by coalesce(l.live, 0), random()
     limit 1`.execute(trx);
  return rows[0]?.number;
}

