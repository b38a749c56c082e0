import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/gateway-error.js';
import type { HealthChecker, ProviderPool } from '../pool/index.js';
import { describeProviders, type ProviderDescription } from '../providers/provider-schemas.js';
import { PROVIDER_ADAPTERS } from '../providers/registry.js';
import { sendError } from './send-error.js';

export interface AdminRoutesOptions {
  readonly pool: ProviderPool;
  readonly healthChecker: HealthChecker;
  readonly authenticate: (request: FastifyRequest) => void;
}

const ACTIONS = ['enable', 'disable', 'reset', 'probe'] as const;
type Action = (typeof ACTIONS)[number];

/**
 * Pool state for operators: every instance's health, load, counters and last error (never its
 * credentials), and actions on one instance. Errors use the OpenAI shape, like the original's API.
 */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, { pool, healthChecker, authenticate }) => {
  app.setErrorHandler((error, _request, reply) => sendError(reply, 'openai-chat', error));
  app.addHook('onRequest', async (request) => authenticate(request));

  app.get('/api/pools', async (request) => {
    const { group } = request.query as { group?: string };
    const groups = group ? [group.toLowerCase()] : pool.groups();
    return {
      groups: groups.map((name) => ({ name, ...pool.summary(name) })),
      timestamp: new Date().toISOString(),
    };
  });

  // Every backend's account fields as JSON Schema (secret ones marked), for the UI's add / edit forms.
  let providers: ProviderDescription[] | undefined;
  app.get('/api/providers', async () => ({ providers: (providers ??= describeProviders(PROVIDER_ADAPTERS)) }));

  app.post('/api/pools/:uuid/:action', async (request) => {
    const { uuid, action } = request.params as { uuid: string; action: string };
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new GatewayError('unknown_action', 'not_found', `Unknown action ${action} (use ${ACTIONS.join(', ')})`, { status: 404, scope: 'request' });
    }
    if (!pool.findInstance(uuid)) throw new GatewayError('unknown_instance', 'not_found', `No pool instance ${uuid}`, { status: 404, scope: 'request' });
    switch (action as Action) {
      case 'enable':
        pool.setDisabled(uuid, false);
        break;
      case 'disable':
        pool.setDisabled(uuid, true);
        break;
      case 'reset':
        pool.reset(uuid);
        break;
      case 'probe': {
        const result = await healthChecker.probeNow(uuid);
        return { uuid, probe: result && { ok: result.ok, model: result.model, durationMs: result.durationMs, error: result.error?.message } };
      }
    }
    return { uuid, item: pool.summary().items.find((item) => item.uuid === uuid) };
  });

  /** The original's health summary: items, counts and summaryHealth against a ratio threshold. */
  app.get('/provider_health', async (request) => {
    const query = request.query as { provider?: string; customName?: string; unhealthRatioThreshold?: string };
    const summary = pool.summary(query.provider?.toLowerCase());
    const items = query.customName ? summary.items.filter((item) => item.name === query.customName) : summary.items;
    const unhealthyCount = items.filter((item) => !item.healthy).length;
    const unhealthyRatio = items.length === 0 ? 0 : unhealthyCount / items.length;
    const threshold = Number(query.unhealthRatioThreshold ?? 0.5);
    return { items, count: items.length, unhealthyCount, unhealthyRatio, summaryHealth: unhealthyRatio <= threshold };
  });
};
