import type { FastifyReply } from 'fastify';
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';
import { errorBodyFor } from '../protocols/error-bodies.js';
import type { ProtocolId } from '../protocols/protocol-id.js';

/** Maps framework and unknown errors to GatewayErrors; internals never reach the client. */
export function toGatewayError(error: unknown): GatewayError {
  if (isGatewayError(error)) return error;
  const record = error as { code?: string; statusCode?: number; message?: string };
  if (record?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new GatewayError('body_too_large', 'payload_too_large', 'Request body is larger than the configured limit (REQUEST_BODY_LIMIT_MB)', {
      status: 413,
      scope: 'request',
    });
  }
  if (typeof record?.statusCode === 'number' && record.statusCode >= 400 && record.statusCode < 500) {
    return new GatewayError(record.code ?? 'bad_request', record.statusCode === 404 ? 'not_found' : 'invalid_request', record.message ?? 'Bad request', {
      status: record.statusCode,
      scope: 'request',
    });
  }
  return new GatewayError('internal_error', 'internal', 'internal error', { status: 500, cause: error });
}

/**
 * The error a client of this reply is told about. A bug of the gateway (anything the edge did not
 * classify) is logged with its stack, and the client gets only "internal error" and the request id
 * to quote, never the exception's text.
 */
export function clientErrorOf(reply: FastifyReply, error: unknown): GatewayError {
  const gatewayError = toGatewayError(error);
  reply.request.gatewayLog.error = gatewayError.code;
  reply.request.gatewayLog.errorKind = gatewayError.kind;
  if (gatewayError.kind !== 'internal') return gatewayError;
  const requestId = reply.request.id;
  reply.log.error({ err: isGatewayError(error) ? (error.detail.cause ?? error) : error, requestId }, 'internal error');
  return new GatewayError(gatewayError.code, 'internal', `internal error (request id ${requestId})`, { status: 500, scope: 'request' });
}

/** Sends an error in the client protocol's own body shape and status. */
export function sendError(reply: FastifyReply, protocol: ProtocolId, error: unknown): FastifyReply {
  const gatewayError = clientErrorOf(reply, error);
  if (gatewayError.detail.retryAfterMs !== undefined && (gatewayError.status === 429 || gatewayError.status === 503)) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(gatewayError.detail.retryAfterMs / 1000))));
  }
  return reply.code(gatewayError.status).type('application/json').send(errorBodyFor(protocol, gatewayError));
}

/** Guesses the protocol of a path for 404s and errors outside a protocol's routes. */
export function protocolOfPath(url: string): ProtocolId {
  if (url.startsWith('/v1/messages')) return 'claude';
  if (url.startsWith('/v1beta')) return 'gemini';
  return 'openai-chat';
}
