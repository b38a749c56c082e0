import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorBox } from '../components';

export interface EntriesAnswer {
  readonly file: string;
  readonly exists: boolean;
  readonly groups: Array<{ group: string; providerType: string | null; entries: Array<Record<string, unknown>> }>;
}

type FieldType = 'string' | 'secret' | 'number' | 'boolean' | 'list';

interface FieldSpec {
  readonly key: string;
  readonly type: FieldType;
  readonly description?: string;
  readonly required?: boolean;
  readonly minimum?: number;
  readonly format?: string;
  /** What an account that leaves the field empty gets (the schema's default), shown as the placeholder. */
  readonly fallback?: string;
}

interface ProviderSchema {
  readonly type: string;
  readonly fields: FieldSpec[];
}

/** Pool keys every provider type shares (the pools file's routing keys). */
const COMMON_FIELDS: FieldSpec[] = [
  { key: 'customName', type: 'string', description: 'Name shown in the console and logs' },
  { key: 'supportedModels', type: 'list', description: 'Only these models (comma-separated; empty: all)' },
  { key: 'notSupportedModels', type: 'list', description: 'Never these models (comma-separated)' },
  { key: 'weight', type: 'number', minimum: 1, description: 'Share for weighted round-robin' },
  { key: 'concurrencyLimit', type: 'number', minimum: 0, description: 'Requests at once (0: unlimited)' },
  { key: 'queueLimit', type: 'number', minimum: 0, description: 'Waiting requests when at the limit' },
  { key: 'checkHealth', type: 'boolean', description: 'Include in scheduled health checks' },
  { key: 'checkModelName', type: 'string', description: 'Model the health probe uses' },
  { key: 'isDisabled', type: 'boolean', description: 'Never selected while set' },
];
const COMMON_KEYS = new Set(['uuid', ...COMMON_FIELDS.map((field) => field.key)]);

const SECRET_KEY = /(KEY|SECRET|TOKEN|PASSWORD|PASSWD|BASE64|COOKIE|AUTHORIZATION)$/i;

interface JsonSchemaProperty {
  type?: string | string[];
  description?: string;
  format?: string;
  minimum?: number;
  default?: unknown;
  anyOf?: JsonSchemaProperty[];
  secret?: boolean;
}

/** One backend as GET /api/providers describes it (src/providers/provider-schemas.ts). */
interface ProviderDescription {
  readonly type: string;
  readonly accountSchema: { properties?: Record<string, JsonSchemaProperty>; required?: string[] };
}

/** A provider's JSON Schema (GET /api/providers) as form fields. */
function fieldsFromSchema(schema: { properties?: Record<string, JsonSchemaProperty>; required?: string[] }): FieldSpec[] {
  return Object.entries(schema.properties ?? {})
    .filter(([key]) => !COMMON_KEYS.has(key))
    .map(([key, property]) => {
      const variant = property.anyOf?.find((option) => option.type !== 'null') ?? property;
      const types = ([] as string[]).concat(variant.type ?? property.type ?? 'string');
      const secret = property.secret === true || variant.secret === true || SECRET_KEY.test(key);
      const type: FieldType = secret
        ? 'secret'
        : types.includes('boolean')
          ? 'boolean'
          : types.includes('number') || types.includes('integer')
            ? 'number'
            : types.includes('array')
              ? 'list'
              : 'string';
      const fallback = property.default ?? variant.default;
      return {
        key,
        type,
        description: property.description ?? variant.description,
        required: schema.required?.includes(key),
        minimum: variant.minimum,
        format: variant.format,
        fallback: fallback === undefined || (Array.isArray(fallback) && fallback.length === 0) ? undefined : toFormValue(fallback).toString(),
      };
    });
}

async function loadSchemas(): Promise<ProviderSchema[]> {
  const answer = await api<{ providers: ProviderDescription[] }>('/api/providers');
  return answer.providers.map((provider) => ({ type: provider.type, fields: fieldsFromSchema(provider.accountSchema) }));
}

function typeOfGroup(group: string, types: readonly string[]): string | undefined {
  const name = group.toLowerCase();
  return [...types].sort((a, b) => b.length - a.length).find((type) => name === type || name.startsWith(`${type}-`));
}

function toFormValue(value: unknown): string | boolean {
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.join(', ');
  if (value === undefined || value === null) return '';
  return String(value);
}

/** The same checks the server applies, as the person types; the server's answer still decides. */
function validate(field: FieldSpec, value: string | boolean, editing: boolean): string | undefined {
  if (typeof value === 'boolean') return undefined;
  const text = value.trim();
  if (text === '') return field.required && !(editing && field.type === 'secret') ? 'required' : undefined;
  if (field.type === 'number') {
    if (!/^\d+$/.test(text)) return 'a whole number';
    if (field.minimum !== undefined && Number(text) < field.minimum) return `at least ${field.minimum}`;
  }
  if (field.format === 'uri' && !/^https?:\/\/[^\s/]+/.test(text)) return 'an http(s) URL';
  return undefined;
}

export function EntryForm({
  entries,
  uuid,
  group: initialGroup,
  onDone,
  onCancel,
}: {
  entries: EntriesAnswer | undefined;
  uuid?: string;
  group?: string;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [schemas, setSchemas] = useState<ProviderSchema[] | undefined>(undefined);
  const [schemaError, setSchemaError] = useState<unknown>(undefined);
  useEffect(() => void loadSchemas().then(setSchemas, setSchemaError), []);
  const existing = useMemo(() => {
    if (!uuid || !entries) return undefined;
    for (const group of entries.groups) {
      const entry = group.entries.find((candidate) => candidate.uuid === uuid);
      if (entry) return { group: group.group, entry };
    }
    return undefined;
  }, [uuid, entries]);
  const editing = uuid !== undefined;
  const [group, setGroup] = useState(initialGroup ?? 'openai-custom');
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!existing || !schemas) return;
    setGroup(existing.group);
    // Secrets start empty: leaving them empty keeps the stored value (the mask is only shown as a hint).
    // Secret are the fields the schema marks (PROXY_URL) and the keys whose names say so.
    const providerType = typeOfGroup(
      existing.group,
      schemas.map((schema) => schema.type),
    );
    const secretFields = new Set(
      schemas
        .find((schema) => schema.type === providerType)
        ?.fields.filter((field) => field.type === 'secret')
        .map((field) => field.key),
    );
    const initial: Record<string, string | boolean> = {};
    for (const [key, value] of Object.entries(existing.entry))
      if (key !== 'uuid' && !SECRET_KEY.test(key) && !secretFields.has(key)) initial[key] = toFormValue(value);
    setValues(initial);
  }, [existing, schemas]);

  if (schemaError) return <ErrorBox error={schemaError} />;
  if (!schemas) return <p class="loading">Loading provider fields…</p>;
  const types = schemas.map((schema) => schema.type);
  const providerType = typeOfGroup(group, types);
  const providerFields = schemas.find((schema) => schema.type === providerType)?.fields ?? [];
  const known = new Set([...COMMON_KEYS, ...providerFields.map((field) => field.key)]);
  const extraFields: FieldSpec[] = existing
    ? Object.keys(existing.entry)
        .filter((key) => !known.has(key))
        .map((key) => ({ key, type: SECRET_KEY.test(key) ? 'secret' : 'string' }))
    : [];
  const fields = [...providerFields, ...extraFields, ...COMMON_FIELDS];
  const problems = Object.fromEntries(
    fields.map((field) => [field.key, validate(field, values[field.key] ?? (field.type === 'boolean' ? false : ''), editing)]),
  );
  const invalid = !providerType || Object.values(problems).some(Boolean);

  const submit = async (event: Event) => {
    event.preventDefault();
    setTouched(Object.fromEntries(fields.map((field) => [field.key, true])));
    if (invalid) return;
    const entry: Record<string, unknown> = {};
    for (const field of fields) {
      const value = values[field.key];
      if (field.type === 'secret') {
        // An untouched secret is not sent: the server keeps what it has.
        if (typeof value === 'string' && value.trim() !== '') entry[field.key] = value.trim();
        continue;
      }
      if (value === undefined || value === '') continue;
      if (field.type === 'boolean') entry[field.key] = value === true;
      else if (field.type === 'number') entry[field.key] = Number(value);
      else if (field.type === 'list')
        entry[field.key] = String(value)
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
      else entry[field.key] = String(value).trim();
    }
    setBusy(true);
    setError(undefined);
    try {
      if (editing) await api(`/api/pool-entries/${encodeURIComponent(uuid)}`, { method: 'PUT', body: { entry } });
      else await api('/api/pool-entries', { method: 'POST', body: { group: group.trim(), entry } });
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel entry-form" onSubmit={submit} aria-labelledby="entry-form-title" noValidate>
      <h2 id="entry-form-title">{editing ? `Edit ${uuid}` : 'Add an instance'}</h2>
      <div class="field">
        <label for="entry-group">Provider type or group</label>
        <input
          id="entry-group"
          list="entry-group-types"
          value={group}
          disabled={editing}
          onInput={(event) => setGroup(event.currentTarget.value)}
          aria-describedby="entry-group-hint"
        />
        <datalist id="entry-group-types">
          {[...new Set([...types, ...(entries?.groups.map((item) => item.group) ?? [])])].map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
        <small id="entry-group-hint" class={providerType ? 'muted' : 'invalid'}>
          {providerType ? `type ${providerType}` : `not a provider type: one of ${types.join(', ')}, or TYPE-name for a custom group`}
        </small>
      </div>
      <div class="fields">
        {fields.map((field) => {
          const id = `entry-${field.key}`;
          const value = values[field.key] ?? (field.type === 'boolean' ? false : '');
          const problem = touched[field.key] ? problems[field.key] : undefined;
          const masked = field.type === 'secret' && existing ? existing.entry[field.key] : undefined;
          const set = (next: string | boolean) => {
            setValues({ ...values, [field.key]: next });
            setTouched({ ...touched, [field.key]: true });
          };
          if (field.type === 'boolean') {
            return (
              <div class="field check" key={field.key}>
                <input id={id} type="checkbox" checked={value === true} onChange={(event) => set(event.currentTarget.checked)} />
                <label for={id}>{field.key}</label>
                {field.description ? <small class="muted">{field.description}</small> : null}
              </div>
            );
          }
          return (
            <div class="field" key={field.key}>
              <label for={id}>
                {field.key}
                {field.required ? <span aria-hidden="true"> *</span> : null}
              </label>
              <input
                id={id}
                name={field.key}
                type={(field.type === 'secret' ? 'password' : 'text') as 'text'}
                inputMode={field.type === 'number' ? 'numeric' : undefined}
                autoComplete="off"
                value={String(value)}
                required={field.required}
                placeholder={typeof masked === 'string' ? `${masked} (unchanged)` : field.fallback}
                aria-invalid={problem ? true : undefined}
                aria-describedby={`${id}-hint`}
                onInput={(event) => set(event.currentTarget.value)}
              />
              <small id={`${id}-hint`} class={problem ? 'invalid' : 'muted'}>
                {problem ? `${field.key}: ${problem}` : (field.description ?? '')}
              </small>
            </div>
          );
        })}
      </div>
      <ErrorBox error={error} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : editing ? 'Save' : 'Add'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
