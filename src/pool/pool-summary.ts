/**
 * The health view the original served at /provider_health, extended for the admin API: counters,
 * cooldowns and latency per instance. Built from instances and state only, so no credential leaks.
 */
import { isAvailableAt } from './health.js';
import type { PoolInstance } from './pool-instance.js';
import type { InstanceState, LastError } from './state-store.js';

export interface PoolSummaryItem {
  readonly uuid: string;
  readonly name: string;
  readonly group: string;
  readonly providerType: string;
  readonly healthy: boolean;
  readonly disabled: boolean;
  /** Selectable right now for a model with no model-specific cooldown. */
  readonly available: boolean;
  readonly needsRefresh: boolean;
  readonly inFlight: number;
  readonly queued: number;
  readonly usageCount: number;
  readonly errorCount: number;
  readonly consecutiveErrors: number;
  readonly lastUsedAt: number;
  readonly lastError?: LastError;
  readonly cooldownUntil: number;
  readonly modelCooldowns: Readonly<Record<string, number>>;
  readonly quotaOutUntil: number;
  readonly latencyEwmaMs?: number;
  readonly firstByteEwmaMs?: number;
}

export interface PoolSummary {
  readonly items: PoolSummaryItem[];
  readonly count: number;
  readonly unhealthyCount: number;
  readonly unhealthyRatio: number;
}

export function summarizeInstances(
  instances: readonly PoolInstance[],
  stateOf: (id: string) => InstanceState,
  queuedOf: (id: string) => number,
  now: number,
): PoolSummary {
  const items = instances.map((instance): PoolSummaryItem => {
    const state = stateOf(instance.id);
    const modelCooldowns = Object.fromEntries(Object.entries(state.modelCooldowns).filter(([, until]) => until > now));
    return {
      uuid: instance.id,
      name: instance.name,
      group: instance.group,
      providerType: instance.providerType,
      healthy: state.healthy,
      disabled: state.disabled ?? instance.isDisabled,
      available: isAvailableAt(state, '', now, instance.isDisabled),
      needsRefresh: state.needsRefresh,
      inFlight: state.inFlight,
      queued: queuedOf(instance.id),
      usageCount: state.usageCount,
      errorCount: state.errorCount,
      consecutiveErrors: state.consecutiveErrors,
      lastUsedAt: state.lastUsedAt,
      lastError: state.lastError,
      cooldownUntil: state.cooldownUntil,
      modelCooldowns,
      quotaOutUntil: state.quotaOutUntil,
      latencyEwmaMs: state.latencyEwmaMs,
      firstByteEwmaMs: state.firstByteEwmaMs,
    };
  });
  const unhealthyCount = items.filter((item) => !item.healthy).length;
  return { items, count: items.length, unhealthyCount, unhealthyRatio: items.length === 0 ? 0 : unhealthyCount / items.length };
}
