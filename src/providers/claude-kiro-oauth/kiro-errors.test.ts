import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import { classifyKiroError, msUntilMonthlyReset } from './kiro-errors.js';

const upstream = (status: number, message: string) => new GatewayError(`upstream_${status}`, 'auth', message, { status, scope: 'account' });

describe('Kiro error classification', () => {
  it.each([
    [401, 'Unauthorized', 'auth', true],
    [403, 'The bearer token included in the request is invalid.', 'auth', true],
    [403, 'Token expired', 'auth', true],
    [403, 'User is not authorized to make this call.', 'auth', false],
    [403, 'Your User ID temporarily is suspended', 'auth', false],
    [403, 'Monthly quota exceeded for this token', 'quota', false],
    [402, 'Payment required', 'quota', false],
    [429, 'Too many requests', 'rate_limit', false],
    [400, 'Improperly formed request.', 'auth', false],
  ] as const)('%s %s -> %s (refresh: %s)', (status, message, kind, needsRefresh) => {
    const failure = classifyKiroError(upstream(status, message));
    expect(failure.error.kind).toBe(kind);
    expect(failure.needsRefresh).toBe(needsRefresh);
    expect(failure.error.status).toBe(status);
  });

  it('puts the monthly reset at 00:00 UTC on the 1st of next month', () => {
    const now = Date.UTC(2026, 10, 25, 12);
    expect(now + msUntilMonthlyReset(now)).toBe(Date.UTC(2026, 11, 1));
    expect(classifyKiroError(upstream(402, 'x')).error.detail.retryAfterMs).toBeGreaterThan(0);
  });
});
