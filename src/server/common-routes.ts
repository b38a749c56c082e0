import type { FastifyPluginAsync } from 'fastify';
import { encodeModelList } from '../protocols/canonical/model-list.js';
import { abortOnClientClose, headerText } from './handle-generation.js';
import type { ProtocolRoutesOptions } from './openai-routes.js';
import { sendError } from './send-error.js';

/** Routes that belong to no single protocol: health, the HEAD probe, model lists. */
export const commonRoutes: FastifyPluginAsync<ProtocolRoutesOptions> = async (app, { gateway, authenticate, browserHome }) => {
  app.head('/', async (_request, reply) => reply.code(200).send());
  app.get('/', async (request, reply) => {
    // A person typing the address gets the console; scripts and health checks keep the JSON.
    if (browserHome && String(request.headers.accept ?? '').includes('text/html')) return reply.redirect(browserHome, 302);
    return { name: 'aiclient2api', status: 'ok' };
  });
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
      return encodeModelList(
        protocol,
        models.map((model) => ({ id: model.id, ownedBy: model.ownedBy })),
      );
    } catch (error) {
      return sendError(reply, protocol, error);
    }
  });
};
