import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { createDirectDispatcher, createProxyDispatcher, type DispatcherOptions } from './proxy/proxy-dispatcher.js';
import { clientClosedError, errorCodeOf, toTransportError } from './transport-error.js';
import { sendRequest } from './undici-agent.js';
import { UpstreamBody } from './upstream-body.js';
import { createUpstreamError, readErrorBodyText } from './upstream-error.js';

// Kept importable from here too (older call sites); they live in transport-error.ts.
export { clientClosedError, toTransportError };

export interface HttpClientOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /**
   * Retries of connection failures and 502/503/504 inside send(), for callers outside a client
   * request (logins). Default 0: the gateway spends one attempt budget per request itself, on other
   * instances first, so a broken account is never retried here while another could serve.
   */
  maxRetries?: number;
  baseDelayMs?: number;
  /** Send everything through this proxy (http://, https://, socks5://); see src/upstream/proxy. */
  proxyUrl?: string;
}

export interface UpstreamHttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  signal: AbortSignal;
  /** Used in error messages and for the pool's error classification. */
  providerType: string;
}

export interface UpstreamHttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Its transport failures (reset, timeout, client gone) and unreadable JSON arrive as GatewayErrors. */
  body: UpstreamBody;
}

/** Errors where the request never reached the upstream's application, so sending it again is safe. */
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const RETRYABLE_STATUSES = new Set([502, 503, 504]);
const MAX_CACHED_TARGETS = 1024;

/**
 * Upstream HTTP over undici with one keep-alive connection pool per origin. Optional retries happen
 * before the response is handed on, so nothing has reached the client yet.
 */
export class UpstreamHttpClient {
  private readonly agent: Dispatcher;
  private readonly targets = new Map<string, { origin: string; path: string }>();
  /** Clients for proxied accounts, one per proxy URL, sharing this one's timeouts; closed with it. */
  private readonly proxied = new Map<string, UpstreamHttpClient>();

  constructor(private readonly options: HttpClientOptions) {
    const dispatcherOptions: DispatcherOptions = {
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      connectTimeoutMs: options.connectTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs,
      bodyTimeoutMs: options.bodyTimeoutMs,
    };
    this.agent = options.proxyUrl ? createProxyDispatcher(options.proxyUrl, dispatcherOptions) : createDirectDispatcher(dispatcherOptions);
  }

  /** The undici dispatcher, for the few calls made with undici's fetch (form posts to OAuth servers). */
  get dispatcher(): Dispatcher {
    return this.agent;
  }

  /** A client with the same settings that sends through `proxyUrl` (undefined: this one). Made once per URL. */
  viaProxy(proxyUrl: string | undefined): UpstreamHttpClient {
    if (proxyUrl === undefined || proxyUrl === this.options.proxyUrl) return this;
    let client = this.proxied.get(proxyUrl);
    if (client === undefined) {
      client = new UpstreamHttpClient({ ...this.options, proxyUrl });
      this.proxied.set(proxyUrl, client);
    }
    return client;
  }

  /** Sends the request; a non-2xx answer becomes a GatewayError carrying the upstream's message. */
  async send(upstreamRequest: UpstreamHttpRequest): Promise<UpstreamHttpResponse> {
    const { signal, providerType } = upstreamRequest;
    for (let attempt = 0; ; attempt += 1) {
      const canRetry = attempt < (this.options.maxRetries ?? 0);
      let response: Dispatcher.ResponseData;
      try {
        const { origin, path } = this.target(upstreamRequest.url);
        response = await sendRequest(this.agent, {
          origin,
          path,
          method: upstreamRequest.method,
          headers: upstreamRequest.headers,
          body: upstreamRequest.body,
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw clientClosedError();
        const code = errorCodeOf(error);
        if (canRetry && code && RETRYABLE_CODES.has(code)) {
          await this.backoff(attempt, signal);
          continue;
        }
        throw toTransportError(error, providerType, signal);
      }
      if (response.statusCode >= 200 && response.statusCode < 300) {
        return { status: response.statusCode, headers: response.headers, body: new UpstreamBody(response.body, providerType, signal) };
      }
      if (canRetry && RETRYABLE_STATUSES.has(response.statusCode)) {
        await response.body.dump().catch(() => undefined);
        await this.backoff(attempt, signal);
        continue;
      }
      let text: string;
      try {
        text = await readErrorBodyText(response.body);
      } catch (error) {
        throw toTransportError(error, providerType, signal);
      }
      throw createUpstreamError(response.statusCode, response.headers, text, providerType);
    }
  }

  /** Origin and path of a URL, parsed once: backends use a handful of fixed URLs, and parsing each request showed in profiles. */
  private target(url: string): { origin: string; path: string } {
    let target = this.targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (this.targets.size >= MAX_CACHED_TARGETS) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  private async backoff(attempt: number, signal: AbortSignal): Promise<void> {
    try {
      await delay((this.options.baseDelayMs ?? 1000) * 2 ** attempt, undefined, { signal });
    } catch {
      throw clientClosedError();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.agent.close(), ...[...this.proxied.values()].map((client) => client.close())]);
  }

  /** Ends open upstream sockets at once (shutdown after the grace period). */
  async destroy(): Promise<void> {
    await Promise.all([this.agent.destroy(), ...[...this.proxied.values()].map((client) => client.destroy())]);
  }
}
