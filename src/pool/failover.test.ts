import { describe, expect, it } from 'vitest';
import type { ErrorKind, GatewayErrorDetail } from '../errors/gateway-error.js';
import { resolveFallbackTargets, shouldFailover, shouldRetrySameInstance } from './failover.js';
import { upstreamError } from './pool-test-helpers.js';

describe('shouldFailover', () => {
  it.each([
    ['network', {}, 1, 3, true],
    ['timeout', {}, 1, 3, true],
    ['upstream', { status: 500 }, 2, 3, true],
    ['overloaded', {}, 1, 3, true],
    ['rate_limit', { retryAfterMs: 1000 }, 1, 3, true],
    ['quota', {}, 1, 3, true],
    ['auth', { status: 401 }, 1, 3, true],
    ['invalid_request', {}, 1, 3, false],
    ['not_found', {}, 1, 3, false],
    ['internal', {}, 1, 3, false],
    ['upstream', { scope: 'request' }, 1, 3, false],
    ['network', {}, 3, 3, false],
  ] as [ErrorKind, GatewayErrorDetail, number, number, boolean][])('%s %o attempt %i of %i → %s', (kind, detail, attempt, max, expected) => {
    expect(shouldFailover(upstreamError(kind, detail), attempt, max)).toBe(expected);
  });
});

describe('shouldRetrySameInstance (only when no other instance is eligible)', () => {
  it.each([
    ['network', {}, 1, true],
    ['upstream', { status: 502 }, 1, true],
    ['upstream', { status: 503 }, 1, true],
    ['upstream', { status: 503, retryAfterMs: 2000 }, 1, false],
    ['upstream', { status: 500 }, 1, false],
    ['timeout', {}, 1, false],
    ['rate_limit', {}, 1, false],
    ['auth', { status: 401 }, 1, false],
    ['network', { scope: 'request' }, 1, false],
    ['network', {}, 2, false],
  ] as [ErrorKind, GatewayErrorDetail, number, boolean][])('%s %o after %i instance(s) → %s', (kind, detail, tried, expected) => {
    expect(shouldRetrySameInstance(upstreamError(kind, detail), tried)).toBe(expected);
  });
});

describe('resolveFallbackTargets', () => {
  const providerFallbackChain = {
    'claude-kiro-oauth': ['claude-custom', 'openai-custom'],
    'claude-custom': ['gemini-cli-oauth'],
    'openai-custom': ['claude-custom'],
  };
  const modelFallbackMapping = { 'claude-opus-4': { targetProviderType: 'openai-custom', targetModel: 'gpt-4o' } };
  const row = (targets: { group: string; model: string; reason: string }[]) => targets.map((target) => `${target.reason}:${target.group}/${target.model}`);

  it('primary, then the chain in order across protocols, then the model mapping and its chain', () => {
    expect(row(resolveFallbackTargets('claude-kiro-oauth', 'claude-opus-4', { providerFallbackChain, modelFallbackMapping }))).toEqual([
      'primary:claude-kiro-oauth/claude-opus-4',
      'provider-fallback:claude-custom/claude-opus-4',
      'provider-fallback:openai-custom/claude-opus-4',
      'model-fallback:openai-custom/gpt-4o',
      'model-fallback:claude-custom/gpt-4o',
    ]);
  });

  it('is only the primary without configuration', () => {
    expect(row(resolveFallbackTargets('openai-custom', 'gpt-4o'))).toEqual(['primary:openai-custom/gpt-4o']);
  });

  it("a custom group uses its adapter type's chain unless it has its own", () => {
    const adapterTypeOf = (group: string) => group.replace(/-team\d+$/, '');
    expect(row(resolveFallbackTargets('claude-custom-team2', 'm', { providerFallbackChain, adapterTypeOf }))).toEqual([
      'primary:claude-custom-team2/m',
      'provider-fallback:gemini-cli-oauth/m',
    ]);
    const own = { ...providerFallbackChain, 'claude-custom-team2': ['claude-custom'] };
    expect(row(resolveFallbackTargets('Claude-Custom-Team2', 'm', { providerFallbackChain: own, adapterTypeOf }))).toEqual([
      'primary:claude-custom-team2/m',
      'provider-fallback:claude-custom/m',
    ]);
  });

  it('drops unconfigured groups and groups whose model list lacks the model', () => {
    const targets = resolveFallbackTargets('claude-kiro-oauth', 'claude-opus-4', {
      providerFallbackChain,
      modelFallbackMapping,
      isConfigured: (group) => group !== 'claude-custom',
      supportsModel: (group, model) => group !== 'openai-custom' || model === 'gpt-4o',
    });
    expect(row(targets)).toEqual(['primary:claude-kiro-oauth/claude-opus-4', 'model-fallback:openai-custom/gpt-4o']);
  });

  it('never lists a (group, model) twice, even with cycles', () => {
    const cyclic = { a: ['b'], b: ['a'] };
    expect(row(resolveFallbackTargets('a', 'm', { providerFallbackChain: cyclic }))).toEqual(['primary:a/m', 'provider-fallback:b/m']);
  });
});
