import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/gateway-error.js';
import { estimateInputTokens } from '../protocols/canonical/estimate-tokens.js';
import { encodeModelList } from '../protocols/canonical/model-list.js';
import { getCodec } from '../protocols/codecs.js';
import { abortOnClientClose, handleGeneration, headerText } from './handle-generation.js';
import { RAW_JSON_BODY, requireJsonObject } from './json-body-parser.js';
import type { ProtocolRoutesOptions } from './openai-routes.js';
import { sendError } from './send-error.js';
import { renderGeminiStreamError } from './stream-error-events.js';

const ACTIONS = new Set(['generateContent', 'streamGenerateContent', 'countTokens']);

/** `gemini-2.5-flash:streamGenerateContent` (the model may carry a `provider:` prefix): split at the last colon. */
function parseModelAction(value: string): { model: string; action: string } {
  const colon = value.lastIndexOf(':');
  const action = colon === -1 ? '' : value.slice(colon + 1);
  if (!ACTIONS.has(action)) {
    throw new GatewayError('unknown_method', 'not_found', `Unknown method in models/${value} (use generateContent, streamGenerateContent or countTokens)`, {
      status: 404,
      scope: 'request',
    });
  }
  // The router has already decoded the path once; decoding again would turn `%25E0` into a malformed escape.
  return { model: value.slice(0, colon), action };
}

/** Google Gemini clients (@google/genai, Gemini CLI): generateContent, both stream forms, countTokens, models. */
export const geminiRoutes: FastifyPluginAsync<ProtocolRoutesOptions> = async (app, { gateway, authenticate }) => {
  app.setErrorHandler((error, _request, reply) => sendError(reply, 'gemini', error));
  app.addHook('onRequest', async (request) => authenticate(request));

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const { model, action } = parseModelAction((request.params as { '*': string })['*']);
    if (action === 'countTokens') {
      const body = requireJsonObject(request.body);
      // countTokens may wrap a whole generateContent request, or send contents alone.
      const inner =
        typeof body.generateContentRequest === 'object' && body.generateContentRequest !== null
          ? (body.generateContentRequest as Record<string, unknown>)
          : body;
      return { totalTokens: estimateInputTokens(getCodec('gemini').decodeRequest(inner, { model, stream: false })) };
    }
    const stream = action === 'streamGenerateContent';
    const sse = (request.query as { alt?: string }).alt === 'sse';
    return handleGeneration(request, reply, gateway, 'gemini', renderGeminiStreamError, {
      model,
      stream,
      streamFormat: stream && !sse ? 'json-array' : 'sse',
    });
  };
  app.post('/v1beta/models/*', { config: RAW_JSON_BODY }, handle);
  app.post('/v1/models/*', { config: RAW_JSON_BODY }, handle);

  app.get('/v1beta/models', async (request, reply) => {
    const models = await gateway.listModels({
      pathProvider: request.pathProvider,
      headerProvider: headerText(request.headers['model-provider']),
      signal: abortOnClientClose(reply),
    });
    return encodeModelList(
      'gemini',
      models.map((model) => ({ id: model.id, ownedBy: model.ownedBy })),
    );
  });
};
