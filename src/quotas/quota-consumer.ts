import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';
import type { PoolSummaryItem } from '../pool/index.js';
import type { ProviderClient } from '../providers/provider-adapter.js';
import { sendError } from '../server/send-error.js';
import type { OutcomeConsumer } from '../usage/wire-accounting.js';
import { QuotaService } from './quota-service.js';

export interface QuotaWiring {
  readonly instances: () => readonly PoolSummaryItem[];
  /** The provider client of a pool instance (created on first use, as for requests). */
  readonly clientOf: (uuid: string) => ProviderClient | undefined;
  readonly cacheSeconds: number;
}

/** A failed quota read says what failed without passing on anything unexpected. */
function describeFailure(error: unknown): string {
  if (isGatewayError(error)) return error.message;
  if ((error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError') return 'the quota request timed out';
  return 'the quota request failed';
}

/** `/api/quotas`: per instance what its backend reports, read on demand; rate-limit headers taken as answers pass. */
export function createQuotaConsumer(wiring: QuotaWiring): OutcomeConsumer {
  const service = new QuotaService(
    {
      instances: wiring.instances,
      fetcher: (uuid) => {
        const client = wiring.clientOf(uuid);
        const fetchQuota = client?.fetchQuota;
        if (!client || !fetchQuota) return undefined;
        return async (signal) => {
          try {
            return await fetchQuota.call(client, signal);
          } catch (error) {
            throw new Error(describeFailure(error));
          }
        };
      },
    },
    wiring.cacheSeconds * 1000,
  );
  const routes: FastifyPluginAsync<{ authenticate: (request: FastifyRequest) => void }> = async (app, { authenticate }) => {
    app.setErrorHandler((error, _request, reply) => sendError(reply, 'openai-chat', error));
    app.addHook('onRequest', async (request) => authenticate(request));
    app.get('/api/quotas', async (request) => {
      const query = request.query as { provider?: unknown; instance?: unknown };
      for (const name of ['provider', 'instance'] as const) {
        if (query[name] !== undefined && typeof query[name] !== 'string') {
          throw new GatewayError('invalid_parameter', 'invalid_request', `${name}: expected one value`, { status: 400, scope: 'request', param: name });
        }
      }
      const instances = await service.list(
        { provider: (query.provider as string | undefined)?.toLowerCase(), instance: query.instance as string | undefined },
        Date.now(),
      );
      return { instances, timestamp: new Date().toISOString() };
    });
  };
  return {
    observe: (record, end) => service.observeHeaders(record.instance, end.log.upstreamHeaders, record.time),
    register: async (app, authenticate) => {
      await app.register(routes, { authenticate });
    },
    close: async () => undefined,
  };
}
