import type { FastifyPluginAsync } from 'fastify';
import { estimateInputTokens } from '../protocols/canonical/estimate-tokens.js';
import { getCodec } from '../protocols/codecs.js';
import { handleGeneration } from './handle-generation.js';
import { RAW_JSON_BODY, requireJsonObject } from './json-body-parser.js';
import type { ProtocolRoutesOptions } from './openai-routes.js';
import { sendError } from './send-error.js';
import { renderClaudeStreamError } from './stream-error-events.js';

/** Anthropic Messages clients (Claude Code, @anthropic-ai/sdk); `?beta=true` is the same route. */
export const claudeRoutes: FastifyPluginAsync<ProtocolRoutesOptions> = async (app, { gateway, authenticate }) => {
  app.setErrorHandler((error, _request, reply) => sendError(reply, 'claude', error));
  app.addHook('onRequest', async (request) => authenticate(request));
  app.post('/v1/messages', { config: RAW_JSON_BODY }, (request, reply) => handleGeneration(request, reply, gateway, 'claude', renderClaudeStreamError));
  // An estimate from the text (about 4 characters a token): enough for clients that budget context.
  app.post('/v1/messages/count_tokens', async (request) => ({
    input_tokens: estimateInputTokens(getCodec('claude').decodeRequest(requireJsonObject(request.body), {})),
  }));
};
