import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import type { operations } from '../api/schema';
import type { NumberRule as Rule, ScreeningAnswer } from '../api/types';
import { useSession } from '../session';
import { ErrorNote, Field, Loading, Page, useAction, useLoad } from '../ui';

type NumberType = NonNullable<NonNullable<operations['postAdminNumberRules']['requestBody']>['content']['application/json']['blockedNumberTypes']>[number];

// Every value the API accepts, checked against its schema by the compiler both ways.
const TYPES = ['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL', 'UNKNOWN'] as const satisfies readonly NumberType[];
type Missing = Exclude<NumberType, (typeof TYPES)[number]>;
const everyType: Missing extends never ? true : never = true;
void everyType;

export function NumbersPage() {
  const rules = useLoad(() => ok(api.GET('/admin/v1/number-rules')), []);
  const [id, setId] = useState('');
  const { session } = useSession();
  const admin = session.roles.includes('administrator');
  useEffect(() => {
    if (id === '' && rules.data?.items[0]) setId(rules.data.items[0].id);
  }, [rules.data]);
  const rule = rules.data?.items.find((r) => r.id === id);
  return (
    <Page
      title="Number rules"
      actions={
        admin && (
          <button type="button" onClick={() => setId('new')}>
            New number rule
          </button>
        )
      }
    >
      <Loading what={rules} />
      <div class="filters inline">
        <Field label="Number rule" name="rule">
          {(p) => (
            <select {...p} value={id} onChange={(e) => setId((e.target as HTMLSelectElement).value)}>
              {id === 'new' && <option value="new">(new rule)</option>}
              {(rules.data?.items ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {(rule || id === 'new') && (
        <RuleForm
          key={rule ? `${rule.id}-${rule.updatedAt}` : 'new'}
          rule={rule ?? null}
          admin={admin}
          onSaved={(newId) => {
            if (newId) setId(newId);
            rules.reload();
          }}
        />
      )}
      {rule && <TestTool rule={rule} />}
    </Page>
  );
}

function RuleForm({ rule, admin, onSaved }: { rule: Rule | null; admin: boolean; onSaved: (id?: string) => void }) {
  const [name, setName] = useState(rule?.name ?? '');
  const [countries, setCountries] = useState((rule?.permittedCountries ?? ['US']).join(', '));
  const [patterns, setPatterns] = useState((rule?.blockedPatterns ?? []).join('\n'));
  const [types, setTypes] = useState<string[]>(rule?.blockedNumberTypes ?? []);
  const action = useAction();
  const body = () => ({
    name,
    permittedCountries: countries.split(/[\s,]+/).filter((c) => c !== ''),
    blockedPatterns: patterns.split('\n').filter((p) => p !== ''),
    blockedNumberTypes: types as NumberType[],
  });
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const b = body();
      if (rule === null) return onSaved((await ok(api.POST('/admin/v1/number-rules', { body: b }))).id);
      const before = { name: rule.name, permittedCountries: rule.permittedCountries, blockedPatterns: rule.blockedPatterns, blockedNumberTypes: rule.blockedNumberTypes };
      const patch = Object.fromEntries(Object.entries(b).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k as keyof typeof before])));
      if (Object.keys(patch).length > 0) await ok(api.PATCH('/admin/v1/number-rules/{id}', { params: { path: { id: rule.id } }, body: patch }));
      onSaved();
    });
  };
  return (
    <form class="card" onSubmit={save} aria-label="Number rule settings">
      <Field label="Name" name="name" error={action.error}>
        {(p) => <input {...p} value={name} disabled={!admin} onInput={(e) => setName((e.target as HTMLInputElement).value)} />}
      </Field>
      <Field label="Permitted countries" name="permittedCountries" error={action.error} hint="ISO codes, e.g. US, CA">
        {(p) => <input {...p} value={countries} disabled={!admin} onInput={(e) => setCountries((e.target as HTMLInputElement).value)} />}
      </Field>
      <Field label="Blocked patterns" name="blockedPatterns" error={action.error} hint="One regular expression a line, matched against the E.164 digits without +, e.g. ^1900">
        {(p) => <textarea {...p} rows={4} class="mono" value={patterns} disabled={!admin} onInput={(e) => setPatterns((e.target as HTMLTextAreaElement).value)} />}
      </Field>
      <fieldset class="checks">
        <legend>Blocked number types</legend>
        {TYPES.map((t) => (
          <label key={t}>
            <input type="checkbox" checked={types.includes(t)} disabled={!admin} onChange={() => setTypes(types.includes(t) ? types.filter((x) => x !== t) : [...types, t])} /> {t}
          </label>
        ))}
      </fieldset>
      {rule && <p class="muted small">Queues using it: {rule.queues.map((q) => q.name).join(', ') || 'none'}</p>}
      <ErrorNote error={action.error} fields={['name', 'permittedCountries', 'blockedPatterns']} />
      {admin && (
        <div class="row-actions">
          <button type="submit" disabled={action.busy}>
            {rule ? 'Save number rule' : 'Create number rule'}
          </button>
        </div>
      )}
    </form>
  );
}

function TestTool({ rule }: { rule: Rule }) {
  const [phoneNumber, setPhone] = useState('');
  const [defaultCountry, setCountry] = useState('');
  const action = useAction();
  const [answer, setAnswer] = useState<ScreeningAnswer | undefined>();
  return (
    <form
      class="card"
      aria-labelledby="test-title"
      onSubmit={(e) => {
        e.preventDefault();
        setAnswer(undefined);
        void action.run(async () =>
          setAnswer(await ok(api.POST('/admin/v1/number-rules/{id}/test', { params: { path: { id: rule.id } }, body: { phoneNumber, ...(defaultCountry !== '' && { defaultCountry }) } }))),
        );
      }}
    >
      <h2 id="test-title">Test a number against {rule.name}</h2>
      <div class="filters inline">
        <Field label="Phone number" name="phoneNumber" error={action.error}>
          {(p) => <input {...p} type="tel" value={phoneNumber} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field label="Default country" name="defaultCountry" error={action.error} hint="For a national number">
          {(p) => <input {...p} class="narrow" value={defaultCountry} onInput={(e) => setCountry((e.target as HTMLInputElement).value)} />}
        </Field>
        <div class="filter-actions">
          <button type="submit" disabled={action.busy}>
            Test number
          </button>
        </div>
      </div>
      <ErrorNote error={action.error} fields={['phoneNumber', 'defaultCountry']} />
      {answer && (
        <dl class={`facts result ${answer.allowed ? 'allowed' : 'refused'}`} aria-live="polite">
          <dt>Outcome</dt>
          <dd>
            <strong>{answer.outcome}</strong> {answer.allowed ? '(allowed)' : '(refused)'}
          </dd>
          <dt>Matched pattern</dt>
          <dd class="mono">{answer.matchedPattern || '—'}</dd>
          <dt>E.164</dt>
          <dd class="mono">{answer.phoneE164 || '—'}</dd>
          <dt>Country · type</dt>
          <dd>
            {answer.country || '—'} · {answer.numberType || '—'}
          </dd>
          <dt>Message</dt>
          <dd>{answer.message}</dd>
        </dl>
      )}
    </form>
  );
}
