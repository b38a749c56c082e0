/**
 * The PoolStateStore shared by several gateway processes through Redis. Reads come from a local
 * mirror (selection never waits for the network); writes go to the mirror at once and to Redis
 * right after, in batches. Changes that can move traffic (health, cooldowns, admin actions) are
 * written on the next tick and announced on a pub/sub channel, so every process applies them within
 * milliseconds; per-request bookkeeping (usage counts, latency) is written once a second and reaches
 * the others at the periodic sync. When Redis is away nothing fails: writes pile up (merged) and go
 * out when it is back, then every record is read again, so all processes converge.
 *
 * After Redis restarted empty, each process's view is authoritative for what Redis lost: the first
 * process back re-creates each record from its mirror, the others' writes made during the outage
 * are applied on top, and counters that only grow are restored to the highest total any process
 * knew (see SEED_SCRIPT). Around this class: pending-writes.ts (what Redis does not have yet),
 * state-records.ts (the reads and writes of records), state-announcements.ts (pub/sub changes and
 * merging a remote view into the mirror), state-codec.ts and state-scripts.ts.
 */
import {
  type CounterField,
  ELIGIBILITY_FIELDS,
  type InstanceState,
  type PoolLogger,
  type PoolStateStore,
  type SharedSlots,
  createInitialState,
} from '../pool/index.js';
import { type Pending, PendingWrites } from './pending-writes.js';
import type { RedisConnection } from './redis-connection.js';
import { SingleFlight } from './single-flight.js';
import { mergeRemote, parseAnnouncement } from './state-announcements.js';
import { ROUTINE_FIELDS, SHARED_COUNTERS, TIMED_FIELD_SET, stateFromRecord } from './state-codec.js';
import { type RedisStateKeys, processOrigin, redisStateKeys } from './state-keys.js';
import { readAllRecords, readEpoch, seedRecord, writeRecord } from './state-records.js';
import { MISSING } from './state-scripts.js';

export { type RedisStateKeys, processOrigin, redisStateKeys } from './state-keys.js';

const FRESH_STATE: InstanceState = Object.freeze(createInitialState({ modelCooldowns: Object.freeze({}) }));

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
  readonly #writes = new PendingWrites();
  #toSeed = new Set<string>();
  /** Seeds after an outage: Redis may have lost writes, so they also raise counters to this process's totals. */
  readonly #toRestore = new Set<string>();
  #urgentScheduled = false;
  #routineTimer: NodeJS.Timeout | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  /** Redis's data set as this process last saw it (see #readEpoch). */
  #epoch: string | undefined;
  #flushing: Promise<void> | undefined;
  readonly #syncs = new SingleFlight(() => this.#syncNow());
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
      if (channel !== this.#keys.channel) return;
      const change = parseAnnouncement(message, this.origin);
      if (change !== undefined) this.#absorb(change.id, change.fields);
    });
    // ioredis subscribes again by itself after a reconnect, but only to channels it once got.
    await subscriber.subscribe(this.#keys.channel).catch(() => undefined);
    // Everything under the prefix, so the pool starts from the shared view rather than its own file.
    if (this.#connection.client.status === 'ready') {
      await readAllRecords(this.#connection.client, this.#keys).then(
        (records) => {
          for (const [id, record] of records) this.#loaded.set(id, record);
        },
        (error: unknown) => this.#logger.warn({ err: error }, 'redis: could not read the shared pool state; starting from local state'),
      );
    }
    this.#epoch = await this.#readEpoch();
    this.#unsubscribeReady = this.#connection.onReady(() => {
      void subscriber.subscribe(this.#keys.channel).catch(() => undefined);
      void this.#reconnected();
    });
    this.#syncTimer = setInterval(() => void this.sync(), this.#options.syncIntervalMs ?? 5000);
    this.#syncTimer.unref();
  }

  /** See readEpoch; undefined while Redis is away. */
  async #readEpoch(): Promise<string | undefined> {
    if (this.#connection.client.status !== 'ready') return undefined;
    return readEpoch(this.#connection.client, this.#keys).catch(() => undefined);
  }

  /**
   * Redis is back. Every record is created again where missing and read back. When Redis lost its
   * data, counters are restored too: the totals this process knew were acknowledged writes.
   */
  async #reconnected(): Promise<void> {
    const known = this.#epoch;
    const epoch = await this.#readEpoch();
    if (epoch === undefined) return; // gone again: the next reconnect tries again
    this.#epoch = epoch;
    const lost = known !== undefined && known !== epoch;
    for (const id of this.#states.keys()) {
      this.#toSeed.add(id);
      if (lost) this.#toRestore.add(id);
    }
    await this.sync();
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
    this.#writes.queue(id, set, change, add, hasAdd, timed, announce);
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
    this.#writes.delete(id);
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
    if (this.#writes.size === 0 && this.#toSeed.size === 0) return;
    if (!this.#connection.ready) return;
    await this.#exclusive(() => this.#flushNow());
  }

  /**
   * Creates the records Redis lacks, then writes the batch. Seeds go first: a record a write
   * created would hold only the written fields, and every process would read the rest as defaults.
   */
  async #flushNow(): Promise<void> {
    const batch = this.#writes.take();
    const seeds = [...this.#toSeed];
    this.#toSeed.clear();
    const known = (id: string) => this.#states.has(id);
    try {
      const seeded = await Promise.allSettled(
        seeds.map(async (id) => {
          await this.#seed(id, this.#toRestore.has(id));
          this.#toRestore.delete(id);
        }),
      );
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
        this.#writes.requeue(new Map(missing.map((id) => [id, batch.get(id) as Pending])), known);
        this.#scheduleUrgent();
      }
    } catch (error) {
      this.#connection.noteFailure(error);
      this.#logger.debug({ err: error }, 'redis: pool state writes failed; kept for the next flush');
      this.#writes.requeue(batch, known);
    } finally {
      this.#writes.settle();
    }
  }

  /** Writes a batch; resolves the ids whose record Redis does not have (nothing of those was written). */
  async #writeBatch(batch: ReadonlyMap<string, Pending>): Promise<string[]> {
    const missing: string[] = [];
    const writes = [...batch].map(async ([id, pending]) => {
      const state = this.#states.get(id);
      if (state === undefined) return;
      const counters = await writeRecord(this.#connection.client, this.#keys, this.origin, id, pending, state);
      if (counters === MISSING) missing.push(id);
      else this.#absorbCounters(id, counters);
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
    const values: Record<string, number> = {};
    for (const [field, text] of Object.entries(counters)) values[field] = Number(text) + this.#writes.unsent(id, field as CounterField, true);
    Object.assign(state, values);
  }

  /**
   * Creates the record from this process's view when Redis has none, and reads it back. `restore`
   * (the first seed after Redis lost its data): counters that only grow are restored too.
   */
  async #seed(id: string, restore = false): Promise<void> {
    const state = this.#states.get(id);
    if (state === undefined) return;
    const record = await seedRecord(this.#connection.client, this.#keys, id, this.#committed(state, id), restore);
    const before = this.#states.get(id);
    if (before !== undefined) this.#absorb(id, stateFromRecord(record, before.inFlight) as unknown as Record<string, unknown>);
  }

  /**
   * The mirror without this process's counter deltas that are not in Redis yet (pending, or in the
   * batch about to be written): a seed holds the shared totals, and the deltas are added on top.
   */
  #committed(state: InstanceState, id: string): InstanceState {
    const counters: Record<string, number> = {};
    let unsent = false;
    for (const field of SHARED_COUNTERS) {
      const key = field as CounterField;
      const delta = this.#writes.unsent(id, key);
      if (delta !== 0) unsent = true;
      counters[field] = Math.max(0, state[key] - delta);
    }
    return unsent ? { ...state, ...counters } : state;
  }

  /** A remote view (a whole record read back, or an announcement) into the mirror. */
  #absorb(id: string, remote: Record<string, unknown>): void {
    const before = this.#states.get(id);
    if (before === undefined) return;
    const { next, changed, eligibility } = mergeRemote(id, before, remote, this.#writes);
    if (changed) this.#states.set(id, next);
    if (eligibility) this.#emit(id);
  }

  /**
   * Sends what is pending, then reads every record back (creating the ones Redis lost, e.g. after
   * a restart, from this process's view). Runs periodically and whenever Redis is reachable again.
   */
  sync(): Promise<void> {
    return this.#syncs.run();
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
