import type { ProviderPool } from '../pool/index.js';
import type { OutcomeConsumer } from '../usage/wire-accounting.js';
import { GatewayMetrics } from './gateway-metrics.js';

/** Prometheus metrics (prom-client, loaded only when METRICS_ENABLED) and `GET /metrics`. */
export function createMetricsConsumer(options: { pool: ProviderPool; public: boolean }): OutcomeConsumer & { metrics: GatewayMetrics } {
  const metrics = new GatewayMetrics(() => options.pool.summary().items);
  return {
    metrics,
    observe: (record, end) => metrics.observe(record, end),
    register: async (app, authenticate) => {
      app.get('/metrics', async (request, reply) => {
        if (!options.public) authenticate(request);
        const text = await metrics.registry.metrics();
        return reply.type(metrics.registry.contentType).send(text);
      });
    },
    close: async () => metrics.registry.clear(),
  };
}
