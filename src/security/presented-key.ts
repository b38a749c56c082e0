import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** The key a client sent, from whichever place its SDK puts it. */
export function presentedKey(request: FastifyRequest): string | undefined {
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

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares candidates with a secret in constant time (digests, so the length leaks nothing either). */
export function createSecretMatcher(secret: string): (candidate: string | undefined) => boolean {
  const expected = digest(secret);
  return (candidate) => candidate !== undefined && timingSafeEqual(digest(candidate), expected);
}
