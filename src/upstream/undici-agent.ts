import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, Dispatcher } from 'undici';

/**
 * undici's connection-pooling Agent and its `request` call, loaded without the rest of the package.
 * `import 'undici'` loads 110 modules (fetch, WebSocket, EventSource, caches, mocks: 1.1 MB of source)
 * and costs about 7 MB of idle RSS; these two files and what they need are a fifth of that. undici
 * has no `exports` map, so its files are addressable; the package's own index does the same wiring
 * (it puts `request` on Dispatcher.prototype, which this module leaves alone). Code that needs more
 * of undici (proxies, say) imports 'undici' itself, lazily, when that feature is on.
 */
const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;

const request = require('undici/lib/api/api-request.js') as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/** `dispatcher.request(options)` without needing undici's API on the dispatcher's prototype. */
export function sendRequest(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return request.call(dispatcher, options);
}
