import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/gateway-error.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The key a client sent, from whichever place its SDK puts it. */
function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  const googKey = request.headers['x-goog-api-key'];
  if (typeof googKey === 'string') return googKey;
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.key === 'string') return query.key;
  return undefined;
}

/**
 * Checks REQUIRED_API_KEY in constant time (comparing digests, so the length leaks nothing either).
 * Returns a checker that throws a 401 GatewayError; with no key configured everything passes.
 */
export function createClientAuth(requiredKey: string): (request: FastifyRequest) => void {
  if (requiredKey === '') return () => undefined;
  const expected = digest(requiredKey);
  return (request) => {
    const key = presentedKey(request);
    if (key === undefined || !timingSafeEqual(digest(key), expected)) {
      throw new GatewayError('invalid_api_key', 'client_auth', 'Unauthorized: API key is invalid or missing.', { status: 401, scope: 'request' });
    }
  };
}
