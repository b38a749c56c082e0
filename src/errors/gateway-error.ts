/**
 * One error type for the whole gateway. `kind` tells the pool what happened, `scope` who is at fault,
 * and the server renders it in the client's own protocol.
 */
import { maskSecrets } from '../security/mask-secrets.js';

export type ErrorKind =
  | 'auth' // the upstream refused our credentials (401/403)
  | 'client_auth' // the gateway refused the client's key
  | 'rate_limit' // 429 or a concurrency queue that is full
  | 'quota' // exhausted quota with a reset time
  | 'invalid_request' // the request itself is wrong (client's fault, never the account's)
  | 'not_found'
  | 'not_implemented'
  | 'payload_too_large'
  | 'upstream' // 5xx or an unusable upstream answer
  | 'timeout'
  | 'network'
  | 'overloaded'
  | 'internal';

export type ErrorScope = 'request' | 'account' | 'model';

export interface GatewayErrorDetail {
  /** HTTP status to answer the client with. */
  status?: number;
  scope?: ErrorScope;
  retryAfterMs?: number;
  /** The upstream's own error type string (e.g. `overloaded_error`), kept when passing an error through. */
  upstreamType?: string;
  /** The upstream's own error code (OpenAI `code`), kept when passing through. */
  upstreamCode?: string | number | null;
  param?: string | null;
  cause?: unknown;
}

const DEFAULT_STATUS: Record<ErrorKind, number> = {
  auth: 401,
  client_auth: 401,
  rate_limit: 429,
  quota: 429,
  invalid_request: 400,
  not_found: 404,
  not_implemented: 501,
  payload_too_large: 413,
  upstream: 502,
  timeout: 504,
  network: 502,
  overloaded: 529,
  internal: 500,
};

export class GatewayError extends Error {
  readonly status: number;
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly detail: GatewayErrorDetail = {},
  ) {
    // Messages carry upstream text, which may echo a key or token: masked here, they stay masked in
    // error answers, logs, the admin API and the pool state file.
    super(maskSecrets(message), detail.cause === undefined ? undefined : { cause: detail.cause });
    this.name = 'GatewayError';
    this.status = detail.status ?? DEFAULT_STATUS[kind];
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/** Maps an HTTP status (from an upstream or a framework error) to the error kind the pool understands. */
export function kindFromStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limit';
  if (status === 402) return 'quota';
  if (status === 529) return 'overloaded';
  if (status >= 500) return 'upstream';
  return 'invalid_request';
}
