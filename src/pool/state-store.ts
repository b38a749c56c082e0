/**
 * Runtime state of pool instances, kept apart from the user's pools file. The interface is a small
 * key → record store with field patches and counters, so the Redis store (src/redis) maps it onto a hash
 * per instance (HSET / HINCRBY) and sync in batches while reads stay local and synchronous: selection
 * must never await I/O.
 */
import type { SharedSlots } from './shared-slots.js';

export interface LastError {
  readonly message: string;
  readonly kind: string;
  readonly status: number;
  readonly at: number;
}

export interface InstanceState {
  /** False once MAX_ERROR_COUNT consecutive failures (or an auth refusal) happened; probes bring it back. */
  readonly healthy: boolean;
  /** Admin override; undefined follows the pools file's isDisabled. */
  readonly disabled?: boolean;
  /** OAuth token must be refreshed before the instance is used again. */
  readonly needsRefresh: boolean;
  readonly refreshCount: number;
  /** Failures in a row that were the instance's fault; reset by any success. */
  readonly consecutiveErrors: number;
  /** Rate limited as a whole until this time (epoch ms, 0 = not cooling). */
  readonly cooldownUntil: number;
  /** Rate limited for one model only, model → until (epoch ms). */
  readonly modelCooldowns: Readonly<Record<string, number>>;
  /** Quota exhausted until its reset time (epoch ms, 0 = fine). */
  readonly quotaOutUntil: number;
  readonly lastError?: LastError;
  readonly lastUsedAt: number;
  readonly lastSuccessAt: number;
  readonly lastHealthCheckAt: number;
  /** Requests currently holding a slot (process-local meaning; never persisted). */
  readonly inFlight: number;
  readonly usageCount: number;
  /** Total failures ever counted against the instance. */
  readonly errorCount: number;
  /** EWMA of whole-request duration and of time to first byte, ms (undefined until measured). */
  readonly latencyEwmaMs?: number;
  readonly firstByteEwmaMs?: number;
}

export type CounterField = 'inFlight' | 'usageCount' | 'errorCount' | 'consecutiveErrors' | 'refreshCount';

/** Fields whose change can make an instance eligible or ineligible for selection. */
export const ELIGIBILITY_FIELDS: readonly (keyof InstanceState)[] = ['healthy', 'disabled', 'needsRefresh', 'cooldownUntil', 'modelCooldowns', 'quotaOutUntil'];

export function createInitialState(overrides: Partial<InstanceState> = {}): InstanceState {
  return {
    healthy: true,
    needsRefresh: false,
    refreshCount: 0,
    consecutiveErrors: 0,
    cooldownUntil: 0,
    modelCooldowns: {},
    quotaOutUntil: 0,
    lastUsedAt: 0,
    lastSuccessAt: 0,
    lastHealthCheckAt: 0,
    inFlight: 0,
    usageCount: 0,
    errorCount: 0,
    ...overrides,
  };
}

export interface PoolStateStore {
  /** Set by stores shared between processes: concurrency slots counted across all of them. */
  readonly slots?: SharedSlots;
  /** Reads persisted state (call once before use). */
  load(): Promise<void>;
  /** Seeds an instance's state unless the store already has it (e.g. from the snapshot). */
  ensure(id: string, initial: InstanceState): void;
  /** Current state; a fresh default for unknown ids. Synchronous: called on the request path. */
  get(id: string): InstanceState;
  /** Sets the given fields, keeps the rest. */
  patch(id: string, change: Partial<InstanceState>): void;
  /** Adds delta to a counter and returns the new value (never below 0). */
  increment(id: string, field: CounterField, delta: number): number;
  /**
   * Counter deltas and field values in one step (a request start touches three fields; one write
   * instead of three, and one round trip for a shared store).
   */
  update(id: string, add: Partial<Record<CounterField, number>>, set: Partial<InstanceState>): void;
  /** Forgets an instance that left the configuration. */
  remove(id: string): void;
  /**
   * Called with the instance id whenever one of ELIGIBILITY_FIELDS changes, from this process or
   * (for shared stores) another one. Returns an unsubscribe function.
   */
  subscribe(listener: (id: string) => void): () => void;
  /** Flushes pending writes and stops timers. */
  close(): Promise<void>;
}
