import type { GatewayError } from '../errors/gateway-error.js';
import type { ProtocolId } from './protocol-id.js';

/**
 * Each client protocol's own error body, so a Claude client gets a Claude error and a Gemini client a
 * Gemini one, with the upstream's type kept when it was passed through.
 */
export function openaiErrorType(error: GatewayError): string {
  if (error.detail.upstreamType && !error.detail.upstreamType.includes(' ')) return error.detail.upstreamType;
  switch (error.kind) {
    case 'auth':
    case 'client_auth':
      return error.status === 403 ? 'permission_error' : 'authentication_error';
    case 'rate_limit':
      return 'rate_limit_error';
    case 'quota':
      return 'insufficient_quota';
    case 'not_found':
      return 'not_found_error';
    case 'invalid_request':
    case 'payload_too_large':
      return 'invalid_request_error';
    case 'timeout':
      return 'timeout_error';
    default:
      return 'server_error';
  }
}

const CLAUDE_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
  'billing_error',
  'timeout_error',
]);

export function claudeErrorType(error: GatewayError): string {
  const upstream = error.detail.upstreamType;
  if (upstream && CLAUDE_TYPES.has(upstream)) return upstream;
  switch (error.kind) {
    case 'auth':
    case 'client_auth':
      return error.status === 403 ? 'permission_error' : 'authentication_error';
    case 'rate_limit':
    case 'quota':
      return 'rate_limit_error';
    case 'not_found':
      return 'not_found_error';
    case 'invalid_request':
      return 'invalid_request_error';
    case 'payload_too_large':
      return 'request_too_large';
    case 'overloaded':
      return 'overloaded_error';
    case 'timeout':
      return 'timeout_error';
    default:
      return 'api_error';
  }
}

export function geminiErrorStatus(error: GatewayError): string {
  switch (error.status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 413:
      return 'INVALID_ARGUMENT';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 501:
      return 'UNIMPLEMENTED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return error.status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION';
  }
}

export function openaiErrorBody(error: GatewayError): unknown {
  return {
    error: {
      message: error.message,
      type: openaiErrorType(error),
      code: error.detail.upstreamCode ?? null,
      param: error.detail.param ?? null,
    },
  };
}

export function claudeErrorBody(error: GatewayError): unknown {
  return { type: 'error', error: { type: claudeErrorType(error), message: error.message } };
}

export function geminiErrorBody(error: GatewayError): unknown {
  return { error: { code: error.status, message: error.message, status: geminiErrorStatus(error) } };
}

/** The error body a client of `protocol` expects (OpenAI Responses uses the OpenAI shape outside a stream). */
export function errorBodyFor(protocol: ProtocolId, error: GatewayError): unknown {
  switch (protocol) {
    case 'claude':
      return claudeErrorBody(error);
    case 'gemini':
      return geminiErrorBody(error);
    default:
      return openaiErrorBody(error);
  }
}
