import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import type { ProviderPool } from '../pool/index.js';
import type { ProviderClient } from '../providers/provider-adapter.js';
import { clientKeyId } from './client-key-id.js';
import type { ShareUsage } from './usage-consumer.js';
import { loadModelPrices } from './model-prices.js';
import { toUsageRecord, type RequestEnd, type UsageRecord } from './usage-record.js';

/** One consumer of finished requests (the usage store, the metrics). */
export interface OutcomeConsumer {
  observe(record: UsageRecord, end: RequestEnd): void;
  register(app: FastifyInstance, authenticate: (request: FastifyRequest) => void): Promise<void>;
  close(): Promise<void>;
}

/**
 * Usage accounting and metrics as the gateway sees them: one call per finished generation request,
 * routes for the admin API, and a close. Undefined when both are off: nothing is loaded then.
 */
export interface Accounting {
  /** Called once per generation request when its response has ended. */
  observe(end: RequestEnd): void;
  register(app: FastifyInstance, authenticate: (request: FastifyRequest) => void): Promise<void>;
  close(): Promise<void>;
}

export async function wireAccounting(options: {
  config: GatewayConfig;
  pool: ProviderPool;
  /** The provider client of a pool instance, for its quota endpoint. */
  clientOf: (uuid: string) => ProviderClient | undefined;
  logger: Logger;
  /** With REDIS_URL: `/api/usage` adds the totals of gateways on other machines. */
  shareUsage?: ShareUsage;
}): Promise<Accounting | undefined> {
  const { config, logger } = options;
  if (!config.USAGE_ENABLED && !config.METRICS_ENABLED) return undefined;
  const price = await loadModelPrices(config.MODEL_PRICES_FILE_PATH);
  const consumers: OutcomeConsumer[] = [];
  if (config.USAGE_ENABLED) {
    const { createUsageConsumer } = await import('./usage-consumer.js');
    consumers.push(
      await createUsageConsumer({ file: config.USAGE_DB_PATH, retentionDays: config.USAGE_RETENTION_DAYS, logger, shareUsage: options.shareUsage }),
    );
  }
  if (config.METRICS_ENABLED) {
    const { createMetricsConsumer } = await import('../metrics/metrics-consumer.js');
    consumers.push(await createMetricsConsumer({ pool: options.pool, public: config.METRICS_PUBLIC, workers: config.WORKERS }));
  }
  const { createQuotaConsumer } = await import('../quotas/quota-consumer.js');
  consumers.push(createQuotaConsumer({ instances: () => options.pool.summary().items, clientOf: options.clientOf, cacheSeconds: config.QUOTA_CACHE_SECONDS }));
  return {
    observe(end) {
      const record = toUsageRecord(end, clientKeyId(end.headers, end.query), Date.now(), price);
      for (const consumer of consumers) consumer.observe(record, end);
    },
    async register(app, authenticate) {
      for (const consumer of consumers) await consumer.register(app, authenticate);
    },
    async close() {
      for (const consumer of consumers) await consumer.close();
    },
  };
}
