/** The errors the pool itself raises; the server renders them in the client's protocol. */
import { GatewayError } from '../errors/gateway-error.js';

/** Retry-After when nothing is cooling down, only unhealthy or disabled: a probe may bring one back. */
const UNAVAILABLE_RETRY_MS = 30_000;

/** 503: nothing in the group can serve the model now (or every eligible instance was already tried). */
export function createNoInstanceError(group: string, model: string, now: number, nextChangeAt = Number.POSITIVE_INFINITY): GatewayError {
  const retryAfterMs = Number.isFinite(nextChangeAt) ? Math.max(1000, nextChangeAt - now) : UNAVAILABLE_RETRY_MS;
  return new GatewayError('no_healthy_instance', 'upstream', `no healthy instance of ${group} supports model ${model}`, {
    status: 503,
    retryAfterMs,
  });
}

/** 429: every candidate is at its concurrency limit and its queue is full (or the wait timed out). */
export function createSaturatedError(group: string, model: string, retryAfterMs: number, timedOut = false): GatewayError {
  const message = timedOut
    ? `timed out waiting for a free instance of ${group} for model ${model}`
    : `every instance of ${group} for model ${model} is busy and its queue is full`;
  return new GatewayError(timedOut ? 'pool_queue_timeout' : 'pool_saturated', 'rate_limit', message, {
    status: 429,
    retryAfterMs,
  });
}

/** True for the pool's own "cannot serve" errors: the gateway moves on to the next fallback target. */
export function isPoolUnavailableError(error: unknown): error is GatewayError {
  return error instanceof GatewayError && (error.code === 'no_healthy_instance' || error.code === 'pool_saturated' || error.code === 'pool_queue_timeout');
}
