import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * A short, stable id for a client key: the first 12 hex digits of its SHA-256, so usage can be split
 * per key without storing the key. Ids are cached per key (a gateway sees few distinct keys); the
 * cache is bounded so random keys from strangers cannot grow it.
 */
const cache = new Map<string, string>();
const CACHE_LIMIT = 256;

export function keyIdOf(key: string): string {
  let id = cache.get(key);
  if (id === undefined) {
    id = createHash('sha256').update(key).digest('hex').slice(0, 12);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, id);
  }
  return id;
}

/** The key a client presented, wherever its SDK puts it (the places the client auth accepts). */
export function presentedClientKey(headers: IncomingHttpHeaders, query: unknown): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  const googKey = headers['x-goog-api-key'];
  if (typeof googKey === 'string') return googKey;
  const key = (query as Record<string, unknown> | undefined)?.key;
  return typeof key === 'string' ? key : undefined;
}

export function clientKeyId(headers: IncomingHttpHeaders, query: unknown): string | null {
  const key = presentedClientKey(headers, query);
  return key === undefined || key === '' ? null : keyIdOf(key);
}
