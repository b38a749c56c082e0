/**
 * Changes announced on the pub/sub channel (published by APPLY_SCRIPT in the same step as the
 * write), and how a remote view is merged into this process's mirror.
 */
import { type CounterField, ELIGIBILITY_FIELDS, type InstanceState } from '../pool/index.js';
import type { PendingWrites } from './pending-writes.js';
import { SHARED_COUNTERS, decodeRecord } from './state-codec.js';

/** As published: origin, instance id, set fields, counter totals, timed fields (all encoded). */
interface Announcement {
  readonly o: string;
  readonly i: string;
  readonly s?: Record<string, string>;
  readonly c?: Record<string, string>;
  readonly t?: Record<string, string>;
}

/** Another process's change: the instance and its decoded fields; undefined for this process's own or a malformed one. */
export function parseAnnouncement(message: string, origin: string): { id: string; fields: Record<string, unknown> } | undefined {
  let announcement: Announcement;
  try {
    announcement = JSON.parse(message) as Announcement;
  } catch {
    return undefined;
  }
  if (announcement.o === origin || typeof announcement.i !== 'string') return undefined;
  // cjson encodes an empty table as {} or []: both mean nothing. Counter totals (c) are left to
  // the periodic sync: this process's own writes still on the way would be counted twice.
  const raw = { ...asRecord(announcement.s), ...asRecord(announcement.t) };
  return { id: announcement.i, fields: decodeRecord(raw) as Record<string, unknown> };
}

/**
 * The mirror with a remote view applied: fields this process is about to write keep their local
 * value, counters are the remote total plus this process's deltas not in it yet. `changed`: the
 * state differs; `eligibility`: a field that decides whether the instance can be picked changed.
 */
export function mergeRemote(
  id: string,
  before: InstanceState,
  remote: Record<string, unknown>,
  writes: PendingWrites,
): { next: InstanceState; changed: boolean; eligibility: boolean } {
  const next: Record<string, unknown> = { ...before };
  let eligibility = false;
  let changed = false;
  for (const [field, value] of Object.entries(remote)) {
    if (field === 'inFlight' || writes.owns(id, field)) continue;
    let incoming = value;
    if (SHARED_COUNTERS.has(field)) incoming = Number(value) + writes.unsent(id, field as CounterField);
    if (!sameValue(next[field], incoming)) {
      next[field] = incoming;
      changed = true;
      if ((ELIGIBILITY_FIELDS as readonly string[]).includes(field)) eligibility = true;
    }
  }
  return { next: next as unknown as InstanceState, changed, eligibility };
}

function asRecord(value: unknown): Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string>) : {};
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
