/**
 * The PoolStateStore shared by several gateway processes through Redis. Reads come from a local
 * mirror (selection never waits for the network); writes go to the mirror at once and to Redis
 * right after, in batches. Changes that can move traffic (health, cooldowns, admin actions) are
 * written on the next tick and announced on a pub/sub channel, so every process applies them within
 * milliseconds; per-request bookkeeping (usage counts, latency) is written once a second and reaches
 * the others at the periodic sync. When Redis is away nothing fails: writes pile up (merged) and go
 * out when it is back, then every record is read again, so all processes converge.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type CounterField,
  ELIGIBILITY_FIELDS,
  type InstanceState,
  type PoolLogger,
  type PoolStateStore,
  type SharedSlots,
  createInitialState,
} from '../pool/index.js';
import type { RedisConnection } from './redis-connection.js';
import { GROWING_COUNTERS, ROUTINE_FIELDS, SHARED_COUNTERS, TIMED_FIELD_SET, decodeRecord, encodeField, encodePersisted, encodeTimed, stateFromRecord } from './state-codec.js';
import { APPLY_SCRIPT, MISSING, SEED_SCRIPT } from './state-scripts.js';

const FRESH_STATE: InstanceState = Object.freeze(createInitialState({ modelCooldowns: Object.freeze({}) }));

export interface RedisStateKeys {
  readonly prefix: string;
  state(id: string): string;
  timed(id: string): string;
  readonly epoch: string;
  readonly channel: string;
}

export function redisStateKeys(prefix: string): RedisStateKeys {
  return {
    prefix,
    state: (id) => `${prefix}state:${id}`,
    timed: (id) => `${prefix}cooldown:${id}`,
    epoch: `${prefix}epoch`,
    channel: `${prefix}events`,
  };
}

/** Writes of one instance not yet in Redis: field values (last wins) and counter deltas (summed). */
interface Pending {
  set: Record<string, unknown>;
  add: Partial<Record<CounterField, number>>;
  timed: boolean;
  announce: boolean;
}

interface Announcement {
  readonly o: string;
  readonly i: string;
  readonly s?: Record<string, string>;
  readonly c?: Record<string, string>;
  readonly t?: Record<string, string>;
}

export interface RedisPoolStateStoreOptions {
  readonly connection: RedisConnection;
  readonly keyPrefix: string;
  readonly logger: PoolLogger;
  /** Routine writes are batched this long (default 1 s). */
  readonly routineFlushMs?: number;
  /** Every record is read again this often, catching up routine fields and anything missed (default 5 s). */
  readonly syncIntervalMs?: number;
  /** Set when concurrency slots are shared too (see RedisSharedSlots). */
  readonly slots?: SharedSlots;
  readonly origin?: string;
}

/** Names this process in Redis: its announcements, its concurrency slots, its locks. */
export function processOrigin(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export class RedisPoolStateStore implements PoolStateStore {
  readonly slots?: SharedSlots;
  /** Identifies this process's announcements, so it does not apply its own changes twice. */
  readonly origin: string;
  readonly #connection: RedisConnection;
  readonly #keys: RedisStateKeys;
  readonly #logger: PoolLogger;
  readonly #options: RedisPoolStateStoreOptions;
  readonly #states = new Map<string, InstanceState>();
  /** Records found in Redis at load, claimed by ensure(). */
  readonly #loaded = new Map<string, Record<string, string>>();
  readonly #listeners = new Set<(id: string) => void>();
  #pending = new Map<string, Pending>();
  /** Writes taken by the flush under way (their counter deltas are not in Redis's answer yet). */
  #inFlight = new Map<string, Pending>();
  #toSeed = new Set<string>();
  /** Seeds after an outage: Redis may have lost writes, so they also raise counters to this process's totals. */
  readonly #toRestore = new Set<string>();
  #urgentScheduled = false;
  #routineTimer: NodeJS.Timeout | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  /** Redis's data set as this process last saw it (see #readEpoch). */
  #epoch: string | undefined;
  #flushing: Promise<void> | undefined;
  #syncing: Promise<void> | undefined;
  #unsubscribeReady: (() => void) | undefined;
  #closed = false;

  constructor(options: RedisPoolStateStoreOptions) {
    this.#options = options;
    this.#connection = options.connection;
    this.#keys = redisStateKeys(options.keyPrefix);
    this.#logger = options.logger;
    this.slots = options.slots;
    this.origin = options.origin ?? processOrigin();
  }

  async load(): Promise<void> {
    const { subscriber } = this.#connection;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#keys.channel) this.#onAnnouncement(message);
    });
    // ioredis subscribes again by itself after a reconnect, but only to channels it once got.
    await subscriber.subscribe(this.#keys.channel).catch(() => undefined);
    await this.#readAll().catch((error: unknown) => this.#logger.warn({ err: error }, 'redis: could not read the shared pool state; starting from local state'));
    this.#epoch = await this.#readEpoch().catch(() => undefined);
    this.#unsubscribeReady = this.#connection.onReady(() => {
      void subscriber.subscribe(this.#keys.channel).catch(() => undefined);
      void this.#reconnected();
    });
    this.#syncTimer = setInterval(() => void this.sync(), this.#options.syncIntervalMs ?? 5000);
    this.#syncTimer.unref();
  }

  /**
   * The id of Redis's current data set: created by the first process that finds none, so a Redis
   * that restarted empty (or was flushed) has a new one and every process knows its data was lost.
   */
  async #readEpoch(): Promise<string | undefined> {
    const { client } = this.#connection;
    if (client.status !== 'ready') return undefined;
    await client.set(this.#keys.epoch, randomBytes(8).toString('hex'), 'NX');
    return (await client.get(this.#keys.epoch)) ?? undefined;
  }

  /**
   * Redis is back. Every record is created again where missing and read back. When Redis lost its
   * data, counters are restored too: the totals this process knew were acknowledged writes.
   */
  async #reconnected(): Promise<void> {
    const known = this.#epoch;
    const epoch = await this.#readEpoch().catch(() => undefined);
    if (epoch === undefined) return; // gone again: the next reconnect tries again
    this.#epoch = epoch;
    const lost = known !== undefined && known !== epoch;
    for (const id of this.#states.keys()) {
      this.#toSeed.add(id);
      if (lost) this.#toRestore.add(id);
    }
    await this.sync();
  }

  /** Everything under the prefix, so the pool starts from the shared view rather than its own file. */
  async #readAll(): Promise<void> {
    const { client } = this.#connection;
    if (client.status !== 'ready') return;
    const statePrefix = this.#keys.state('');
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${statePrefix}*`, 'COUNT', 500);
      cursor = next;
      const ids = keys.map((key) => key.slice(statePrefix.length));
      const records = await Promise.all(
        ids.flatMap((id) => [client.hgetall(this.#keys.state(id)), client.hgetall(this.#keys.timed(id))]),
      );
      ids.forEach((id, index) => this.#loaded.set(id, { ...records[index * 2], ...records[index * 2 + 1] }));
    } while (cursor !== '0');
  }

  ensure(id: string, initial: InstanceState): void {
    if (this.#states.has(id)) return;
    const loaded = this.#loaded.get(id);
    this.#loaded.delete(id);
    this.#states.set(id, loaded === undefined ? { ...initial, inFlight: 0 } : stateFromRecord(loaded, 0));
    // Created in Redis unless another process did first; then its record wins.
    if (loaded === undefined) this.#scheduleSeed(id);
  }

  get(id: string): InstanceState {
    return this.#states.get(id) ?? FRESH_STATE;
  }

  patch(id: string, change: Partial<InstanceState>): void {
    this.#write(id, change, undefined);
  }

  update(id: string, add: Partial<Record<CounterField, number>>, set: Partial<InstanceState>): void {
    this.#write(id, set, add);
  }

  increment(id: string, field: CounterField, delta: number): number {
    this.#write(id, {}, { [field]: delta });
    return this.get(id)[field];
  }

  #write(id: string, set: Partial<InstanceState>, add: Partial<Record<CounterField, number>> | undefined): void {
    const before = this.#states.get(id);
    if (before === undefined) return; // not (or no longer) in the configuration
    const change: Record<string, unknown> = {};
    let routineOnly = true;
    let timed = false;
    for (const key in set) {
      const field = key as keyof InstanceState;
      const value = set[field];
      if (value === before[field]) continue;
      change[field] = value;
      if (!ROUTINE_FIELDS.has(field)) routineOnly = false;
      if (TIMED_FIELD_SET.has(field)) timed = true;
    }
    const sharedAdd: Partial<Record<CounterField, number>> = {};
    let hasSharedAdd = false;
    if (add !== undefined) {
      for (const key in add) {
        const field = key as CounterField;
        const delta = add[field] ?? 0;
        if (delta === 0) continue;
        change[field] = Math.max(0, before[field] + delta);
        if (SHARED_COUNTERS.has(field)) {
          sharedAdd[field] = delta;
          hasSharedAdd = true;
          if (!ROUTINE_FIELDS.has(field)) routineOnly = false;
        }
      }
    }
    let changed = false;
    for (const _ in change) {
      changed = true;
      break;
    }
    if (!changed) return;
    // Per-request bookkeeping changes the record in place (no garbage per request, as in the
    // embedded store); anything else replaces it, so a state read before keeps its values.
    if (routineOnly) Object.assign(before, change);
    else this.#states.set(id, { ...before, ...change });
    // inFlight alone is this process's business.
    const shared = Object.keys(change).some((field) => field !== 'inFlight');
    if (shared) this.#queue(id, set, change, sharedAdd, hasSharedAdd, timed, !routineOnly);
    if (!routineOnly && ELIGIBILITY_FIELDS.some((field) => field in change)) this.#emit(id);
  }

  #queue(
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
    if (announce) this.#scheduleUrgent();
    else this.#scheduleRoutine();
  }

  #scheduleUrgent(): void {
    if (this.#urgentScheduled || this.#closed) return;
    this.#urgentScheduled = true;
    setImmediate(() => {
      this.#urgentScheduled = false;
      void this.flush();
    });
  }

  #scheduleRoutine(): void {
    if (this.#routineTimer !== undefined || this.#closed) return;
    this.#routineTimer = setTimeout(() => {
      this.#routineTimer = undefined;
      void this.flush();
    }, this.#options.routineFlushMs ?? 1000);
    this.#routineTimer.unref();
  }

  #scheduleSeed(id: string): void {
    this.#toSeed.add(id);
    this.#scheduleUrgent();
  }

  remove(id: string): void {
    // Only the mirror: another process may still serve the instance (its reload comes later).
    this.#states.delete(id);
    this.#pending.delete(id);
    this.#toSeed.delete(id);
    this.#toRestore.delete(id);
  }

  subscribe(listener: (id: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(id: string): void {
    for (const listener of this.#listeners) listener(id);
  }

  /**
   * Writes and reads of Redis run one batch at a time: writes reach Redis in the order they were
   * made, and a record read back never races a write whose counters the mirror already holds.
   */
  async #exclusive(task: () => Promise<void>): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    this.#flushing = task().finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  /** Writes everything pending (kept for later while Redis is away: the reconnect sync sends it). */
  async flush(): Promise<void> {
    if (this.#pending.size === 0 && this.#toSeed.size === 0) return;
    if (!this.#connection.ready) return;
    await this.#exclusive(() => this.#flushNow());
  }

  /**
   * Creates the records Redis lacks, then writes the batch. Seeds go first: a record a write
   * created would hold only the written fields, and every process would read the rest as defaults.
   */
  async #flushNow(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    this.#inFlight = batch;
    const seeds = [...this.#toSeed];
    this.#toSeed.clear();
    try {
      const seeded = await Promise.allSettled(seeds.map(async (id) => {
        await this.#seed(id, this.#toRestore.has(id));
        this.#toRestore.delete(id);
      }));
      seeded.forEach((result, index) => {
        const id = seeds[index] as string;
        if (result.status === 'rejected' && this.#states.has(id)) {
          this.#toSeed.add(id);
          this.#logger.debug({ err: result.reason, instance: id }, 'redis: could not create the shared record; will retry');
        }
      });
      const missing = await this.#writeBatch(batch);
      if (missing.length > 0) {
        // Redis lost these records (restart, FLUSHDB, eviction) without this process noticing:
        // they are created again from this process's view, then the writes go out.
        for (const id of missing) this.#toSeed.add(id);
        this.#requeue(new Map(missing.map((id) => [id, batch.get(id) as Pending])));
        this.#scheduleUrgent();
      }
    } catch (error) {
      this.#logger.debug({ err: error }, 'redis: pool state writes failed; kept for the next flush');
      this.#requeue(batch);
    } finally {
      this.#inFlight = new Map();
    }
  }

  /** Puts writes back under anything newer: newer field values win, deltas add up. */
  #requeue(batch: ReadonlyMap<string, Pending>): void {
    for (const [id, older] of batch) {
      const newer = this.#pending.get(id);
      if (this.#states.has(id)) this.#pending.set(id, newer === undefined ? older : mergePending(older, newer));
    }
  }

  /** Writes a batch; resolves the ids whose record Redis does not have (nothing of those was written). */
  async #writeBatch(batch: ReadonlyMap<string, Pending>): Promise<string[]> {
    const { client } = this.#connection;
    const missing: string[] = [];
    const writes = [...batch].map(async ([id, pending]) => {
      const state = this.#states.get(id);
      if (state === undefined) return;
      const set: Record<string, string> = {};
      for (const [field, value] of Object.entries(pending.set)) set[field] = encodeField(field, value);
      const timed = pending.timed ? encodeTimed(state) : undefined;
      const answer = await APPLY_SCRIPT.run(client, [this.#keys.state(id), this.#keys.timed(id)], [
        pending.announce ? this.#keys.channel : '',
        this.origin,
        id,
        JSON.stringify(set),
        JSON.stringify(pending.add),
        timed === undefined ? '' : JSON.stringify(timed.fields),
        timed?.until ?? 0,
      ]);
      if (answer === MISSING) missing.push(id);
      else this.#absorbCounters(id, JSON.parse(String(answer)) as Record<string, string>);
    });
    const results = await Promise.allSettled(writes);
    // The batch goes out again: a write of it that did land repeats its field values (harmless)
    // and its counter deltas (usage counts, only when the connection broke mid-batch).
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
    return missing;
  }

  /** Redis answered with a counter's total: the mirror takes it, plus what this process added since. */
  #absorbCounters(id: string, counters: Record<string, string>): void {
    const state = this.#states.get(id);
    if (state === undefined) return;
    const since = this.#pending.get(id)?.add;
    const values: Record<string, number> = {};
    for (const [field, text] of Object.entries(counters)) {
      values[field] = Number(text) + (since?.[field as CounterField] ?? 0);
    }
    Object.assign(state, values);
  }

  /**
   * Creates the record from this process's view when Redis has none, and reads it back. `restore`
   * (the first seed after an outage): the totals of counters that only grow are raised to this
   * process's, which hold every write Redis acknowledged to it before a restart lost them.
   */
  async #seed(id: string, restore = false): Promise<void> {
    const state = this.#states.get(id);
    if (state === undefined) return;
    const committed = this.#committed(state, id);
    const timed = encodeTimed(committed);
    const answer = (await SEED_SCRIPT.run(this.#connection.client, [this.#keys.state(id), this.#keys.timed(id)], [
      JSON.stringify(encodePersisted(committed)),
      JSON.stringify(timed.fields),
      timed.until,
      restore ? JSON.stringify(Object.fromEntries(GROWING_COUNTERS.map((field) => [field, committed[field]]))) : '',
    ])) as [string[], string[]];
    this.#absorbRecord(id, { ...pairsToRecord(answer[0]), ...pairsToRecord(answer[1]) });
  }

  /**
   * The mirror without this process's counter deltas that are not in Redis yet (pending, or in the
   * batch about to be written): a seed holds the shared totals, and the deltas are added on top.
   */
  #committed(state: InstanceState, id: string): InstanceState {
    const pending = this.#pending.get(id);
    const flying = this.#inFlight.get(id);
    if (pending === undefined && flying === undefined) return state;
    const counters: Record<string, number> = {};
    for (const field of SHARED_COUNTERS) {
      const key = field as CounterField;
      counters[field] = Math.max(0, state[key] - (pending?.add[key] ?? 0) - (flying?.add[key] ?? 0));
    }
    return { ...state, ...counters };
  }

  /** A whole record as Redis has it; fields this process is about to write keep the local value. */
  #absorbRecord(id: string, raw: Record<string, string>): void {
    const before = this.#states.get(id);
    if (before === undefined) return;
    const remote = stateFromRecord(raw, before.inFlight);
    this.#absorb(id, before, remote as unknown as Record<string, unknown>, true);
  }

  #absorb(id: string, before: InstanceState, remote: Record<string, unknown>, whole: boolean): void {
    const pending = this.#pending.get(id);
    const flying = this.#inFlight.get(id);
    const next: Record<string, unknown> = { ...before };
    let eligibility = false;
    let changed = false;
    for (const [field, value] of Object.entries(remote)) {
      if (field === 'inFlight') continue;
      const mine = (pending?.set && field in pending.set) || (flying?.set && field in flying.set);
      const timedMine = TIMED_FIELD_SET.has(field) && (pending?.timed || flying?.timed);
      if (mine || timedMine) continue;
      let incoming = value;
      if (SHARED_COUNTERS.has(field)) incoming = Number(value) + (pending?.add[field as CounterField] ?? 0) + (flying?.add[field as CounterField] ?? 0);
      if (!sameValue(next[field], incoming)) {
        next[field] = incoming;
        changed = true;
        if ((ELIGIBILITY_FIELDS as readonly string[]).includes(field)) eligibility = true;
      }
    }
    if (!whole && !changed) return;
    if (changed) this.#states.set(id, next as unknown as InstanceState);
    if (eligibility) this.#emit(id);
  }

  #onAnnouncement(message: string): void {
    let announcement: Announcement;
    try {
      announcement = JSON.parse(message) as Announcement;
    } catch {
      return;
    }
    if (announcement.o === this.origin || typeof announcement.i !== 'string') return;
    const before = this.#states.get(announcement.i);
    if (before === undefined) return;
    // cjson encodes an empty table as {} or []: both mean nothing. Counter totals (c) are left to
    // the periodic sync: this process's own writes still on the way would be counted twice.
    const raw = { ...asRecord(announcement.s), ...asRecord(announcement.t) };
    this.#absorb(announcement.i, before, decodeRecord(raw) as Record<string, unknown>, false);
  }

  /**
   * Sends what is pending, then reads every record back (creating the ones Redis lost, e.g. after
   * a restart, from this process's view). Runs periodically and whenever Redis is reachable again.
   */
  sync(): Promise<void> {
    // Assigned before it can end: a sync that returns at once (Redis away) must not stay "running".
    if (this.#syncing === undefined) {
      const running = this.#syncNow().finally(() => {
        if (this.#syncing === running) this.#syncing = undefined;
      });
      this.#syncing = running;
    }
    return this.#syncing;
  }

  async #syncNow(): Promise<void> {
    try {
      if (!this.#connection.ready) return;
      // A seed creates what is missing and reads the record back; the flush runs the seeds first.
      for (const id of this.#states.keys()) this.#toSeed.add(id);
      await this.flush();
    } catch (error) {
      this.#logger.debug({ err: error }, 'redis: pool state sync failed; will retry');
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribeReady?.();
    if (this.#syncTimer !== undefined) clearInterval(this.#syncTimer);
    if (this.#routineTimer !== undefined) clearTimeout(this.#routineTimer);
    await this.flush().catch(() => undefined);
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

function pairsToRecord(pairs: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = 0; index + 1 < pairs.length; index += 2) record[pairs[index] as string] = pairs[index + 1] as string;
  return record;
}

function asRecord(value: unknown): Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string>) : {};
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
