/** The pool layer's public surface: the gateway imports from here. */
export {
  type FallbackOptions,
  type FallbackTarget,
  type ModelFallbackMapping,
  type ProviderFallbackChain,
  resolveFallbackTargets,
  shouldFailover,
  shouldRetrySameInstance,
} from './failover.js';
export { DEFAULT_HEALTH_POLICY, type FailureClass, type HealthPolicy, type RateLimitCooldownPolicy, classifyFailure } from './health.js';
export { HealthChecker, type HealthCheckerOptions, type HealthCheckTarget, type ProbeFunction, type ProbeResult } from './health-checker.js';
export type { Lease, LeaseOutcome } from './lease.js';
export { MemoryPoolStateStore, type MemoryPoolStateStoreOptions, stateFilePathFor } from './memory-state-store.js';
export { createNoInstanceError, createSaturatedError, isPoolUnavailableError } from './pool-errors.js';
export type { PoolGroupConfig } from './pool-groups.js';
export { type PoolInstance, supportsModel } from './pool-instance.js';
export type { PoolLogger } from './pool-logger.js';
export type { PoolSummary, PoolSummaryItem } from './pool-summary.js';
export { type PoolsFileWatcher, type PoolsFileWatcherOptions, watchPoolsFile } from './pools-file-watcher.js';
export {
  type InitialInstanceState,
  type LoadedPools,
  type ParsePoolsOptions,
  type PoolInstanceConfig,
  createSingleInstancePool,
  loadPoolsFile,
  parsePools,
  resolveAdapterType,
} from './pools-file.js';
export { type AcquireOptions, ProviderPool, type ProviderPoolOptions } from './provider-pool.js';
export type { SharedSlots } from './shared-slots.js';
export { type CounterField, ELIGIBILITY_FIELDS, type InstanceState, type LastError, type PoolStateStore, createInitialState } from './state-store.js';
export { STRATEGY_NAMES, type StrategyName, createStrategy, parseStrategyName } from './strategies/index.js';
