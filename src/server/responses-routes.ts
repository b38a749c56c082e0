import type { FastifyPluginAsync } from 'fastify';
import { handleGeneration } from './handle-generation.js';
import { RAW_JSON_BODY } from './json-body-parser.js';
import type { ProtocolRoutesOptions } from './openai-routes.js';
import { sendError } from './send-error.js';
import { renderOpenAiStreamError } from './stream-error-events.js';

/** OpenAI Responses clients (Codex, the openai SDK's responses API); every backend is reached by conversion. */
export const responsesRoutes: FastifyPluginAsync<ProtocolRoutesOptions> = async (app, { gateway, authenticate }) => {
  app.setErrorHandler((error, _request, reply) => sendError(reply, 'openai-responses', error));
  app.addHook('onRequest', async (request) => authenticate(request));
  app.post('/v1/responses', { config: RAW_JSON_BODY }, (request, reply) =>
    handleGeneration(request, reply, gateway, 'openai-responses', renderOpenAiStreamError),
  );
};
