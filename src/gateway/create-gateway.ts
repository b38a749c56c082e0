import { access, readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { ConfigError } from '../config/config-error.js';
import { loadCustomModels } from '../config/custom-models.js';
import type { GatewayConfig } from '../config/schema.js';
import {
  HealthChecker,
  ProviderPool,
  createSingleInstancePool,
  loadPoolsFile,
  parseStrategyName,
  stateFilePathFor,
  watchPoolsFile,
  type PoolInstanceConfig,
  type PoolsFileWatcher,
  type StrategyName,
} from '../pool/index.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { PROVIDER_ADAPTERS } from '../providers/registry.js';
import { UpstreamHttpClient } from '../upstream/http-client.js';
import { redactProxyUrl } from '../upstream/proxy/proxy-url.js';
import { Gateway } from './gateway.js';
import { PoolInstanceSelector } from './pool-instance-selector.js';
import { createPoolStateBackend } from './pool-state.js';
import { createPromptLog, type PromptLog } from './prompt-log.js';
import { ProviderDirectory } from './provider-directory.js';
import type { SystemPromptSettings } from './system-prompt.js';
import { wireAccounting, type Accounting } from '../usage/wire-accounting.js';

export interface GatewayRuntime {
  readonly gateway: Gateway;
  readonly pool: ProviderPool;
  readonly healthChecker: HealthChecker;
  readonly http: UpstreamHttpClient;
  readonly promptLog: PromptLog;
  /** Usage records and metrics; undefined when both are off. */
  readonly accounting: Accounting | undefined;
  /** Re-reads the pools file now (SIGHUP); resolves once the new pools are in service. */
  reloadPools(): Promise<void>;
  close(): Promise<void>;
}

async function readSystemPrompt(file: string, logger: Logger): Promise<string> {
  if (!file) return '';
  try {
    const text = await readFile(file, 'utf8');
    if (text.trim() !== '') logger.info({ file }, 'system prompt override loaded');
    return text.trim() === '' ? '' : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ file, error: (error as Error).message }, 'cannot read system prompt file');
    return '';
  }
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
    if (!groups.has(adapter.type) && adapter.isConfigured(settings)) groups.set(adapter.type, [createSingleInstancePool(adapter.type, `${adapter.type}-config`)]);
  }
  return groups;
}

/** Wires config into a ready gateway: one HTTP client, the provider pool with health checks, the directory. */
export async function createGatewayRuntime(options: {
  config: GatewayConfig;
  providers: readonly string[];
  logger: Logger;
  cwd: string;
}): Promise<GatewayRuntime> {
  const { config, logger } = options;
  const adapters = PROVIDER_ADAPTERS;
  const knownTypes = [...adapters.keys()];
  const http = new UpstreamHttpClient({
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: config.UPSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: config.UPSTREAM_BODY_TIMEOUT_MS,
  });
  const settings = config as Readonly<Record<string, unknown>>;
  if (config.PROXY_URL !== undefined) {
    logger.info({ proxy: redactProxyUrl(config.PROXY_URL), providers: config.PROXY_ENABLED_PROVIDERS }, 'outbound proxy for these provider types (pools entries may set their own PROXY_URL)');
  }
  const poolsPath = config.PROVIDER_POOLS_FILE_PATH;
  const hasPoolsFile = poolsPath !== '' && (await exists(poolsPath));
  if (!hasPoolsFile) logger.info({ file: poolsPath }, 'no provider pools file: each provider configured in config.json is a pool of one');
  let fromFile: ReadonlyMap<string, readonly PoolInstanceConfig[]> = new Map();
  if (hasPoolsFile) {
    try {
      const loaded = await loadPoolsFile(poolsPath, { knownTypes });
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
  const selector = new PoolInstanceSelector(pool, adapters, { http, logger, credentialLock: stateBackend.credentialLock });
  const directory = new ProviderDirectory(
    adapters,
    { has: (name) => pool.hasGroup(name), names: () => pool.groups(), adapterTypeOf: (name) => pool.providerTypeOf(name) },
    options.providers,
    await loadCustomModels(config.CUSTOM_MODELS_FILE_PATH),
  );
  const defaultGroup = options.providers[0] ? directory.get(options.providers[0]) : undefined;
  if (defaultGroup && !defaultGroup.configured) {
    logger.warn(`default provider ${defaultGroup.name} is not configured (${defaultGroup.adapter.setupHint}); requests to it get a 400`);
  }

  const healthChecker = new HealthChecker({
    target: pool,
    // A minimal valid request of the instance's own backend; the signal carries the hard timeout.
    probe: async (instance, model, signal) => {
      const adapter = adapters.get(instance.providerType);
      if (!adapter) return;
      const response = await selector.clientOf(instance).send({
        model,
        stream: false,
        body: Buffer.from(JSON.stringify(adapter.healthCheck.body(model))),
        clientHeaders: {},
        signal,
      });
      for await (const chunk of response.body) void chunk;
    },
    defaultProbeModel: (type) => adapters.get(type)?.healthCheck.defaultModel,
    scheduled: {
      enabled: config.SCHEDULED_HEALTH_CHECK.enabled,
      intervalMs: config.SCHEDULED_HEALTH_CHECK.interval,
      startupRun: config.SCHEDULED_HEALTH_CHECK.startupRun,
    },
    logger,
  });
  healthChecker.start();

  const startWatcher = (): PoolsFileWatcher =>
    watchPoolsFile(poolsPath, {
      knownTypes,
      onReload: (loaded) => {
        for (const warning of loaded.warnings) logger.warn(`provider pools: ${warning}`);
        pool.replaceGroups({ groups: mergeGroups(loaded.pools, adapters, settings) });
        logger.info({ groups: pool.groups() }, 'provider pools reloaded');
      },
      onError: (error) => logger.error({ error: (error as Error).message }, 'provider pools reload failed; keeping the current pools'),
    });
  let watcher: PoolsFileWatcher | undefined = hasPoolsFile ? startWatcher() : undefined;
  /** A pools file created after start (by the admin console) is watched from its first reload on. */
  const reloadPools = async (): Promise<void> => {
    if (!watcher && poolsPath !== '' && (await exists(poolsPath))) watcher = startWatcher();
    await watcher?.reload();
  };

  const systemPrompt: SystemPromptSettings = {
    text: await readSystemPrompt(config.SYSTEM_PROMPT_FILE_PATH, logger),
    mode: config.SYSTEM_PROMPT_MODE,
    replacements: config.SYSTEM_PROMPT_REPLACEMENTS,
  };
  const promptLog = createPromptLog({ mode: config.PROMPT_LOG_MODE, baseName: config.PROMPT_LOG_BASE_NAME, cwd: options.cwd, logger });
  const accounting = await wireAccounting({
    config,
    pool,
    logger,
    shareUsage: stateBackend.shareUsage,
    clientOf: (uuid) => {
      const instance = pool.findInstance(uuid);
      return instance && selector.clientOf(instance);
    },
  });
  const gateway = new Gateway({
    directory,
    selector,
    retry: {
      maxAttempts: config.REQUEST_MAX_RETRIES + 1,
      baseDelayMs: config.REQUEST_BASE_DELAY,
      streamFirstByteTimeoutMs: config.UPSTREAM_STREAM_FIRST_BYTE_TIMEOUT_MS,
    },
    systemPrompt,
    promptLog,
    logger,
    collectUsage: accounting !== undefined,
    fallback: {
      providerFallbackChain: config.providerFallbackChain,
      modelFallbackMapping: config.modelFallbackMapping,
      enabled: Object.keys(config.providerFallbackChain).length > 0 || Object.keys(config.modelFallbackMapping).length > 0,
    },
  });
  return {
    gateway,
    pool,
    healthChecker,
    http,
    promptLog,
    accounting,
    reloadPools,
    async close() {
      healthChecker.stop();
      watcher?.close();
      pool.close();
      // Accounting first: with Redis, its last usage sums still go out on the open connection.
      await accounting?.close();
      await stateBackend.close();
      await promptLog.close();
    },
  };
}
