import { access } from 'node:fs/promises';
import type { Logger } from 'pino';
import { ConfigError } from '../../config/config-error.js';
import type { GatewayConfig } from '../../config/schema.js';
import {
  ProviderPool,
  createSingleInstancePool,
  loadPoolsFile,
  parseStrategyName,
  stateFilePathFor,
  watchPoolsFile,
  type PoolInstanceConfig,
  type PoolStateStore,
  type PoolsFileWatcher,
  type StrategyName,
} from '../../pool/index.js';
import { createAccountValidator } from '../../providers/account-validation.js';
import type { ProviderAdapter } from '../../providers/provider-adapter.js';
import type { CredentialLock } from '../../providers/shared/oauth/credential-lock.js';
import { createPoolStateBackend } from '../pool-state.js';
import type { ShareUsage } from '../../usage/usage-consumer.js';

/** The pools concern: the pools file (and its watcher), the state store, the provider pool. */
export interface PoolsWiring {
  readonly pool: ProviderPool;
  readonly store: PoolStateStore;
  /** Cross-process OAuth refresh lock (only with Redis). */
  readonly credentialLock?: CredentialLock;
  /** Usage totals across machines (only with Redis). */
  readonly shareUsage?: ShareUsage;
  /** Re-reads the pools file now (SIGHUP); resolves once the new pools are in service. A file created after start is watched from then on. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

function strategiesOf(config: GatewayConfig): { strategy: StrategyName; strategyByGroup: Record<string, StrategyName> } {
  const value = config.POOL_STRATEGY;
  if (typeof value === 'string') return { strategy: parseStrategyName(value) ?? 'round-robin', strategyByGroup: {} };
  const strategyByGroup: Record<string, StrategyName> = {};
  for (const [group, name] of Object.entries(value)) strategyByGroup[group.toLowerCase()] = parseStrategyName(name) ?? 'round-robin';
  return { strategy: strategyByGroup.default ?? 'round-robin', strategyByGroup };
}

/**
 * Groups served by the gateway: every group of the pools file, plus each provider type configured
 * only through config.json keys, as a pool of one (the original's behaviour without a pools file).
 */
function mergeGroups(
  fromFile: ReadonlyMap<string, readonly PoolInstanceConfig[]>,
  adapters: ReadonlyMap<string, ProviderAdapter>,
  settings: Readonly<Record<string, unknown>>,
): Map<string, readonly PoolInstanceConfig[]> {
  const groups = new Map(fromFile);
  for (const adapter of adapters.values()) {
    if (!groups.has(adapter.type) && adapter.isConfigured(settings))
      groups.set(adapter.type, [createSingleInstancePool(adapter.type, `${adapter.type}-config`)]);
  }
  return groups;
}

/** Loads the pools file (when there is one), restores the state store and builds the pool; watches the file for changes. */
export async function wirePools(options: { config: GatewayConfig; adapters: ReadonlyMap<string, ProviderAdapter>; logger: Logger }): Promise<PoolsWiring> {
  const { config, adapters, logger } = options;
  const knownTypes = [...adapters.keys()];
  const validateAccount = createAccountValidator(adapters);
  const settings = config as Readonly<Record<string, unknown>>;
  const poolsPath = config.PROVIDER_POOLS_FILE_PATH;
  const hasPoolsFile = poolsPath !== '' && (await exists(poolsPath));
  if (!hasPoolsFile) logger.info({ file: poolsPath }, 'no provider pools file: each provider configured in config.json is a pool of one');
  let fromFile: ReadonlyMap<string, readonly PoolInstanceConfig[]> = new Map();
  if (hasPoolsFile) {
    try {
      const loaded = await loadPoolsFile(poolsPath, { knownTypes, validateAccount });
      for (const warning of loaded.warnings) logger.warn(`provider pools: ${warning}`);
      fromFile = loaded.pools;
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  }
  const stateBackend = await createPoolStateBackend(config, hasPoolsFile ? stateFilePathFor(poolsPath) : undefined, logger);
  const { store } = stateBackend;
  const { strategy, strategyByGroup } = strategiesOf(config);
  const pool = new ProviderPool({
    groups: mergeGroups(fromFile, adapters, settings),
    globalConfig: settings,
    store,
    strategy,
    strategyByGroup,
    maxErrorCount: config.MAX_ERROR_COUNT,
    rateLimitCooldown: {
      enabled: config.RATE_LIMIT_COOLDOWN_ENABLED,
      ms: config.RATE_LIMIT_COOLDOWN_MS,
      jitterMs: config.RATE_LIMIT_COOLDOWN_JITTER_MS,
      maxMs: config.RATE_LIMIT_COOLDOWN_MAX_MS,
    },
    queueTimeoutMs: config.POOL_QUEUE_TIMEOUT_MS,
    logger,
  });

  const startWatcher = (): PoolsFileWatcher =>
    watchPoolsFile(poolsPath, {
      knownTypes,
      validateAccount,
      onReload: (loaded) => {
        for (const warning of loaded.warnings) logger.warn(`provider pools: ${warning}`);
        pool.replaceGroups({ groups: mergeGroups(loaded.pools, adapters, settings) });
        logger.info({ groups: pool.groups() }, 'provider pools reloaded');
      },
      onError: (error) => logger.error({ error: (error as Error).message }, 'provider pools reload failed; keeping the current pools'),
    });
  let watcher: PoolsFileWatcher | undefined = hasPoolsFile ? startWatcher() : undefined;

  return {
    pool,
    store,
    credentialLock: stateBackend.credentialLock,
    shareUsage: stateBackend.shareUsage,
    // A pools file created after start (by the admin console) is watched from its first reload on.
    async reload() {
      if (!watcher && poolsPath !== '' && (await exists(poolsPath))) watcher = startWatcher();
      await watcher?.reload();
    },
    async close() {
      watcher?.close();
      pool.close();
      await stateBackend.close();
    },
  };
}
