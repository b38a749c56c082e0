import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ProtocolId } from '../protocols/protocol-id.js';
import type { UpstreamHttpClient, UpstreamHttpResponse } from '../upstream/http-client.js';
import type { CredentialLock } from './shared/oauth/credential-lock.js';

/** One call to a backend, already in the backend's native protocol. */
export interface UpstreamRequest {
  readonly model: string;
  readonly stream: boolean;
  /** JSON body in the adapter's native protocol. */
  readonly body: Buffer;
  /** The client's headers, for the few a backend forwards (e.g. anthropic-beta). */
  readonly clientHeaders: IncomingHttpHeaders;
  readonly signal: AbortSignal;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  /** Bytes in the native protocol's wire format: SSE when streaming, JSON otherwise. */
  readonly body: AsyncIterable<Buffer>;
  /** The body's exact length when the upstream said so (and did not compress it): lets a passthrough answer skip chunked framing. */
  readonly contentLength?: number;
  /** The upstream's response headers (rate-limit headers are read from them for quotas). */
  readonly headers?: IncomingHttpHeaders;
}

/** An HTTP backend's answer as it is: its bytes, type and, when it is plain, its length. */
export function passthroughResponse(response: UpstreamHttpResponse): UpstreamResponse {
  const { headers } = response;
  const type = headers['content-type'];
  const length = headers['content-length'];
  const plain = headers['content-encoding'] === undefined || headers['content-encoding'] === 'identity';
  const contentLength = plain && typeof length === 'string' && /^\d{1,15}$/.test(length) ? Number(length) : undefined;
  return { status: response.status, contentType: typeof type === 'string' ? type : undefined, body: response.body, contentLength, headers };
}

export interface ModelInfo {
  readonly id: string;
  readonly ownedBy: string;
}

/** One configured account of a backend (a pool instance, or the keys of config.json). */
export interface ProviderClient {
  /** Throws a GatewayError for transport failures and non-2xx answers. */
  send(request: UpstreamRequest): Promise<UpstreamResponse>;
  listModels(signal: AbortSignal): Promise<ModelInfo[]>;
  /** The account's quota as the backend reports it (`/api/quotas`), for backends with a quota endpoint. */
  fetchQuota?(signal: AbortSignal): Promise<Record<string, unknown>>;
}

export interface ProviderDependencies {
  readonly http: UpstreamHttpClient;
  readonly logger: Logger;
  /** Held around OAuth refreshes when several gateway processes share credentials (REDIS_URL). */
  readonly credentialLock?: CredentialLock;
}

export interface CliLoginContext {
  /** config.json values (flag > file > default), for credential paths and base URLs. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly cwd: string;
  /** Where to print instructions and progress for the person logging in. */
  readonly output: NodeJS.WritableStream;
  readonly signal: AbortSignal;
}

/** `aiclient2api auth <command>`: a backend's login, found through the registry. */
export interface CliLogin {
  /** Short name on the command line, e.g. `qwen` for `aiclient2api auth qwen`. */
  readonly command: string;
  readonly summary: string;
  /** Runs the login; throws (ConfigError or GatewayError) with a clear message on failure. */
  run(args: readonly string[], context: CliLoginContext): Promise<void>;
}

/**
 * A login whose module loads when it runs (`aiclient2api auth <command>`), not when the gateway serves:
 * login flows (browser callbacks, device codes) are never needed by a running gateway.
 */
export function loginLoadedOnUse(command: string, summary: string, load: () => Promise<CliLogin>): CliLogin {
  return { command, summary, run: async (args, context) => (await load()).run(args, context) };
}

/** A backend type: one folder under src/providers plus one line in the registry. */
export interface ProviderAdapter {
  readonly type: string;
  readonly protocol: ProtocolId;
  /**
   * One account's fields (keys, base URLs, credential paths, ...), each described, secret ones marked
   * `.meta({ secret: true })`. The pools loader and config loading check accounts against it, and
   * `GET /api/providers` serves it as JSON Schema for the UI's forms.
   */
  readonly accountSchema: z.ZodType<Record<string, unknown>>;
  /** Whether the given settings hold enough to call the backend (e.g. an API key). */
  isConfigured(settings: Readonly<Record<string, unknown>>): boolean;
  /** What is missing, for the error a client gets when it picks an unconfigured provider. */
  readonly setupHint: string;
  createClient(settings: Readonly<Record<string, unknown>>, dependencies: ProviderDependencies): ProviderClient;
  /** Login command, when the backend has one. */
  readonly login?: CliLogin;
  /** True when the backend reports no token counts and the adapter estimates them (marked so in usage records). */
  readonly estimatesUsage?: boolean;
  /** A minimal valid request for health probes. */
  readonly healthCheck: { readonly defaultModel: string; body(model: string): Record<string, unknown> };
}

export function stringSetting(settings: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = settings[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
