/**
 * What this process wrote to its mirror and Redis does not have yet: per instance, field values
 * (last wins) and counter deltas (summed), plus the batch a flush is writing right now. Reads of
 * Redis are merged with these, so a record read back never undoes a write still on its way.
 */
import type { CounterField, InstanceState } from '../pool/index.js';
import { TIMED_FIELD_SET } from './state-codec.js';

/** Writes of one instance not yet in Redis. */
export interface Pending {
  set: Record<string, unknown>;
  add: Partial<Record<CounterField, number>>;
  /** The timed fields changed: the timed hash is written whole. */
  timed: boolean;
  /** Other processes are told at once (pub/sub). */
  announce: boolean;
}

export class PendingWrites {
  #pending = new Map<string, Pending>();
  /** Writes taken by the flush under way (their counter deltas are not in Redis's answer yet). */
  #inFlight = new Map<string, Pending>();

  get size(): number {
    return this.#pending.size;
  }

  /** Adds one change of the mirror: `change` holds the new values of everything in `set` and `add`. */
  queue(
    id: string,
    set: Partial<InstanceState>,
    change: Record<string, unknown>,
    add: Partial<Record<CounterField, number>>,
    hasAdd: boolean,
    timed: boolean,
    announce: boolean,
  ): void {
    let pending = this.#pending.get(id);
    if (pending === undefined) {
      pending = { set: {}, add: {}, timed: false, announce: false };
      this.#pending.set(id, pending);
    }
    for (const field in set) {
      if (field === 'inFlight' || TIMED_FIELD_SET.has(field) || !(field in change)) continue;
      pending.set[field] = change[field];
      // A counter set outright drops the deltas before it (HSET then HINCRBY would count them twice).
      delete pending.add[field as CounterField];
    }
    if (hasAdd) {
      for (const key in add) {
        const field = key as CounterField;
        pending.add[field] = (pending.add[field] ?? 0) + (add[field] ?? 0);
        // A value set earlier in the same batch must not be overwritten by an older add: fold it in.
        if (field in pending.set) {
          pending.set[field] = change[field];
          delete pending.add[field];
        }
      }
    }
    pending.timed ||= timed;
    pending.announce ||= announce;
  }

  /** Takes everything pending as the batch to write (in flight until settle()). */
  take(): ReadonlyMap<string, Pending> {
    const batch = this.#pending;
    this.#pending = new Map();
    this.#inFlight = batch;
    return batch;
  }

  settle(): void {
    this.#inFlight = new Map();
  }

  /** Puts writes back under anything newer (newer field values win, deltas add up), for instances still known. */
  requeue(batch: ReadonlyMap<string, Pending>, known: (id: string) => boolean): void {
    for (const [id, older] of batch) {
      const newer = this.#pending.get(id);
      if (known(id)) this.#pending.set(id, newer === undefined ? older : mergePending(older, newer));
    }
  }

  delete(id: string): void {
    this.#pending.delete(id);
  }

  /** Deltas of a counter not in Redis yet: pending, and (unless `pendingOnly`) in the batch being written. */
  unsent(id: string, field: CounterField, pendingOnly = false): number {
    return (this.#pending.get(id)?.add[field] ?? 0) + (pendingOnly ? 0 : (this.#inFlight.get(id)?.add[field] ?? 0));
  }

  /** This process is about to write the field: a value read from Redis must not replace it. */
  owns(id: string, field: string): boolean {
    const pending = this.#pending.get(id);
    const flying = this.#inFlight.get(id);
    if ((pending !== undefined && field in pending.set) || (flying !== undefined && field in flying.set)) return true;
    return TIMED_FIELD_SET.has(field) && (pending?.timed === true || flying?.timed === true);
  }
}

function mergePending(older: Pending, newer: Pending): Pending {
  const add: Partial<Record<CounterField, number>> = { ...older.add };
  for (const key in newer.add) {
    const field = key as CounterField;
    add[field] = (add[field] ?? 0) + (newer.add[field] ?? 0);
  }
  const set = { ...older.set, ...newer.set };
  for (const field in newer.set) delete add[field as CounterField];
  return { set, add, timed: older.timed || newer.timed, announce: older.announce || newer.announce };
}
