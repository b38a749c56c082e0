import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/gateway-error.js';
import type { AuthThrottle } from './auth-throttle.js';
import { presentedKey } from './presented-key.js';

/** Throws 429 while the request's address is throttled, else counts a failure and throws 401 unless `accepts`. */
export type Authenticate = (request: FastifyRequest) => void;

export function throttledError(retryAfterMs: number): GatewayError {
  return new GatewayError('too_many_auth_failures', 'rate_limit', 'Too many failed authentication attempts from this address; retry later.', {
    status: 429,
    scope: 'request',
    retryAfterMs,
  });
}

export function unauthorizedError(): GatewayError {
  return new GatewayError('invalid_api_key', 'client_auth', 'Unauthorized: API key is invalid or missing.', { status: 401, scope: 'request' });
}

/**
 * Wraps a credential test with the brute-force throttle shared by client and admin auth. Only a wrong
 * key counts as a failure: a request with none guesses nothing (a console page asking whether it is
 * logged in, a client not yet configured).
 */
export function createKeyAuthenticator(accepts: (request: FastifyRequest) => boolean, throttle: AuthThrottle): Authenticate {
  return (request) => {
    const wait = throttle.blockedFor(request.ip);
    if (wait !== undefined) throw throttledError(wait);
    if (accepts(request)) return;
    if (presentedKey(request) !== undefined) throttle.recordFailure(request.ip);
    throw unauthorizedError();
  };
}
