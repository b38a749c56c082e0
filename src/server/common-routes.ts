import type { FastifyPluginAsync } from 'fastify';
import { abortOnClientClose } from './handle-generation.js';
import type { ProtocolRoutesOptions } from './openai-routes.js';
import { sendError } from './send-error.js';

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Routes that belong to no single protocol: health, the HEAD probe, model lists. */
export const commonRoutes: FastifyPluginAsync<ProtocolRoutesOptions> = async (app, { gateway, authenticate }) => {
  app.head('/', async (_request, reply) => reply.code(200).send());
  app.get('/', async () => ({ name: 'aiclient2api', status: 'ok' }));
  app.get('/health', async () => ({
    status: 'healthy',
    timestamp: new Date().toISOString(),
    provider: gateway.directory.defaultProvider ?? null,
  }));

  app.get('/v1/models', async (request, reply) => {
    // Anthropic clients send anthropic-version: they get Anthropic's list and error shapes.
    const anthropic = request.headers['anthropic-version'] !== undefined;
    const protocol = anthropic ? 'claude' : 'openai-chat';
    try {
      authenticate(request);
      const models = await gateway.listModels({
        pathProvider: request.pathProvider,
        headerProvider: headerText(request.headers['model-provider']),
        signal: abortOnClientClose(reply),
      });
      if (anthropic) {
        return {
          data: models.map((model) => ({ type: 'model', id: model.id, display_name: model.id, created_at: '1970-01-01T00:00:00Z' })),
          has_more: false,
          first_id: models[0]?.id ?? null,
          last_id: models.at(-1)?.id ?? null,
        };
      }
      return { object: 'list', data: models.map((model) => ({ id: model.id, object: 'model', created: 0, owned_by: model.ownedBy })) };
    } catch (error) {
      return sendError(reply, protocol, error);
    }
  });
};
