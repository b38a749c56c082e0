import { GatewayError } from '../../errors/gateway-error.js';

const QUOTA_CODES = new Set(['insufficient_quota', 'quota_exceeded']);
const QUOTA_MESSAGE = /insufficient_quota|quota exceeded|free allocated quota exceeded/i;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** Qwen's free quota is daily and resets at midnight Beijing time (UTC+8): ms from `now` until then. */
export function msUntilBeijingMidnight(now: number): number {
  const beijing = now + BEIJING_OFFSET_MS;
  const nextMidnight = (Math.floor(beijing / 86_400_000) + 1) * 86_400_000;
  return nextMidnight - beijing;
}

function isQuotaError(error: GatewayError): boolean {
  const code = typeof error.detail.upstreamCode === 'string' ? error.detail.upstreamCode : undefined;
  return (code !== undefined && QUOTA_CODES.has(code)) || QUOTA_CODES.has(error.detail.upstreamType ?? '') || QUOTA_MESSAGE.test(error.message);
}

/**
 * Refines the generic upstream error for the pool (providers.md §5.7): an exhausted daily quota
 * (429 or 403 naming it) becomes kind `quota`, answered as 429, retryable at the next Beijing
 * midnight; a plain 429 stays `rate_limit` with the Retry-After the generic parser found.
 */
export function classifyQwenError(error: unknown, now: number = Date.now()): unknown {
  if (!(error instanceof GatewayError) || (error.status !== 429 && error.status !== 403)) return error;
  if (!isQuotaError(error)) return error;
  return new GatewayError('upstream_quota_exhausted', 'quota', error.message, {
    ...error.detail,
    status: 429,
    scope: 'account',
    retryAfterMs: error.detail.retryAfterMs ?? msUntilBeijingMidnight(now),
  });
}
