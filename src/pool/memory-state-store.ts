/**
 * The embedded PoolStateStore: state in a Map, snapshotted now and then to a state file of its own
 * (never the user's pools file). Writes are atomic (temp file + rename) so a crash mid-write leaves
 * the previous snapshot intact, and they happen on a timer, never on the request path.
 */
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { PoolLogger } from './pool-logger.js';
import { noopLogger } from './pool-logger.js';
import { type CounterField, ELIGIBILITY_FIELDS, type InstanceState, type PoolStateStore, createInitialState } from './state-store.js';

const SNAPSHOT_VERSION = 1;
const FRESH_STATE: InstanceState = Object.freeze(createInitialState({ modelCooldowns: Object.freeze({}) }));

/** `configs/provider_pools.json` → `configs/provider_pools.state.json`. */
export function stateFilePathFor(poolsFilePath: string): string {
  const name = basename(poolsFilePath).replace(/\.json$/i, '');
  return join(dirname(poolsFilePath), `${name}.state.json`);
}

const lastErrorSchema = z.object({ message: z.string(), kind: z.string(), status: z.number(), at: z.number() });
/** Lenient: a field we cannot read falls back to its default instead of dropping the instance. */
const persistedStateSchema = z.object({
  healthy: z.boolean().catch(true),
  disabled: z.boolean().optional().catch(undefined),
  needsRefresh: z.boolean().catch(false),
  refreshCount: z.number().catch(0),
  consecutiveErrors: z.number().catch(0),
  cooldownUntil: z.number().catch(0),
  modelCooldowns: z.record(z.string(), z.number()).catch({}),
  quotaOutUntil: z.number().catch(0),
  lastError: lastErrorSchema.optional().catch(undefined),
  lastUsedAt: z.number().catch(0),
  lastSuccessAt: z.number().catch(0),
  lastHealthCheckAt: z.number().catch(0),
  usageCount: z.number().catch(0),
  errorCount: z.number().catch(0),
  latencyEwmaMs: z.number().optional().catch(undefined),
  firstByteEwmaMs: z.number().optional().catch(undefined),
});
const snapshotSchema = z.object({
  version: z.literal(SNAPSHOT_VERSION),
  instances: z.record(z.string(), z.unknown()),
});

/**
 * Fields every request moves (usage counters, timestamps, latency averages). Losing their last minute
 * in a crash costs nothing, so changes to them alone are written at the slower routine pace: a large
 * pool under steady traffic would otherwise rewrite its whole state file every few seconds.
 */
const ROUTINE_FIELDS: ReadonlySet<string> = new Set(['usageCount', 'lastUsedAt', 'lastSuccessAt', 'latencyEwmaMs', 'firstByteEwmaMs']);

export interface MemoryPoolStateStoreOptions {
  /** Where snapshots go; without it the store is purely in memory. */
  readonly snapshotPath?: string;
  /** How often a snapshot is written when health-relevant state changed (default 5 s). */
  readonly snapshotIntervalMs?: number;
  /** How often one is written when only routine fields (usage, latency) changed (default 60 s). */
  readonly routineSnapshotIntervalMs?: number;
  readonly logger?: PoolLogger;
  readonly now?: () => number;
}

export class MemoryPoolStateStore implements PoolStateStore {
  readonly #states = new Map<string, InstanceState>();
  /** Snapshot entries not yet claimed by ensure(): instances that left the config are not rewritten. */
  readonly #loaded = new Map<string, InstanceState>();
  readonly #listeners = new Set<(id: string) => void>();
  readonly #options: MemoryPoolStateStoreOptions;
  readonly #logger: PoolLogger;
  #dirty = false;
  #routineDirty = false;
  #lastSnapshotAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;

  constructor(options: MemoryPoolStateStoreOptions = {}) {
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
  }

  async load(): Promise<void> {
    const path = this.#options.snapshotPath;
    if (path !== undefined) await this.#readSnapshot(path);
    if (path !== undefined && this.#timer === undefined) {
      this.#lastSnapshotAt = this.#now();
      this.#timer = setInterval(() => void this.#flushWhenDue(), this.#options.snapshotIntervalMs ?? 5000);
      this.#timer.unref();
    }
  }

  async #readSnapshot(path: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#logger.warn({ path, err: error }, 'pool state file unreadable; starting fresh');
      }
      return;
    }
    const parsed = snapshotSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      this.#logger.warn({ path }, 'pool state file has an unknown shape; starting fresh');
      return;
    }
    for (const [id, raw] of Object.entries(parsed.data.instances)) {
      const state = persistedStateSchema.safeParse(raw);
      if (state.success) this.#loaded.set(id, createInitialState({ ...stripUndefined(state.data), inFlight: 0 }));
    }
  }

  ensure(id: string, initial: InstanceState): void {
    if (this.#states.has(id)) return;
    const loaded = this.#loaded.get(id);
    this.#loaded.delete(id);
    // The store owns its records (see #apply), so it keeps a copy of what it was handed.
    this.#states.set(id, { ...(loaded ?? initial) });
    this.#dirty = true;
  }

  get(id: string): InstanceState {
    // Reading an unknown id does not create it, so stray lookups never end up in the snapshot.
    return this.#states.get(id) ?? FRESH_STATE;
  }

  patch(id: string, change: Partial<InstanceState>): void {
    this.#apply(id, this.get(id), change);
  }

  update(id: string, add: Partial<Record<CounterField, number>>, set: Partial<InstanceState>): void {
    const before = this.get(id);
    const change: Record<string, unknown> = { ...set };
    for (const field in add) {
      const counter = field as CounterField;
      change[counter] = Math.max(0, before[counter] + (add[counter] ?? 0));
    }
    this.#apply(id, before, change as Partial<InstanceState>);
  }

  increment(id: string, field: CounterField, delta: number): number {
    const before = this.get(id);
    const value = Math.max(0, before[field] + delta);
    this.#apply(id, before, { [field]: value });
    return value;
  }

  /**
   * A change that touches only routine fields and in-flight counts (every request's bookkeeping) is
   * written into the instance's record in place: replacing the record per request would, in a large
   * round-robin pool, promote one record per request to the old generation and keep V8's full GC busy.
   * Any other change replaces the record, so a state read before it keeps the values it had.
   */
  #apply(id: string, before: InstanceState, change: Partial<InstanceState>): void {
    let significant = false;
    // In-flight counts are process-local and never persisted: they alone make no snapshot due.
    let persisted = false;
    for (const key in change) {
      const field = key as keyof InstanceState;
      if (field === 'inFlight') continue;
      persisted = true;
      if (!ROUTINE_FIELDS.has(field) && change[field] !== before[field]) {
        significant = true;
        break;
      }
    }
    const owned = this.#states.get(id);
    if (!significant && owned !== undefined) Object.assign(owned, change);
    else this.#states.set(id, { ...before, ...change });
    if (significant) this.#dirty = true;
    else if (persisted) this.#routineDirty = true;
    if (significant && ELIGIBILITY_FIELDS.some((field) => field in change && change[field] !== before[field])) this.#emit(id);
  }

  remove(id: string): void {
    if (this.#states.delete(id)) this.#dirty = true;
  }

  subscribe(listener: (id: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(id: string): void {
    for (const listener of this.#listeners) listener(id);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  /** The timer's check: health-relevant changes at once, routine ones at their slower pace. */
  async #flushWhenDue(): Promise<void> {
    const routineDue = this.#routineDirty && this.#now() - this.#lastSnapshotAt >= (this.#options.routineSnapshotIntervalMs ?? 60_000);
    if (this.#dirty || routineDue) await this.flush();
  }

  /** Writes a snapshot if anything changed since the last one. Safe to call concurrently. */
  async flush(): Promise<void> {
    const path = this.#options.snapshotPath;
    if (path === undefined) return;
    while (this.#writing !== undefined) await this.#writing;
    if (!this.#dirty && !this.#routineDirty) return;
    this.#writing = this.#writeSnapshot(path).finally(() => {
      this.#writing = undefined;
    });
    await this.#writing;
  }

  async #writeSnapshot(path: string): Promise<void> {
    const instances: Record<string, unknown> = {};
    for (const [id, state] of this.#states) {
      const { inFlight: _inFlight, ...persisted } = state;
      instances[id] = persisted;
    }
    this.#lastSnapshotAt = this.#now();
    const savedAt = new Date(this.#lastSnapshotAt).toISOString();
    const text = `${JSON.stringify({ version: SNAPSHOT_VERSION, savedAt, instances })}\n`;
    const wasRoutineOnly = !this.#dirty;
    this.#dirty = false;
    this.#routineDirty = false;
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, text, { mode: 0o600 });
      await rename(temporary, path);
    } catch (error) {
      // Retried at the pace the lost changes call for.
      if (wasRoutineOnly) this.#routineDirty = true;
      else this.#dirty = true;
      this.#logger.warn({ path, err: error }, 'pool state snapshot failed; will retry');
      await unlink(temporary).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
