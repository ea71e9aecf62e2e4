import type { ComponentChildren } from 'preact';

/**
 * Small SVG charts drawn in the page (no library): bars over groups, horizontal bars of counts, and
 * lines over days. Each value is labelled on the chart when there is room and carries a tooltip
 * (`<title>`); the figure around it holds a data table with every number, for screen readers.
 */

export interface Point {
  label: string;
  /** null: nothing to show (no offers, no connects…). */
  value: number | null;
  /** The value as shown (e.g. "66.7%"). */
  text: string;
  /** More words for the tooltip (e.g. "2 of 3 offers"). */
  detail?: string;
  /** Leave the value off the chart (still in the tooltip and the table), e.g. a zero among many. */
  quiet?: boolean;
}

const W = 640;
const PAD_L = 52;
const PAD_R = 12;
const PAD_T = 18;
const PAD_B = 40;

/** A short axis label: at most `n` characters. */
const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The value axis: the base line and gridlines at half and full scale, labelled on the left. */
function ValueAxis({ y, max, axis }: { y: (v: number) => number; max: number; axis: (v: number) => string }) {
  return (
    <>
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line x1={PAD_L} x2={W - PAD_R} y1={y(max * f)} y2={y(max * f)} class={f === 0 ? 'axis' : 'gridline'} />
          <text x={PAD_L - 4} y={y(max * f) + 3} class="tick end">
            {axis(max * f)}
          </text>
        </g>
      ))}
    </>
  );
}

/** Vertical bars, one per point, on a 0..max scale. */
export function BarChart({ label, points, max, axis }: { label: string; points: Point[]; max: number; axis: (v: number) => string }) {
  const H = 200;
  const n = Math.max(points.length, 1);
  const step = (W - PAD_L - PAD_R) / n;
  const bw = Math.max(2, Math.min(48, step * 0.7));
  const y = (v: number) => H - PAD_B - (Math.min(v, max) / max) * (H - PAD_T - PAD_B);
  const labelEvery = Math.ceil(n / 16);
  const chars = Math.max(3, Math.floor(step * labelEvery / 6));
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      <ValueAxis y={y} max={max} axis={axis} />
      {points.map((p, i) => {
        const cx = PAD_L + step * i + step / 2;
        const top = p.value === null ? H - PAD_B : y(p.value);
        return (
          <g key={p.label} class="bar">
            <title>{`${p.label}: ${p.text}${p.detail ? ` (${p.detail})` : ''}`}</title>
            <rect x={cx - step / 2} y={PAD_T} width={step} height={H - PAD_T - PAD_B} class="hit" />
            {p.value !== null && <rect x={cx - bw / 2} y={top} width={bw} height={H - PAD_B - top} class="fill" />}
            {n <= 24 && !p.quiet && (
              <text x={cx} y={top - 4} class="value">
                {p.text}
              </text>
            )}
            {i % labelEvery === 0 && (
              <text x={cx} y={H - PAD_B + 14} class="tick mid">
                {short(p.label, chars)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** Horizontal bars of counts, one row per category. */
export function RowChart({ label, points }: { label: string; points: Point[] }) {
  const ROW = 22;
  const LABEL = 190;
  const H = Math.max(points.length, 1) * ROW + 8;
  const max = Math.max(1, ...points.map((p) => p.value ?? 0));
  const span = W - LABEL - 60;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      {points.map((p, i) => {
        const y0 = 4 + i * ROW;
        const w = ((p.value ?? 0) / max) * span;
        return (
          <g key={p.label} class="bar">
            <title>{`${p.label}: ${p.text}`}</title>
            <text x={LABEL - 6} y={y0 + 15} class="tick end">
              {p.label}
            </text>
            <rect x={LABEL} y={y0 + 3} width={Math.max(w, p.value ? 1 : 0)} height={ROW - 6} class="fill" />
            <text x={LABEL + w + 6} y={y0 + 15} class="value start">
              {p.text}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export interface Series {
  name: string;
  className: string;
  points: Point[];
}

/** Lines over the same labels (e.g. days), gaps where a value is null. */
export function LineChart({ label, series, axis }: { label: string; series: Series[]; axis: (v: number) => string }) {
  const H = 220;
  const labels = series[0]?.points.map((p) => p.label) ?? [];
  const n = Math.max(labels.length, 1);
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.value ?? 0))) * 1.1;
  // Room on the right for the last point's label.
  const x = (i: number) => (n === 1 ? (PAD_L + W - PAD_R) / 2 : PAD_L + 24 + (i / (n - 1)) * (W - PAD_L - PAD_R - 64));
  const y = (v: number) => H - PAD_B - (v / max) * (H - PAD_T - PAD_B);
  const labelEvery = Math.ceil(n / 10);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      <ValueAxis y={y} max={max} axis={axis} />
      {labels.map((l, i) =>
        i % labelEvery === 0 ? (
          <text key={l} x={x(i)} y={H - PAD_B + 14} class="tick mid">
            {l}
          </text>
        ) : null,
      )}
      {series.map((s) => {
        // One path segment per run of values; a null breaks the line.
        const d = s.points.map((p, i) => (p.value === null ? '' : `${i === 0 || s.points[i - 1]!.value === null ? 'M' : 'L'}${x(i)},${y(p.value)}`)).join(' ');
        return (
          <g key={s.name} class={`series ${s.className}`}>
            <path d={d} class="line" />
            {s.points.map((p, i) =>
              p.value === null ? null : (
                <g key={p.label}>
                  <title>{`${s.name}, ${p.label}: ${p.text}`}</title>
                  <circle cx={x(i)} cy={y(p.value)} r={4} class="dot" />
                  {n <= 14 && (
                    <text x={x(i)} y={y(p.value) - 7} class="value">
                      {p.text}
                    </text>
                  )}
                </g>
              ),
            )}
          </g>
        );
      })}
      {series.map((s, i) => (
        <g key={s.name} class={`series ${s.className}`}>
          <line x1={PAD_L + 8 + i * 130} x2={PAD_L + 28 + i * 130} y1={H - 8} y2={H - 8} class="line" />
          <text x={PAD_L + 32 + i * 130} y={H - 4} class="tick">
            {s.name}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** A chart with its title, and every number in a table for screen readers. */
export function ChartFigure({ id, title, chart, columns, rows, note }: { id: string; title: string; chart: ComponentChildren; columns: string[]; rows: string[][]; note?: ComponentChildren }) {
  return (
    <figure class="chart report-chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {chart}
      {note}
      <table class="sr-only">
        <caption>{title}: data</caption>
        <TableHead columns={columns} />
        <tbody>
          {rows.map((r) => (
            <tr key={r[0]}>
              <th scope="row">{r[0]}</th>
              {r.slice(1).map((c, i) => (
                <td key={i}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** A table's column headings. */
export function TableHead({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
