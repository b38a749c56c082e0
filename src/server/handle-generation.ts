import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Gateway } from '../gateway/gateway.js';
import type { GatewayError } from '../errors/gateway-error.js';
import type { ProtocolId } from '../protocols/protocol-id.js';
import { requireRawJsonObject } from './json-body-parser.js';
import { sendJson, sendStream } from './send-result.js';

export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** An AbortSignal that fires when the client goes away before the response is complete. */
export function abortOnClientClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The thin part every generation route shares: hand the request to the gateway, write what comes back. */
export async function handleGeneration(
  request: FastifyRequest,
  reply: FastifyReply,
  gateway: Gateway,
  protocol: ProtocolId,
  renderErrorEvent: (error: GatewayError) => string,
  overrides: { model?: string; stream?: boolean; streamFormat?: 'sse' | 'json-array' } = {},
): Promise<unknown> {
  const json = requireRawJsonObject(request.body);
  const bodyModel = overrides.model === undefined ? json.get('model') : undefined;
  const model = overrides.model ?? (typeof bodyModel === 'string' ? bodyModel : undefined);
  const stream = overrides.stream ?? json.get('stream') === true;
  const result = await gateway.run({
    requestId: request.id,
    protocol,
    json,
    // Materialised only for code that reads the whole body (conversion, prompt logs).
    get body() {
      return json.toObject();
    },
    model,
    stream,
    pathProvider: request.pathProvider,
    headerProvider: headerText(request.headers['model-provider']),
    headers: request.headers,
    signal: abortOnClientClose(reply),
    log: request.gatewayLog,
    streamFormat: overrides.streamFormat,
  });
  if (result.kind === 'stream') return sendStream(reply, result, renderErrorEvent);
  return sendJson(reply, result, protocol);
}
