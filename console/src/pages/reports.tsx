import { useState } from 'preact/hooks';
import { api, ApiError, ok } from '../api/client';
import type { Answer } from '../api/types';
import { BarChart, ChartFigure, LineChart, RowChart, TableHead, type Point } from '../charts';
import { zonePreference } from '../format';
import { ErrorNote, Field, Loading, Page, useLoad } from '../ui';

/**
 * Reports: the summary of a period for some of the caller's queues (the API scopes them), as figures,
 * charts and a table, with CSV downloads of the same filters. The filters live in the URL query, so
 * a link reproduces the view. Dates are whole days in the zone the console shows times in.
 */

type Summary = Answer<'getAdminReportsSummary'>;
type Row = Summary['rows'][number];
type Grouping = 'queue' | 'day' | 'hour';

export interface ReportFilter {
  /** First and last day, inclusive (YYYY-MM-DD). */
  from: string;
  to: string;
  queues: string[];
  groupBy: Grouping;
}

const GROUPINGS: { value: Grouping; label: string }[] = [
  { value: 'queue', label: 'queue' },
  { value: 'day', label: 'day' },
  { value: 'hour', label: 'hour' },
];
/** The API's limit on a summary grouped by hour. */
const MAX_HOURLY_DAYS = 31;
const DAY_MS = 86_400_000;

const pad = (n: number) => String(n).padStart(2, '0');
/** Today in the zone the console shows, as YYYY-MM-DD. */
function today(): string {
  const d = new Date();
  return zonePreference() === 'utc' ? d.toISOString().slice(0, 10) : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
/** A calendar date `n` days from `date` (plain calendar arithmetic, no zone). */
function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}
const daysIn = (f: ReportFilter) => Math.round((Date.parse(`${f.to}T00:00:00Z`) - Date.parse(`${f.from}T00:00:00Z`)) / DAY_MS) + 1;
/** The first instant of a date in the zone the console shows. */
function startOf(date: string): string {
  if (zonePreference() === 'utc') return `${date}T00:00:00Z`;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d).toISOString();
}
/** The zone of the day and hour groups: the one the console shows times in. */
const groupZone = () => (zonePreference() === 'utc' ? 'UTC' : Intl.DateTimeFormat().resolvedOptions().timeZone);

export const QUICK_PICKS = [
  { label: 'Today', days: 1 },
  { label: 'Last 7 days', days: 7 },
  { label: 'Last 30 days', days: 30 },
] as const;
const quick = (days: number) => ({ from: addDays(today(), 1 - days), to: today() });

const isDate = (s: string | null): s is string => s !== null && /^\d{4}-\d{2}-\d{2}$/.test(s);

/** The page's filters from the URL query (the last 7 days by day, every queue, by default). */
export function filterFromUrl(search: string): ReportFilter {
  const q = new URLSearchParams(search);
  const range = quick(7);
  const groupBy = q.get('groupBy');
  return {
    from: isDate(q.get('from')) ? q.get('from')! : range.from,
    to: isDate(q.get('to')) ? q.get('to')! : range.to,
    queues: q.getAll('queue').filter((x) => x !== ''),
    groupBy: groupBy === 'queue' || groupBy === 'hour' ? groupBy : 'day',
  };
}

export function filterToUrl(f: ReportFilter): string {
  const q = new URLSearchParams({ from: f.from, to: f.to, groupBy: f.groupBy });
  for (const name of f.queues) q.append('queue', name);
  return q.toString();
}

/** The API's query for a filter: [start of `from`, start of the day after `to`). */
function apiQuery(f: ReportFilter, groupBy: Grouping) {
  return { from: startOf(f.from), to: startOf(addDays(f.to, 1)), groupBy, timezone: groupZone(), ...(f.queues.length > 0 && { queue: f.queues }) };
}

/** A download URL with the page's range and queues. */
function downloadUrl(path: string, f: ReportFilter, extra: Record<string, string>): string {
  const q = new URLSearchParams({ from: startOf(f.from), to: startOf(addDays(f.to, 1)), timezone: groupZone(), ...extra });
  for (const name of f.queues) q.append('queue', name);
  return `${path}?${q.toString()}`;
}

export const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}
const count = (n: number) => n.toLocaleString('en-US');
const ratio = (r: number | null) => (r === null ? '—' : r.toFixed(2));
/** A reason or outcome as words: NO_ANSWER → no answer. */
const words = (code: string) => code.toLowerCase().replace(/_/g, ' ');

function isEmpty(t: Row): boolean {
  return t.offers === 0 && t.created === 0 && t.refused === 0 && t.completed === 0 && t.connects === 0 && t.slotsCapacity === 0 && t.slotsBooked === 0;
}

export function ReportsPage() {
  const [filter, setFilterState] = useState<ReportFilter>(() => filterFromUrl(window.location.search));
  const [draft, setDraft] = useState<ReportFilter>(filter);
  const [dateError, setDateError] = useState<ApiError | undefined>();
  const apply = (f: ReportFilter) => {
    setDraft(f);
    // A date input that is empty or half typed: named by its field, the shown report kept.
    const bad = (['from', 'to'] as const).find((k) => !isDate(f[k]));
    setDateError(bad && new ApiError(0, 'INVALID_DATE', `${bad === 'from' ? 'From' : 'To'} is not a date`, bad));
    if (bad) return;
    setFilterState(f);
    window.history.replaceState(null, '', `${window.location.pathname}?${filterToUrl(f)}`);
  };
  const queues = useLoad(() => ok(api.GET('/admin/v1/queues')), []);
  const key = JSON.stringify(filter);
  const main = useLoad(() => loadSummary(filter, filter.groupBy), [key]);
  const days = useLoad(() => (filter.groupBy === 'day' ? Promise.resolve(undefined) : loadSummary(filter, 'day')), [key]);
  const hourly = daysIn(filter) <= MAX_HOURLY_DAYS;
  const hours = useLoad(
    () => (filter.groupBy === 'hour' || !hourly ? Promise.resolve(undefined) : loadSummary(filter, 'hour')),
    [key],
  );
  const byDay = filter.groupBy === 'day' ? main.data : days.data;
  const byHour = filter.groupBy === 'hour' ? main.data : hours.data;
  const s = main.data;

  return (
    <Page
      title="Reports"
      actions={
        <>
          <a class="button secondary" href={downloadUrl('/admin/v1/callbacks/export', filter, { format: 'csv' })} download="callbacks.csv">
            Callbacks CSV
          </a>
          <a class="button secondary" href={downloadUrl('/admin/v1/reports/summary', filter, { groupBy: filter.groupBy, format: 'csv' })} download="report-summary.csv">
            Summary CSV
          </a>
        </>
      }
    >
      <form
        class="filters"
        aria-label="Report filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <Field label="From" name="from" error={dateError ?? main.error}>
          {(p) => <input {...p} type="date" value={draft.from} onInput={(e) => setDraft({ ...draft, from: (e.target as HTMLInputElement).value })} />}
        </Field>
        <Field label="To" name="to" error={dateError ?? main.error}>
          {(p) => <input {...p} type="date" value={draft.to} onInput={(e) => setDraft({ ...draft, to: (e.target as HTMLInputElement).value })} />}
        </Field>
        <Field label="Group by" name="groupBy" error={main.error}>
          {(p) => (
            <select {...p} value={draft.groupBy} onChange={(e) => setDraft({ ...draft, groupBy: (e.target as HTMLSelectElement).value as Grouping })}>
              {GROUPINGS.map((g) => (
                <option key={g.value} value={g.value}>
                  {g.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset class="checks">
          <legend>Queues (none ticked: all yours)</legend>
          {(queues.data?.items ?? []).map((q) => (
            <label key={q.id}>
              <input
                type="checkbox"
                checked={draft.queues.includes(q.name)}
                onChange={() => setDraft({ ...draft, queues: draft.queues.includes(q.name) ? draft.queues.filter((n) => n !== q.name) : [...draft.queues, q.name] })}
              />{' '}
              {q.name}
            </label>
          ))}
        </fieldset>
        <div class="filter-actions">
          <button type="submit">Show</button>
          {QUICK_PICKS.map((p) => (
            <button key={p.label} type="button" class="secondary" onClick={() => apply({ ...draft, ...quick(p.days) })}>
              {p.label}
            </button>
          ))}
        </div>
      </form>
      <Loading what={main} />
      <ErrorNote error={main.error} fields={['from', 'to', 'groupBy']} />
      {s && (
        <p class="muted" aria-live="polite">
          {s.queues.length === 0 ? 'No queue' : s.queues.map((q) => q.name).join(', ')} · {filter.from} to {filter.to} · days and hours in {s.timezone ?? 'each queue’s zone'}
          {s.rolledUpThrough && ` · days through ${s.rolledUpThrough} from the daily rollups`}
        </p>
      )}
      {s && isEmpty(s.totals) && (
        <p class="card empty-state" role="status">
          No offers, callbacks, refusals, connects or open slots in this range for these queues.
        </p>
      )}
      {s && !isEmpty(s.totals) && (
        <>
          <Figures totals={s.totals} />
          <div class="charts">
            <AcceptanceChart summary={s} />
            <OutcomeCharts totals={s.totals} />
            {byDay ? <WaitChart summary={byDay} /> : <Loading what={days} />}
            {!hourly ? (
              <p class="notice">Slot utilization by hour of day covers ranges of up to {MAX_HOURLY_DAYS} days.</p>
            ) : byHour ? (
              <UtilizationChart summary={byHour} />
            ) : (
              <Loading what={hours} />
            )}
          </div>
          <RowsTable summary={s} />
        </>
      )}
    </Page>
  );
}

function Figures({ totals: t }: { totals: Row }) {
  const items: [string, string][] = [
    ['Acceptance rate', percent(t.acceptanceRate)],
    ['Offers', count(t.offers)],
    ['Created', count(t.created)],
    ['Refused', count(t.refused)],
    ['Completed', count(t.completed)],
    ['Handled rate', percent(t.handledRate)],
    ['Median wait to connect', duration(t.connectWaitMedianSeconds)],
    ['90th percentile wait', duration(t.connectWaitP90Seconds)],
    ['Retries per handled', ratio(t.retriesPerHandled)],
    ['Slot utilization', percent(t.slotUtilization)],
    ['Abandoned', count(t.abandoned)],
    ['Purged', count(t.purged)],
    ['Expired', count(t.expired)],
    ['No answer', count(t.noAnswer)],
  ];
  return (
    <section aria-labelledby="totals-title">
      <h2 id="totals-title" class="sr-only">
        Totals
      </h2>
      <dl class="tiles">
        {items.map(([label, value]) => (
          <div key={label} class="tile">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** The summary as JSON (the route also answers CSV and NDJSON, which the page only links to). */
function loadSummary(filter: Parameters<typeof apiQuery>[0], groupBy: Grouping): Promise<Summary> {
  return ok(api.GET('/admin/v1/reports/summary', { params: { query: apiQuery(filter, groupBy) } })) as Promise<Summary>;
}

const groupLabel = (s: Summary, r: Row) => (s.groupBy === 'hour' ? r.group.replace('T', ' ') : r.group);

function AcceptanceChart({ summary: s }: { summary: Summary }) {
  const points: Point[] = s.rows.map((r) => ({ label: groupLabel(s, r), value: r.acceptanceRate, text: percent(r.acceptanceRate), detail: `${r.offersAccepted} of ${r.offers} offers` }));
  return (
    <ChartFigure
      id="acceptance"
      title={`Acceptance rate by ${s.groupBy}`}
      chart={<BarChart label={`Acceptance rate by ${s.groupBy}; overall ${percent(s.totals.acceptanceRate)} of ${s.totals.offers} offers`} points={points} max={1} axis={(v) => `${Math.round(v * 100)}%`} />}
      columns={[s.groupBy, 'Acceptance rate', 'Accepted', 'Offers']}
      rows={s.rows.map((r) => [groupLabel(s, r), percent(r.acceptanceRate), String(r.offersAccepted), String(r.offers)])}
    />
  );
}

function OutcomeCharts({ totals: t }: { totals: Row }) {
  const created: Point[] = [
    { label: 'immediate', value: t.createdImmediate, text: count(t.createdImmediate) },
    { label: 'scheduled', value: t.createdScheduled, text: count(t.createdScheduled) },
  ];
  const refusals: Point[] = Object.entries(t.refusals)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => ({ label: words(k), value: n, text: count(n) }));
  const reasons: Point[] = Object.entries(t.completedByReason).map(([k, n]) => ({ label: words(k), value: n, text: count(n) }));
  const table = (points: Point[]) => points.map((p) => [p.label, p.text]);
  return (
    <>
      <ChartFigure id="created" title="Created by type" chart={<RowChart label={`Created by type: ${t.createdImmediate} immediate, ${t.createdScheduled} scheduled`} points={created} />} columns={['Type', 'Created']} rows={table(created)} />
      <ChartFigure
        id="refusals"
        title="Refusals by outcome"
        chart={refusals.length > 0 ? <RowChart label={`Refusals by outcome: ${refusals.map((p) => `${p.text} ${p.label}`).join(', ')}`} points={refusals} /> : <p class="muted">No refusal.</p>}
        columns={['Outcome', 'Refused']}
        rows={table(refusals)}
      />
      <ChartFigure
        id="reasons"
        title="Completed by reason"
        chart={<RowChart label={`Completed by reason: ${reasons.filter((p) => p.value).map((p) => `${p.text} ${p.label}`).join(', ') || 'none'}`} points={reasons} />}
        columns={['Reason', 'Completed']}
        rows={table(reasons)}
      />
    </>
  );
}

function WaitChart({ summary: s }: { summary: Summary }) {
  const point = (r: Row, v: number | null): Point => ({ label: r.group, value: v, text: duration(v) });
  const known = s.rows.filter((r) => r.connectWaitMedianSeconds !== null);
  return (
    <ChartFigure
      id="waits"
      title="Wait to connect by day: median and 90th percentile"
      chart={
        <LineChart
          label={`Wait to connect by day: ${known.length === 0 ? 'no connect in the range' : known.map((r) => `${r.group} median ${duration(r.connectWaitMedianSeconds)}, 90th percentile ${duration(r.connectWaitP90Seconds)}`).join('; ')}`}
          series={[
            { name: 'median', className: 's1', points: s.rows.map((r) => point(r, r.connectWaitMedianSeconds)) },
            { name: '90th percentile', className: 's2', points: s.rows.map((r) => point(r, r.connectWaitP90Seconds)) },
          ]}
          axis={(v) => (v >= 90 ? `${Math.round(v / 60)} min` : `${Math.round(v)} s`)}
        />
      }
      columns={['Day', 'Median', '90th percentile', 'Connects']}
      rows={s.rows.map((r) => [r.group, duration(r.connectWaitMedianSeconds), duration(r.connectWaitP90Seconds), String(r.connects)])}
    />
  );
}

/** Booked / capacity of the slots starting in each hour of the day, over every day of the range. */
export function byHourOfDay(rows: Row[]): { hour: string; booked: number; capacity: number; rate: number | null }[] {
  const sums = Array.from({ length: 24 }, () => ({ booked: 0, capacity: 0 }));
  for (const r of rows) {
    const h = Number(r.group.slice(11, 13));
    if (Number.isInteger(h) && h >= 0 && h < 24) {
      sums[h]!.booked += r.slotsBooked;
      sums[h]!.capacity += r.slotsCapacity;
    }
  }
  return sums.map((x, h) => ({ hour: `${pad(h)}:00`, ...x, rate: x.capacity === 0 ? null : Math.round((x.booked / x.capacity) * 10_000) / 10_000 }));
}

/** The top of a rate axis: the smallest of 5%, 10%, 25%, 50%, 100% above every value. */
const rateScale = (rates: (number | null)[]) => [0.05, 0.1, 0.25, 0.5].find((m) => rates.every((r) => (r ?? 0) <= m)) ?? 1;

function UtilizationChart({ summary: s }: { summary: Summary }) {
  const hours = byHourOfDay(s.rows);
  const open = hours.filter((h) => h.capacity > 0);
  const max = rateScale(hours.map((h) => h.rate));
  return (
    <ChartFigure
      id="utilization"
      title="Slot utilization by hour of day"
      chart={
        <BarChart
          label={`Slot utilization by hour of day: ${open.length === 0 ? 'no open slot' : open.map((h) => `${h.hour} ${percent(h.rate)}`).join(', ')}`}
          points={hours.map((h) => ({ label: h.hour.slice(0, 2), value: h.rate, text: percent(h.rate), quiet: !h.rate, detail: `${h.booked} of ${h.capacity} places` }))}
          max={max}
          axis={(v) => `${max < 0.25 ? (v * 100).toFixed(1) : Math.round(v * 100)}%`}
        />
      }
      columns={['Hour', 'Utilization', 'Booked', 'Capacity']}
      rows={open.map((h) => [h.hour, percent(h.rate), String(h.booked), String(h.capacity)])}
    />
  );
}

function RowsTable({ summary: s }: { summary: Summary }) {
  const all = [...s.rows, s.totals];
  // Wider than the page on a narrow window: a region the keyboard can scroll.
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={`Summary by ${s.groupBy}`}>
      <table class="grid">
        <caption class="sr-only">Summary by {s.groupBy}, with the totals</caption>
        <TableHead columns={[s.groupBy, 'Offers', 'Acceptance', 'Created', 'Refused', 'Completed', 'Handled rate', 'Median wait', '90th percentile', 'Retries per handled', 'Slot utilization']} />
        <tbody>
          {all.map((r) => (
            <tr key={r.group} class={r === s.totals ? 'total' : ''}>
              <th scope="row">{r === s.totals ? 'Total' : groupLabel(s, r)}</th>
              <td>{count(r.offers)}</td>
              <td>{percent(r.acceptanceRate)}</td>
              <td>{count(r.created)}</td>
              <td>{count(r.refused)}</td>
              <td>{count(r.completed)}</td>
              <td>{percent(r.handledRate)}</td>
              <td>{duration(r.connectWaitMedianSeconds)}</td>
              <td>{duration(r.connectWaitP90Seconds)}</td>
              <td>{ratio(r.retriesPerHandled)}</td>
              <td>{percent(r.slotUtilization)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
