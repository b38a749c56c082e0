import { GatewayError } from '../errors/gateway-error.js';

/** The first string `code` on an error or its causes (undici nests the socket's error). */
export function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function clientClosedError(): GatewayError {
  return new GatewayError('client_closed', 'network', 'The client closed the request', { status: 499, scope: 'request' });
}

/** Turns undici's transport errors into GatewayErrors: unreachable is 502, a timeout 504. */
export function toTransportError(error: unknown, providerType: string, signal?: AbortSignal): GatewayError {
  if (error instanceof GatewayError) return error;
  if (signal?.aborted) return clientClosedError();
  const code = errorCodeOf(error) ?? 'UNKNOWN';
  const detail = (error as Error)?.message ?? String(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') {
    return new GatewayError('upstream_timeout', 'timeout', `${providerType} upstream timed out (${code})`, {
      status: 504,
      scope: 'account',
      cause: error,
    });
  }
  return new GatewayError('upstream_unreachable', 'network', `${providerType} upstream unreachable (${code}: ${detail})`, {
    status: 502,
    scope: 'account',
    cause: error,
  });
}
