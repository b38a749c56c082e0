import type { IncomingMessage } from 'node:http';
import { PATH_PROVIDER, type RawRequestWithProvider } from './request-state.js';

/**
 * fastify's rewriteUrl hook: `/claude-custom/v1/messages` becomes `/v1/messages` with the provider
 * remembered on the request. Only known provider names are stripped; any other segment is a path.
 */
export function createProviderPathRewriter(isProviderName: (name: string) => boolean): (request: IncomingMessage) => string {
  return (request) => {
    const url = request.url ?? '/';
    if (url.length < 2 || url.charCodeAt(0) !== 0x2f) return url;
    let end = 1;
    while (end < url.length) {
      const code = url.charCodeAt(end);
      if (code === 0x2f || code === 0x3f) break;
      end += 1;
    }
    const segment = url.slice(1, end);
    if (!isProviderName(segment)) return url;
    (request as IncomingMessage & RawRequestWithProvider)[PATH_PROVIDER] = segment;
    const rest = url.slice(end);
    return rest === '' || rest.charCodeAt(0) === 0x3f ? `/${rest}` : rest;
  };
}
