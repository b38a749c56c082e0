/**
 * How an instance's state sits in Redis: one hash per instance (a field per state field, values in
 * JSON) plus a second hash for the time-limited fields (cooldowns, quota) that carries a TTL and so
 * disappears by itself when the last of them ends. In-flight counts never leave the process.
 */
import { type CounterField, type InstanceState, createInitialState } from '../pool/index.js';

export const TIMED_FIELDS = ['cooldownUntil', 'quotaOutUntil', 'modelCooldowns'] as const;
export type TimedField = (typeof TIMED_FIELDS)[number];
export const TIMED_FIELD_SET: ReadonlySet<string> = new Set(TIMED_FIELDS);

/** Counters kept with HINCRBY; inFlight is per process and never shared. */
export const SHARED_COUNTERS: ReadonlySet<string> = new Set<CounterField>(['usageCount', 'errorCount', 'consecutiveErrors', 'refreshCount']);

/**
 * Counters that only grow (until an admin reset, which every process hears at once): after Redis
 * restarts empty, the highest total any process saw is the truest.
 */
export const GROWING_COUNTERS = ['usageCount', 'errorCount', 'refreshCount'] as const satisfies readonly CounterField[];

/**
 * Fields every request moves: changes to them alone are written in batches and not announced (other
 * processes pick them up at the next periodic sync). Anything else is written and announced at once.
 */
export const ROUTINE_FIELDS: ReadonlySet<string> = new Set(['usageCount', 'lastUsedAt', 'lastSuccessAt', 'latencyEwmaMs', 'firstByteEwmaMs', 'inFlight']);

const BOOLEAN_FIELDS = new Set(['healthy', 'needsRefresh']);
const NUMBER_FIELDS = new Set([
  'refreshCount',
  'consecutiveErrors',
  'cooldownUntil',
  'quotaOutUntil',
  'lastUsedAt',
  'lastSuccessAt',
  'lastHealthCheckAt',
  'usageCount',
  'errorCount',
  'latencyEwmaMs',
  'firstByteEwmaMs',
]);

/** One field's value as stored: JSON, with absent optional fields as `null`; counters as integers (HINCRBY needs them). */
export function encodeField(field: string, value: unknown): string {
  if (SHARED_COUNTERS.has(field)) return String(Math.max(0, Math.round(Number(value) || 0)));
  return JSON.stringify(value ?? null);
}

/** A stored field back to its value; undefined when it is not a field we know or its value does not fit. */
export function decodeField(field: string, text: string): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (BOOLEAN_FIELDS.has(field)) return typeof value === 'boolean' ? { value } : undefined;
  if (NUMBER_FIELDS.has(field)) return typeof value === 'number' && Number.isFinite(value) ? { value } : value === null ? { value: undefined } : undefined;
  switch (field) {
    case 'disabled':
      return typeof value === 'boolean' ? { value } : value === null ? { value: undefined } : undefined;
    case 'modelCooldowns': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      const entries = Object.entries(value as Record<string, unknown>).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
      return { value: Object.fromEntries(entries) };
    }
    case 'lastError': {
      if (value === null) return { value: undefined };
      const error = value as Record<string, unknown>;
      const fits =
        typeof error === 'object' &&
        typeof error.message === 'string' &&
        typeof error.kind === 'string' &&
        typeof error.status === 'number' &&
        typeof error.at === 'number';
      return fits ? { value: { message: error.message, kind: error.kind, status: error.status, at: error.at } } : undefined;
    }
    default:
      return undefined;
  }
}

/** Fields of a stored record (both hashes merged); unknown or malformed fields are left out. */
export function decodeRecord(raw: Readonly<Record<string, string>>): Partial<Record<keyof InstanceState, unknown>> {
  const fields: Partial<Record<keyof InstanceState, unknown>> = {};
  for (const [field, text] of Object.entries(raw)) {
    const decoded = decodeField(field, text);
    if (decoded !== undefined) fields[field as keyof InstanceState] = decoded.value;
  }
  return fields;
}

/** The persisted (non-timed) fields of a state, encoded, for seeding a record that does not exist yet. */
export function encodePersisted(state: InstanceState): Record<string, string> {
  const encoded: Record<string, string> = {};
  for (const [field, value] of Object.entries(state)) {
    if (field === 'inFlight' || TIMED_FIELD_SET.has(field)) continue;
    encoded[field] = encodeField(field, value);
  }
  return encoded;
}

/** The timed fields encoded, and when the last of them ends (epoch ms; 0 when none is running). */
export function encodeTimed(state: InstanceState): { fields: Record<string, string>; until: number } {
  let until = Math.max(state.cooldownUntil, state.quotaOutUntil);
  for (const time of Object.values(state.modelCooldowns)) until = Math.max(until, time);
  return {
    fields: {
      cooldownUntil: encodeField('cooldownUntil', state.cooldownUntil),
      quotaOutUntil: encodeField('quotaOutUntil', state.quotaOutUntil),
      modelCooldowns: encodeField('modelCooldowns', state.modelCooldowns),
    },
    until,
  };
}

/** A full state from a stored record: fields the record lacks take their defaults (timed ones: not cooling). */
export function stateFromRecord(raw: Readonly<Record<string, string>>, inFlight: number): InstanceState {
  return createInitialState({ ...(decodeRecord(raw) as Partial<InstanceState>), inFlight });
}
