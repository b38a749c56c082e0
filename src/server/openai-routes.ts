import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Gateway } from '../gateway/gateway.js';
import { handleGeneration } from './handle-generation.js';
import { RAW_JSON_BODY } from './json-body-parser.js';
import { sendError } from './send-error.js';
import { renderOpenAiStreamError } from './stream-error-events.js';

export interface ProtocolRoutesOptions {
  gateway: Gateway;
  authenticate: (request: FastifyRequest) => void;
  /** Where GET / sends a browser (the admin console), when it is on. */
  browserHome?: string;
}

/** OpenAI Chat Completions clients (openai SDK, Cline, most IDE plugins). */
export const openaiRoutes: FastifyPluginAsync<ProtocolRoutesOptions> = async (app, { gateway, authenticate }) => {
  app.setErrorHandler((error, _request, reply) => sendError(reply, 'openai-chat', error));
  app.addHook('onRequest', async (request) => authenticate(request));
  app.post('/v1/chat/completions', { config: RAW_JSON_BODY }, (request, reply) =>
    handleGeneration(request, reply, gateway, 'openai-chat', renderOpenAiStreamError),
  );
};
