import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import { createUpstreamError } from '../../upstream/upstream-error.js';
import { classifyQwenError, msUntilBeijingMidnight } from './qwen-errors.js';

describe('classifyQwenError', () => {
  it('turns an exhausted daily quota into kind quota, retryable at midnight Beijing time', () => {
    const now = Date.parse('2026-11-25T10:00:00Z'); // 18:00 in Beijing: 6 hours to midnight
    const upstream = createUpstreamError(
      429,
      {},
      JSON.stringify({ error: { code: 'insufficient_quota', message: 'Free allocated quota exceeded.', type: 'insufficient_quota' } }),
      'openai-qwen-oauth',
    );
    expect(classifyQwenError(upstream, now)).toMatchObject({
      kind: 'quota',
      status: 429,
      message: 'Free allocated quota exceeded.',
      detail: { retryAfterMs: 6 * 3_600_000, scope: 'account' },
    });
  });

  it('recognises quota by message on a 403, and leaves other errors alone', () => {
    const forbidden = createUpstreamError(403, {}, JSON.stringify({ error: { message: 'quota exceeded for today' } }), 'openai-qwen-oauth');
    expect(classifyQwenError(forbidden)).toMatchObject({ kind: 'quota', status: 429 });
    const limited = createUpstreamError(429, { 'retry-after': '3' }, '{"error":{"message":"slow down"}}', 'openai-qwen-oauth');
    expect(classifyQwenError(limited)).toBe(limited);
    const auth = new GatewayError('upstream_401', 'auth', 'invalid access token or token expired', { status: 401 });
    expect(classifyQwenError(auth)).toBe(auth);
  });

  it('counts to the next midnight in UTC+8', () => {
    expect(msUntilBeijingMidnight(Date.parse('2026-11-25T16:00:00Z'))).toBe(24 * 3_600_000);
    expect(msUntilBeijingMidnight(Date.parse('2026-11-25T15:59:59Z'))).toBe(1000);
  });
});
