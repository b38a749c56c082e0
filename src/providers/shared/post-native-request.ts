import type { UpstreamHttpClient } from '../../upstream/http-client.js';
import { passthroughResponse, type UpstreamRequest, type UpstreamResponse } from '../provider-adapter.js';

/**
 * The whole send() of a backend that takes the native body as it is over plain HTTP: POST it as JSON
 * with the backend's auth headers, asking for SSE when streaming, and hand back the answer's bytes.
 */
export async function postNativeRequest(
  http: UpstreamHttpClient,
  options: { url: string; headers: Record<string, string>; request: UpstreamRequest; providerType: string },
): Promise<UpstreamResponse> {
  const { request } = options;
  const response = await http.send({
    method: 'POST',
    url: options.url,
    headers: { 'content-type': 'application/json', ...options.headers, accept: request.stream ? 'text/event-stream' : 'application/json' },
    body: request.body,
    signal: request.signal,
    providerType: options.providerType,
  });
  return passthroughResponse(response);
}
