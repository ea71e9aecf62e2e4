import type { Kysely } from 'kysely';
import type { Actor } from '../auth/caller.js';
import type { TaskDeps } from '../callbacks/tasks.js';
import { lockKey } from '../db/locks.js';
import { tableResource } from '../db/resource.js';
import type { CampaignRow, DB } from '../db/types.js';
import { GenesysError } from '../genesys/gateway.js';
import { toSpec } from '../hours/service.js';
import { errors } from '../errors.js';
import { isoUtc } from '../http/time-input.js';
import { answerOnce } from '../callbacks/idempotency.js';
import { addJob } from '../jobs/enqueue.js';
import type { RuleCache } from '../numbers/rules.js';
import { screenWith, supportedCountryOrNull } from '../numbers/service.js';
import { isOpenAt, openWindow } from '../slots/engine.js';
import type { CampaignCallbackInput, CreateCampaignBody } from './schemas.js';

/**
 * Always-running campaign callbacks [000]: a flow asks for a callback, and after the delay the number
 * is added to the contact list of an agentless campaign that dials it. Unlike the blueprint's raw
 * insert, numbers are screened, duplicates and replays refused, and values written JSON-safe.
 */

const COLUMNS = [
  'id',
  'name',
  'contact_list_id',
  'phone_column',
  'name_column',
  'extra_columns',
  'number_rule_id',
  'business_hours_id',
  'max_delay_seconds',
  'max_pending_per_number',
  'default_country',
  'created_at',
  'updated_at',
] as const;
const ENTITY = 'campaign';

function toApi(r: CampaignRow) {
  return {
    id: r.id,
    name: r.name,
    contactListId: r.contact_list_id,
    phoneColumn: r.phone_column,
    nameColumn: r.name_column,
    extraColumns: r.extra_columns,
    numberRuleId: r.number_rule_id,
    businessHoursId: r.business_hours_id,
    maxDelaySeconds: r.max_delay_seconds,
    maxPendingPerNumber: r.max_pending_per_number,
    defaultCountry: r.default_country,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function columns(b: Partial<CreateCampaignBody>) {
  let defaultCountry = b.defaultCountry;
  if (typeof defaultCountry === 'string') {
    defaultCountry = supportedCountryOrNull(defaultCountry);
    if (!defaultCountry) throw errors.validation('defaultCountry', `defaultCountry: unknown country "${b.defaultCountry}"`);
  }
  const map: [keyof CreateCampaignBody, string, unknown][] = [
    ['name', 'name', b.name?.trim()],
    ['contactListId', 'contact_list_id', b.contactListId],
    ['phoneColumn', 'phone_column', b.phoneColumn],
    ['nameColumn', 'name_column', b.nameColumn],
    ['extraColumns', 'extra_columns', b.extraColumns === undefined ? undefined : JSON.stringify(b.extraColumns)],
    ['numberRuleId', 'number_rule_id', b.numberRuleId],
    ['businessHoursId', 'business_hours_id', b.businessHoursId],
    ['maxDelaySeconds', 'max_delay_seconds', b.maxDelaySeconds],
    ['maxPendingPerNumber', 'max_pending_per_number', b.maxPendingPerNumber],
    ['defaultCountry', 'default_country', defaultCountry],
  ];
  return Object.fromEntries(map.filter(([k]) => b[k] !== undefined).map(([, c, v]) => [c, v]));
}

/** `/admin/v1/campaigns`. A campaign with callbacks is kept: they stay for their retention period. */
export const campaigns = tableResource<CampaignRow, ReturnType<typeof toApi>, CreateCampaignBody>({
  table: 'campaigns',
  entity: ENTITY,
  label: 'Campaign',
  columns: COLUMNS,
  toApi,
  toColumns: columns,
  async beforeDelete(trx, id) {
    const used = await trx.selectFrom('campaign_callbacks').select('id').where('campaign_id', '=', id).limit(1).executeTakeFirst();
    if (used) throw errors.conflict('The campaign has callbacks; they are kept for their retention period');
  },
});

type Answer = { outcome: string; replayed: boolean; callbackId: string; dialAt: string; phoneE164: string; message: string };

/** `POST /actions/v1/campaign-callbacks`. */
export async function requestCampaignCallback(db: Kysely<DB>, input: CampaignCallbackInput, actor: Actor, now: Date, rules: RuleCache): Promise<Answer> {
  const campaign = await db.selectFrom('campaigns').select(COLUMNS).where('name', '=', input.campaign).executeTakeFirst();
  if (!campaign) throw errors.notFound('Campaign', input.campaign);
  const rule = campaign.number_rule_id
    ? await db.selectFrom('number_rules').select(['id', 'permitted_countries', 'blocked_patterns', 'blocked_number_types', 'updated_at']).where('id', '=', campaign.number_rule_id).executeTakeFirst()
    : null;
  const hours = campaign.business_hours_id
    ? await db.selectFrom('business_hours').select(['timezone', 'weekly', 'exceptions']).where('id', '=', campaign.business_hours_id).executeTakeFirst()
    : null;
  const refusal = (outcome: string, message: string, phoneE164 = ''): Answer => ({ outcome, replayed: false, callbackId: '', dialAt: '', phoneE164, message });

  return db.transaction().execute((trx) =>
    answerOnce(trx, `campaign-callbacks:${campaign.id}`, input.idempotencyKey, async (): Promise<Answer> => {
      const screened = await screenWith(rules, rule, input.phoneNumber, input.defaultCountry, campaign.default_country);
      if (!screened.allowed) return refusal(screened.outcome, screened.message, screened.phoneE164);
      const phone = screened.phoneE164;
      await lockKey(trx, `campaign.number:${campaign.id}:${phone}`);
      const { n } = await trx
        .selectFrom('campaign_callbacks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('campaign_id', '=', campaign.id)
        .where('phone_e164', '=', phone)
        .where('state', '<>', 'COMPLETED')
        .executeTakeFirstOrThrow();
      if (Number(n) >= campaign.max_pending_per_number) return refusal('DUPLICATE', `${phone} is already waiting to be dialed in ${campaign.name}`, phone);

      let dialAt = new Date(now.getTime() + Math.min(input.delaySeconds, campaign.max_delay_seconds) * 1000);
      // Outside the campaign's hours the dial moves to the next opening.
      if (hours && !isOpenAt(toSpec(hours), dialAt)) dialAt = openWindow(toSpec(hours), dialAt).nextOpenAt ?? dialAt;
      const row = await trx
        .insertInto('campaign_callbacks')
        .values({
          campaign_id: campaign.id,
          state: 'SCHEDULED',
          phone_e164: phone,
          full_name: input.fullName ?? null,
          dial_at: dialAt,
          priority: input.priority,
          idempotency_key: input.idempotencyKey ?? null,
          created_by: actor.id,
        })
        .returning(['id'])
        .executeTakeFirstOrThrow();
      await addJob(trx, 'dial-campaign-callback', { id: row.id }, { runAt: dialAt, jobKey: `campaign-dial:${row.id}` });
      return { outcome: 'SCHEDULED', replayed: false, callbackId: row.id, dialAt: isoUtc(dialAt), phoneE164: phone, message: `Dialed from ${isoUtc(dialAt)}` };
    }),
  );
}

/** The `dial-campaign-callback` job: add the contact to the campaign's list (values written as data, never pasted into JSON). */
export async function dialCampaignCallback(deps: TaskDeps, payload: { id: string }): Promise<void> {
  const cb = await deps.db
    .selectFrom('campaign_callbacks as c')
    .innerJoin('campaigns as k', 'k.id', 'c.campaign_id')
    .select(['c.id', 'c.state', 'c.phone_e164', 'c.full_name', 'c.priority', 'c.contact_id', 'k.contact_list_id', 'k.phone_column', 'k.name_column', 'k.extra_columns'])
    .where('c.id', '=', payload.id)
    .executeTakeFirst();
  if (!cb || cb.state !== 'SCHEDULED') return;
  const data: Record<string, string> = { ...cb.extra_columns, [cb.phone_column]: cb.phone_e164 };
  if (cb.name_column && cb.full_name) data[cb.name_column] = cb.full_name;
  try {
    await deps.gateway.addContacts(cb.contact_list_id, [{ id: cb.contact_id, data, callable: true }], { priority: cb.priority });
  } catch (err) {
    if (err instanceof GenesysError && !err.retryable && err.status < 500) {
      await deps.db.updateTable('campaign_callbacks').set({ delivery_status: 'FAILED', delivery_error: `${err.status} ${err.message}`, updated_at: deps.clock.now() }).where('id', '=', cb.id).execute();
      return;
    }
    throw err;
  }
  const now = deps.clock.now();
  await deps.db
    .updateTable('campaign_callbacks')
    .set({ state: 'QUEUED', delivery_status: 'DELIVERED', delivered_at: now, delivery_error: null, updated_at: now })
    .where('id', '=', cb.id)
    .where('state', '=', 'SCHEDULED')
    .execute();
}
