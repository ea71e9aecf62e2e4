import { Fragment, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api/client';

/** Small building blocks every page uses: loading, labelled fields with the API's errors, tables. */

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data: state.data, error: state.error, loading: state.loading, reload: useCallback(() => setTick((n) => n + 1), []) };
}

/** Runs an API action, keeping its error (shown next to its field, or above the form). */
export function useAction() {
  const [error, setError] = useState<ApiError | Error | undefined>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action();
    } catch (e) {
      setError(e as Error);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { error, busy, run, clear: () => setError(undefined) };
}

let nextId = 0;
export function useId(prefix: string): string {
  const [id] = useState(() => `${prefix}-${++nextId}`);
  return id;
}

/** Whether the API's error names this field (exactly, or a part of it: `cells.monday.09:00` under `cells`). */
export function errorFor(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError) || error.field === undefined) return undefined;
  return error.field === field || error.field.startsWith(`${field}.`) || error.field.startsWith(`${field}[`) ? error.message : undefined;
}

interface FieldProps {
  label: string;
  /** The API's name of the input, to show its field error here. */
  name: string;
  error?: unknown;
  hint?: string;
  children: (props: { id: string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string; name: string }) => ComponentChildren;
}

export function Field({ label, name, error, hint, children }: FieldProps) {
  const id = useId(`f-${name.replace(/[^a-z0-9]/gi, '-')}`);
  const message = errorFor(error, name);
  const describedBy = message ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div class={`field${message ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children({ id, name, ...(message && { 'aria-invalid': 'true' as const }), ...(describedBy && { 'aria-describedby': describedBy }) })}
      {hint && !message && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {message && (
        <p id={`${id}-error`} class="field-error" role="alert">
          {message}
        </p>
      )}
    </div>
  );
}

/** An error no field shows: above the form. */
export function ErrorNote({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  if (!error) return null;
  if (fields.some((f) => errorFor(error, f))) return null;
  const e = error as ApiError;
  return (
    <p class="error" role="alert">
      {e.status ? `${e.status} ${e.code}: ` : ''}
      {e.message}
      {e.field ? ` (field: ${e.field})` : ''}
    </p>
  );
}

export function Loading({ what }: { what: Loaded<unknown> }) {
  if (what.error) return <ErrorNote error={what.error} />;
  if (what.loading && what.data === undefined) return <p aria-live="polite">Loading…</p>;
  return null;
}

export function Page({ title, actions, children }: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Callback engine console`;
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title">{title}</h1>
        <div class="page-actions">{actions}</div>
      </header>
      {children}
    </section>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const id = useId('dlg');
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    const first = document.querySelector<HTMLElement>(`#${id} input, #${id} select, #${id} textarea, #${id} button`);
    first?.focus();
    return () => window.removeEventListener('keydown', onKey);
  }, [id, onClose]);
  return (
    <div class="backdrop">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} id={id}>
        <header>
          <h2 id={`${id}-title`}>{title}</h2>
          <button type="button" class="ghost" onClick={onClose} aria-label="Close">
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

/** A JSON text area for settings with a nested shape the API validates (the API names the field at fault). */
export function JsonField({ label, name, value, onInput, error, rows = 8 }: { label: string; name: string; value: string; onInput: (v: string) => void; error?: unknown; rows?: number }) {
  return (
    <Field label={label} name={name} error={error}>
      {(p) => <textarea {...p} rows={rows} spellcheck={false} class="mono" value={value} onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />}
    </Field>
  );
}

/** Parses a JSON text area; a syntax error is the browser's, named by the field. */
export function parseJsonInput(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(0, 'INVALID_JSON', `${field} is not valid JSON: ${(e as Error).message}`, field);
  }
}

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const dayLabel = (d: string) => d.slice(0, 1).toUpperCase() + d.slice(1, 3);

/** Shown once: a new secret (a client's, a person's password, a webhook's), each value with a copy button. */
export function SecretOnce({ title, lines, onClose, children }: { title: string; lines: [string, string][]; onClose: () => void; children?: ComponentChildren }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = (label: string, value: string) =>
    navigator.clipboard.writeText(value).then(
      () => setCopied(`${label} copied to the clipboard.`),
      () => setCopied(`The browser did not allow copying: select the ${label.toLowerCase()} and copy it (Ctrl/Cmd-C).`),
    );
  return (
    <Dialog title={title} onClose={onClose}>
      <p>Copy it now: it is shown only this once.</p>
      <dl class="facts">
        {lines.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>
              <span class="mono">{v}</span>{' '}
              <button type="button" class="link" onClick={() => void copy(k, v)} aria-label={`Copy ${k}`}>
                Copy
              </button>
            </dd>
          </Fragment>
        ))}
      </dl>
      {children}
      <p role="status" class="muted small">
        {copied ?? ''}
      </p>
      <button type="button" onClick={onClose}>
        Done
      </button>
    </Dialog>
  );
}
