import { setTimeout as delay } from 'node:timers/promises';
import { GatewayError } from '../errors/gateway-error.js';
import type { ProviderClient, UpstreamRequest, UpstreamResponse } from '../providers/provider-adapter.js';
import { clientClosedError } from '../upstream/http-client.js';

/** How one request may spend upstream attempts (from REQUEST_MAX_RETRIES, REQUEST_BASE_DELAY, ...). */
export interface RetrySettings {
  /** REQUEST_MAX_RETRIES + 1: upstream attempts per request in all, fallback groups included. */
  readonly maxAttempts: number;
  /** REQUEST_BASE_DELAY: first same-instance retry delay, doubled each time. */
  readonly baseDelayMs: number;
  /** UPSTREAM_STREAM_FIRST_BYTE_TIMEOUT_MS: a streaming attempt without response headers by then fails over. */
  readonly streamFirstByteTimeoutMs: number;
}

export const DEFAULT_RETRY_SETTINGS: RetrySettings = Object.freeze({ maxAttempts: 4, baseDelayMs: 1000, streamFirstByteTimeoutMs: 60_000 });

/** One request's attempt budget: a value owned by that request, spent on other instances first. */
export interface AttemptBudget {
  readonly limit: number;
  used: number;
  /** Same-instance retries so far (each waits twice as long as the one before). */
  sameInstanceRetries: number;
}

export function createAttemptBudget(settings: RetrySettings): AttemptBudget {
  return { limit: Math.max(1, settings.maxAttempts), used: 0, sameInstanceRetries: 0 };
}

/** The backoff before a same-instance retry; the client going away ends it at once. */
export async function waitBeforeSameInstanceRetry(budget: AttemptBudget, baseDelayMs: number, signal: AbortSignal): Promise<void> {
  const ms = baseDelayMs * 2 ** budget.sameInstanceRetries;
  budget.sameInstanceRetries += 1;
  try {
    await delay(ms, undefined, { signal });
  } catch {
    throw clientClosedError();
  }
}

/**
 * Sends a streaming request that must see response headers within `timeoutMs`, else the attempt is
 * aborted and fails as a timeout (the gateway then moves to another instance). The deadline lives
 * here, above every backend, so each one gets it without knowing; it covers a token refresh that
 * hangs too. Once headers arrived the timer is gone and only the body timeout applies.
 */
export async function sendWithFirstByteDeadline(
  client: ProviderClient,
  request: UpstreamRequest,
  timeoutMs: number,
  providerType: string,
): Promise<UpstreamResponse> {
  const attempt = new AbortController();
  const timer = setTimeout(() => attempt.abort(), timeoutMs);
  const signal = AbortSignal.any([request.signal, attempt.signal]);
  try {
    return await client.send({ ...request, signal });
  } catch (error) {
    if (attempt.signal.aborted && !request.signal.aborted) {
      throw new GatewayError('upstream_first_byte_timeout', 'timeout', `${providerType} upstream sent no response headers within ${timeoutMs} ms`, {
        status: 504,
        scope: 'account',
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
