import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import type { HealthChecker, ProviderPool } from '../pool/index.js';
import { PROVIDER_ADAPTERS } from '../providers/registry.js';
import type { UpstreamHttpClient } from '../upstream/http-client.js';
import { Gateway } from './gateway.js';
import type { PromptLog } from './prompt-log.js';
import { loadSystemPrompt } from './wiring/load-system-prompt.js';
import { wireHealthChecks } from './wiring/wire-health-checks.js';
import { wireLogging } from './wiring/wire-logging.js';
import { wirePools } from './wiring/wire-pools.js';
import { checkConfigAccounts, createUpstreamHttpClient, wireProviders } from './wiring/wire-providers.js';
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

/**
 * Wires config into a ready gateway. Each concern wires itself in its own module under `wiring/`
 * (and loads nothing when it is off); this function only orders them and closes them in reverse.
 */
export async function createGatewayRuntime(options: {
  config: GatewayConfig;
  providers: readonly string[];
  logger: Logger;
  cwd: string;
}): Promise<GatewayRuntime> {
  const { config, logger } = options;
  const adapters = PROVIDER_ADAPTERS;
  checkConfigAccounts(config, adapters);
  const http = createUpstreamHttpClient(config);
  const pools = await wirePools({ config, adapters, logger });
  const { selector, directory } = await wireProviders({
    config,
    adapters,
    pool: pools.pool,
    http,
    providers: options.providers,
    logger,
    credentialLock: pools.credentialLock,
  });
  const healthChecker = wireHealthChecks({ config, adapters, pool: pools.pool, selector, logger });
  const promptLog = await wireLogging({ config, cwd: options.cwd, logger });
  const accounting = await wireAccounting({
    config,
    pool: pools.pool,
    logger,
    shareUsage: pools.shareUsage,
    clientOf: (uuid) => {
      const instance = pools.pool.findInstance(uuid);
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
    systemPrompt: await loadSystemPrompt(config, logger),
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
    pool: pools.pool,
    healthChecker,
    http,
    promptLog,
    reloadPools: () => pools.reload(),
    accounting,
    async close() {
      healthChecker.stop();
      // Accounting first: with Redis, its last usage sums still go out on the open connection.
      await accounting?.close();
      await pools.close();
      await promptLog.close();
    },
  };
}
