import cluster from 'node:cluster';
import { GatewayError } from '../errors/gateway-error.js';
import type { ProviderPool } from '../pool/index.js';
import type { OutcomeConsumer } from '../usage/wire-accounting.js';
import { GatewayMetrics } from './gateway-metrics.js';

/** Prometheus metrics (prom-client, loaded only when METRICS_ENABLED) and `GET /metrics`. */
export async function createMetricsConsumer(options: {
  pool: ProviderPool;
  public: boolean;
  /** WORKERS: above 1, a worker answers a scrape with every worker's metrics, gathered by the primary. */
  workers?: number;
}): Promise<OutcomeConsumer & { metrics: GatewayMetrics }> {
  const metrics = new GatewayMetrics(() => options.pool.summary().items);
  let scrape = () => metrics.registry.metrics();
  if ((options.workers ?? 1) > 1 && cluster.isWorker) {
    const { clusterScrape } = await import('./cluster-metrics.js');
    scrape = clusterScrape(metrics.registry);
  }
  return {
    metrics,
    observe: (record, end) => metrics.observe(record, end),
    register: async (app, authenticate) => {
      app.get('/metrics', async (request, reply) => {
        if (!options.public) authenticate(request);
        let text: string;
        try {
          text = await scrape();
        } catch (error) {
          // One worker's numbers alone would make every counter jump between scrapes: no answer instead.
          throw new GatewayError('metrics_unavailable', 'timeout', `Metrics not available: ${(error as Error).message}`, { status: 503 });
        }
        return reply.type(metrics.registry.contentType).send(text);
      });
    },
    close: async () => metrics.registry.clear(),
  };
}
