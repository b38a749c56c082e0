import type { Dispatcher } from 'undici';
import { createProxyDispatcher } from './proxy-dispatcher.js';
import { loginProxyUrl } from './proxy-url.js';

const LOGIN_TIMEOUTS = { connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 };
const cache = new Map<string, Dispatcher>();

/**
 * The dispatcher a CLI login's plain fetch calls use: through PROXY_URL when the provider type is in
 * PROXY_ENABLED_PROVIDERS, else undefined (undici's default, direct). One per proxy URL per process.
 */
export function loginDispatcher(providerType: string, settings: Readonly<Record<string, unknown>>): Dispatcher | undefined {
  const proxyUrl = loginProxyUrl(providerType, settings);
  if (proxyUrl === undefined) return undefined;
  let dispatcher = cache.get(proxyUrl);
  if (dispatcher === undefined) {
    dispatcher = createProxyDispatcher(proxyUrl, LOGIN_TIMEOUTS);
    cache.set(proxyUrl, dispatcher);
  }
  return dispatcher;
}
