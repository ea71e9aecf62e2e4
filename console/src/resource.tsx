import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Dialog, ErrorNote, Field, parseJsonInput, useAction } from './ui';

/**
 * A list of one admin-API resource with a create/edit form built from a field list. The form turns
 * inputs into the API's JSON types and nothing more; the API validates, and its field error shows
 * next to the field. An edit sends only the fields that changed.
 */

export interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'number' | 'bool' | 'select' | 'json' | 'list' | 'multi';
  options?: { value: string; label: string }[];
  hint?: string;
  /** '' means null (a setting that can be cleared). */
  nullable?: boolean;
  /** Sent only on create (the API does not change it). */
  createOnly?: boolean;
  /** Left out of the create body when empty (the API's default applies). */
  optional?: boolean;
}

type Values = Record<string, string | boolean | string[]>;

function toInput(f: FieldSpec, v: unknown): string | boolean | string[] {
  if (f.kind === 'bool') return v === true;
  if (f.kind === 'multi') return Array.isArray(v) ? (v as string[]) : [];
  if (v === null || v === undefined) return '';
  if (f.kind === 'json') return JSON.stringify(v, null, 2);
  if (f.kind === 'list') return Array.isArray(v) ? v.join(', ') : '';
  return String(v);
}

function toApi(f: FieldSpec, v: string | boolean | string[]): unknown {
  if (f.kind === 'bool' || f.kind === 'multi') return v;
  const s = v as string;
  if (s.trim() === '' && f.nullable) return null;
  if (f.kind === 'number') return s.trim() === '' || Number.isNaN(Number(s)) ? s : Number(s);
  if (f.kind === 'json') return parseJsonInput(s, f.name);
  if (f.kind === 'list') return s.split(/[\s,]+/).filter((x) => x !== '');
  return s;
}

export interface ResourceProps<T extends { id: string }> {
  noun: string;
  items: T[];
  fields: FieldSpec[];
  columns: { label: string; value: (t: T) => ComponentChildren }[];
  canWrite: boolean;
  create?: (body: Record<string, unknown>) => Promise<unknown>;
  update?: (id: string, patch: Record<string, unknown>) => Promise<unknown>;
  remove?: (id: string) => Promise<unknown>;
  reload: () => void;
  /** More actions on a row (e.g. rotate a secret). */
  rowActions?: (t: T) => ComponentChildren;
  /** What a create answers that must be shown once (e.g. a secret). */
  onCreated?: (answer: unknown) => void;
  label: (t: T) => string;
}

export function Resource<T extends { id: string }>(props: ResourceProps<T>) {
  const [editing, setEditing] = useState<T | 'new' | null>(null);
  return (
    <>
      <div class="table-wrap">
        <table class="grid">
          <caption class="sr-only">{props.noun}</caption>
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th scope="col" key={c.label}>
                  {c.label}
                </th>
              ))}
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.items.map((t) => (
              <tr key={t.id}>
                {props.columns.map((c) => (
                  <td key={c.label}>{c.value(t)}</td>
                ))}
                <td class="actions">
                  <button type="button" class="link" onClick={() => setEditing(t)} aria-label={`${props.canWrite ? 'Edit' : 'View'} ${props.noun} ${props.label(t)}`}>
                    {props.canWrite ? 'Edit' : 'View'}
                  </button>
                  {props.rowActions?.(t)}
                </td>
              </tr>
            ))}
            {props.items.length === 0 && (
              <tr>
                <td colSpan={props.columns.length + 1} class="empty">
                  None yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {props.canWrite && props.create && (
        <button type="button" class="secondary" onClick={() => setEditing('new')}>
          New {props.noun}
        </button>
      )}
      {editing && <ResourceForm {...props} item={editing === 'new' ? null : editing} onClose={(changed) => (setEditing(null), changed && props.reload())} />}
    </>
  );
}

function ResourceForm<T extends { id: string }>(props: ResourceProps<T> & { item: T | null; onClose: (changed: boolean) => void }) {
  const { item, fields } = props;
  const initial: Values = Object.fromEntries(fields.map((f) => [f.name, toInput(f, item ? (item as Record<string, unknown>)[f.name] : undefined)]));
  const [values, setValues] = useState<Values>(initial);
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      if (item === null) {
        const body = Object.fromEntries(
          fields.filter((f) => !(f.optional && (values[f.name] === '' || (Array.isArray(values[f.name]) && (values[f.name] as string[]).length === 0)))).map((f) => [f.name, toApi(f, values[f.name]!)]),
        );
        props.onCreated?.(await props.create!(body));
      } else {
        const patch = Object.fromEntries(
          fields.filter((f) => !f.createOnly && JSON.stringify(values[f.name]) !== JSON.stringify(initial[f.name])).map((f) => [f.name, toApi(f, values[f.name]!)]),
        );
        if (Object.keys(patch).length > 0) await props.update!(item.id, patch);
      }
      props.onClose(true);
    });
  };
  const remove = () =>
    action.run(async () => {
      if (!item || !window.confirm(`Delete ${props.noun} ${props.label(item)}?`)) return;
      await props.remove!(item.id);
      props.onClose(true);
    });
  const ro = !props.canWrite;
  return (
    <Dialog title={item ? `${props.noun}: ${props.label(item)}` : `New ${props.noun}`} onClose={() => props.onClose(false)}>
      <form onSubmit={submit} class="form-grid">
        {fields.map((f) => {
          const disabled = ro || (item !== null && f.createOnly === true);
          const set = (v: string | boolean | string[]) => setValues({ ...values, [f.name]: v });
          if (f.kind === 'bool')
            return (
              <label class="check" key={f.name}>
                <input type="checkbox" name={f.name} checked={values[f.name] === true} disabled={disabled} onChange={(e) => set((e.target as HTMLInputElement).checked)} /> {f.label}
              </label>
            );
          if (f.kind === 'multi')
            return (
              <fieldset class="checks" key={f.name}>
                <legend>{f.label}</legend>
                {(f.options ?? []).map((o) => {
                  const list = values[f.name] as string[];
                  return (
                    <label key={o.value}>
                      <input type="checkbox" checked={list.includes(o.value)} disabled={disabled} onChange={() => set(list.includes(o.value) ? list.filter((x) => x !== o.value) : [...list, o.value])} /> {o.label}
                    </label>
                  );
                })}
                <ErrorFor error={action.error} name={f.name} />
              </fieldset>
            );
          return (
            <Field key={f.name} label={f.label} name={f.name} error={action.error} {...(f.hint && { hint: f.hint })}>
              {(p) =>
                f.kind === 'select' ? (
                  <select {...p} value={values[f.name] as string} disabled={disabled} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
                    {f.nullable && <option value="">none</option>}
                    {(f.options ?? []).map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                ) : f.kind === 'json' ? (
                  <textarea {...p} rows={6} class="mono" spellcheck={false} value={values[f.name] as string} disabled={disabled} onInput={(e) => set((e.target as HTMLTextAreaElement).value)} />
                ) : f.kind === 'number' ? (
                  <input {...p} type="number" step="any" value={values[f.name] as string} disabled={disabled} onInput={(e) => set((e.target as HTMLInputElement).value)} />
                ) : (
                  <input {...p} type="text" value={values[f.name] as string} disabled={disabled} onInput={(e) => set((e.target as HTMLInputElement).value)} />
                )
              }
            </Field>
          );
        })}
        <ErrorNote error={action.error} fields={fields.map((f) => f.name)} />
        {props.canWrite && (
          <div class="row-actions">
            <button type="submit" disabled={action.busy}>
              {item ? 'Save' : 'Create'}
            </button>
            {item && props.remove && (
              <button type="button" class="danger" onClick={remove}>
                Delete
              </button>
            )}
          </div>
        )}
      </form>
    </Dialog>
  );
}

function ErrorFor({ error, name }: { error: unknown; name: string }) {
  const e = error as { field?: string; message?: string } | undefined;
  if (!e?.field || !(e.field === name || e.field.startsWith(`${name}[`))) return null;
  return (
    <p class="field-error" role="alert">
      {e.message}
    </p>
  );
}
