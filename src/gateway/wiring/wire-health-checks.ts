import type { Logger } from 'pino';
import type { GatewayConfig } from '../../config/schema.js';
import { HealthChecker, type ProviderPool } from '../../pool/index.js';
import type { ProviderAdapter } from '../../providers/provider-adapter.js';
import type { PoolInstanceSelector } from '../pool-instance-selector.js';

/**
 * The health-check concern: probes an instance with a minimal valid request of its own backend,
 * on a schedule when SCHEDULED_HEALTH_CHECK is on and on demand (admin API) always.
 */
export function wireHealthChecks(options: {
  config: GatewayConfig;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  pool: ProviderPool;
  selector: PoolInstanceSelector;
  logger: Logger;
}): HealthChecker {
  const { config, adapters, pool, selector, logger } = options;
  const healthChecker = new HealthChecker({
    target: pool,
    // The signal carries the hard timeout.
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
  return healthChecker;
}
