import { describe, expect, it } from 'vitest';
import { type ErrorKind, GatewayError, type GatewayErrorDetail } from '../errors/gateway-error.js';
import { DEFAULT_HEALTH_POLICY, classifyFailure, cooldownEndsAt, failureEffect, isAvailableAt, successEffect } from './health.js';
import { createInitialState } from './state-store.js';

const NOW = 1_000_000;
const error = (kind: ErrorKind, detail: GatewayErrorDetail = {}) => new GatewayError(`test_${kind}`, kind, `${kind} happened`, detail);
const policy = { ...DEFAULT_HEALTH_POLICY, maxErrorCount: 3 };
const half = () => 0.5;

describe('classifyFailure', () => {
  it.each([
    ['network', {}, 'network'],
    ['timeout', {}, 'timeout'],
    ['upstream', { status: 503 }, 'server'],
    ['overloaded', {}, 'server'],
    ['rate_limit', {}, 'rate_limit'],
    ['quota', {}, 'quota'],
    ['auth', { status: 403 }, 'auth'],
    ['invalid_request', {}, 'client'],
    ['not_found', {}, 'client'],
    ['internal', {}, 'client'],
    ['upstream', { scope: 'request' }, 'client'],
  ] as [ErrorKind, GatewayErrorDetail, string][])('%s %o → %s', (kind, detail, expected) => {
    expect(classifyFailure(error(kind, detail))).toBe(expected);
  });
});

describe('failureEffect', () => {
  it('counts consecutive instance failures however far apart, unhealthy at the limit', () => {
    let state = createInitialState();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      // Each failure an hour after the previous: the original's 10-second window would never trip.
      state = { ...state, ...failureEffect(state, error('network'), 'm', policy, NOW + attempt * 3_600_000, half) };
      expect(state.healthy).toBe(attempt < 3);
    }
    expect(state).toMatchObject({ consecutiveErrors: 3, errorCount: 3, lastError: { kind: 'network', status: 502 } });
    const recovered = { ...state, ...successEffect(state, { firstByteMs: 100, durationMs: 400 }, policy, NOW) };
    expect(recovered).toMatchObject({ healthy: true, consecutiveErrors: 0, errorCount: 3, firstByteEwmaMs: 100 });
  });

  it('never counts a client error', () => {
    expect(failureEffect(createInitialState(), error('invalid_request'), 'm', policy, NOW, half)).toEqual({});
  });

  it.each([
    { name: 'Retry-After wins', detail: { retryAfterMs: 12_000 }, want: { cooldownUntil: NOW + 12_000 } },
    { name: 'configured cooldown with jitter', detail: {}, want: { cooldownUntil: NOW + 30_000 + 2_500 } },
    { name: 'capped at maxMs', detail: { retryAfterMs: 3_600_000 }, want: { cooldownUntil: NOW + 300_000 } },
    { name: 'model scope cools only the model', detail: { retryAfterMs: 5_000, scope: 'model' }, want: { modelCooldowns: { m: NOW + 5_000 } } },
  ] as { name: string; detail: GatewayErrorDetail; want: object }[])('429: $name', ({ detail, want }) => {
    const effect = failureEffect(createInitialState(), error('rate_limit', detail), 'm', policy, NOW, half);
    expect(effect).toMatchObject(want);
    expect(effect.consecutiveErrors).toBeUndefined();
  });

  it('429 with cooldowns disabled changes nothing but the last error', () => {
    const off = { ...policy, rateLimitCooldown: { ...policy.rateLimitCooldown, enabled: false } };
    expect(Object.keys(failureEffect(createInitialState(), error('rate_limit'), 'm', off, NOW, half))).toEqual(['lastError']);
  });

  it('honours a Retry-After on a 429 even with cooldowns disabled (the flag covers only 429s without a hint)', () => {
    const off = { ...policy, rateLimitCooldown: { ...policy.rateLimitCooldown, enabled: false } };
    expect(failureEffect(createInitialState(), error('rate_limit', { retryAfterMs: 2_000 }), 'm', off, NOW, half)).toMatchObject({
      cooldownUntil: NOW + 2_000,
    });
    expect(failureEffect(createInitialState(), error('rate_limit', { retryAfterMs: 2_000, scope: 'model' }), 'm', off, NOW, half)).toMatchObject({
      modelCooldowns: { m: NOW + 2_000 },
    });
  });

  it('a 503 with a Retry-After cools the instance (or the model) for that long without counting an error', () => {
    const off = { ...policy, rateLimitCooldown: { ...policy.rateLimitCooldown, enabled: false } };
    const effect = failureEffect(createInitialState(), error('upstream', { status: 503, retryAfterMs: 3_000 }), 'm', off, NOW, half);
    expect(effect).toMatchObject({ cooldownUntil: NOW + 3_000 });
    expect(effect.consecutiveErrors).toBeUndefined();
    expect(failureEffect(createInitialState(), error('upstream', { status: 503, retryAfterMs: 3_000, scope: 'model' }), 'm', off, NOW, half)).toMatchObject({
      modelCooldowns: { m: NOW + 3_000 },
    });
    // Without a hint a 503 is an ordinary server failure.
    expect(failureEffect(createInitialState(), error('upstream', { status: 503 }), 'm', off, NOW, half)).toMatchObject({ consecutiveErrors: 1 });
  });

  it('drops expired model cooldowns when adding one', () => {
    const state = createInitialState({ modelCooldowns: { old: NOW - 1, live: NOW + 10 } });
    const effect = failureEffect(state, error('rate_limit', { retryAfterMs: 1000, scope: 'model' }), 'm', policy, NOW, half);
    expect(effect.modelCooldowns).toEqual({ live: NOW + 10, m: NOW + 1000 });
  });

  it('quota with a reset time takes the instance out until then, and it comes back by itself', () => {
    const state = { ...createInitialState(), ...failureEffect(createInitialState(), error('quota', { retryAfterMs: 60_000 }), 'm', policy, NOW, half) };
    expect(isAvailableAt(state, 'm', NOW + 59_999)).toBe(false);
    expect(cooldownEndsAt(state, 'm', NOW)).toBe(NOW + 60_000);
    expect(isAvailableAt(state, 'm', NOW + 60_000)).toBe(true);
  });

  it('auth refusal makes the instance unhealthy at once', () => {
    expect(failureEffect(createInitialState(), error('auth'), 'm', policy, NOW, half)).toMatchObject({ healthy: false, consecutiveErrors: 1 });
  });
});

describe('isAvailableAt', () => {
  it.each([
    [{}, false, true],
    [{}, true, false],
    [{ disabled: false }, true, true],
    [{ disabled: true }, false, false],
    [{ healthy: false }, false, false],
    [{ needsRefresh: true }, false, false],
    [{ cooldownUntil: NOW + 1 }, false, false],
    [{ modelCooldowns: { other: NOW + 1 } }, false, true],
    [{ modelCooldowns: { m: NOW + 1 } }, false, false],
  ])('%o, disabled in file %s → %s', (fields, disabledInFile, expected) => {
    expect(isAvailableAt(createInitialState(fields), 'm', NOW, disabledInFile)).toBe(expected);
  });

  it('treats model names that are Object.prototype keys as plain names', () => {
    for (const model of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(isAvailableAt(createInitialState(), model, NOW)).toBe(true);
      const effect = failureEffect(createInitialState(), error('rate_limit', { retryAfterMs: 1000, scope: 'model' }), model, policy, NOW, half);
      const state = { ...createInitialState(), ...effect };
      expect(Object.keys(state.modelCooldowns)).toEqual([model]);
      expect(isAvailableAt(state, model, NOW)).toBe(false);
      expect(isAvailableAt(state, 'other', NOW)).toBe(true);
    }
  });
});
