/**
 * The gateway's retry loop in miniature, over mock instances: how pool, failover and fallback fit
 * together. The gateway owns the real loop (and the rule that failover stops once bytes reached the
 * client); this test pins the pool-side behaviour it relies on.
 */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/gateway-error.js';
import { type FallbackOptions, resolveFallbackTargets, shouldFailover } from './failover.js';
import { isPoolUnavailableError } from './pool-errors.js';
import type { PoolInstance } from './pool-instance.js';
import { createTestPool, upstreamError } from './pool-test-helpers.js';
import type { ProviderPool } from './provider-pool.js';

type Send = (instance: PoolInstance, model: string) => Promise<string>;

async function serve(pool: ProviderPool, group: string, model: string, send: Send, fallback: FallbackOptions = {}, maxAttempts = 4) {
  let firstError: unknown;
  for (const target of resolveFallbackTargets(group, model, { ...fallback, isConfigured: (name) => pool.hasGroup(name) })) {
    const tried = new Set<string>();
    for (let attempt = 1; ; attempt += 1) {
      let lease;
      try {
        lease = await pool.acquire(target.group, target.model, { exclude: tried });
      } catch (error) {
        firstError ??= error;
        if (isPoolUnavailableError(error)) break; // this target cannot serve: next fallback target
        throw error;
      }
      tried.add(lease.instance.id);
      try {
        const body = await send(lease.instance, target.model);
        lease.release({ kind: 'success', firstByteMs: 5 });
        return { body, served: `${target.group}/${lease.instance.id}`, tried: [...tried] };
      } catch (caught) {
        const error = caught as GatewayError;
        lease.release({ kind: 'failure', error });
        firstError = error;
        if (!shouldFailover(error, attempt, maxAttempts)) throw error;
      }
    }
  }
  throw firstError;
}

const behaviours: Record<string, () => Promise<string>> = {
  ok: async () => 'hello',
  500: async () => Promise.reject(upstreamError('upstream', { status: 500 })),
  reset: async () => Promise.reject(upstreamError('network')),
  hang: async () => Promise.reject(upstreamError('timeout')), // the gateway's timeout turned a hang into this
  400: async () => Promise.reject(upstreamError('invalid_request')),
};
const byName: Send = (instance) => (behaviours[instance.name.split(':')[0] ?? 'ok'] ?? behaviours.ok!)();

describe('failover flow', () => {
  it.each(['500', 'reset', 'hang'])('moves past an instance that fails with %s, never retrying it', async (failure) => {
    const { pool } = createTestPool({ 'openai-custom': [{ uuid: 'bad', customName: failure }, { uuid: 'good', customName: 'ok' }] });
    const result = await serve(pool, 'openai-custom', 'm', byName);
    expect(result).toEqual({ body: 'hello', served: 'openai-custom/good', tried: ['bad', 'good'] });
  });

  it('does not fail over on a client error', async () => {
    const { pool } = createTestPool({ 'openai-custom': [{ uuid: 'a', customName: '400' }, 'b'] });
    await expect(serve(pool, 'openai-custom', 'm', byName)).rejects.toMatchObject({ kind: 'invalid_request' });
    expect(pool.summary().items[0]?.errorCount).toBe(0);
  });

  it('falls back across protocols when the group is all down, then to the model mapping', async () => {
    const { pool } = createTestPool({
      'claude-kiro-oauth': [{ uuid: 'k1', customName: '500' }],
      'openai-custom': [{ uuid: 'o1', customName: 'ok', supportedModels: ['gpt-4o'] }],
    });
    const fallback = {
      providerFallbackChain: { 'claude-kiro-oauth': ['claude-custom', 'openai-custom'] },
      modelFallbackMapping: { 'claude-opus-4': { targetProviderType: 'openai-custom', targetModel: 'gpt-4o' } },
    };
    const result = await serve(pool, 'claude-kiro-oauth', 'claude-opus-4', byName, fallback);
    expect(result.served).toBe('openai-custom/o1');
  });

  it('reports the first failure when nothing at all can serve', async () => {
    const { pool } = createTestPool({ 'claude-custom': [{ uuid: 'c1', customName: 'ok', isDisabled: true }] });
    const error = await serve(pool, 'claude-custom', 'x', byName).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 503, message: 'no healthy instance of claude-custom supports model x' });
  });

  it('is bounded by the attempt limit', async () => {
    const { pool } = createTestPool({ 'openai-custom': ['a', 'b', 'c', 'd'].map((uuid) => ({ uuid, customName: '500' })) });
    await expect(serve(pool, 'openai-custom', 'm', byName, {}, 2)).rejects.toMatchObject({ status: 500 });
    expect(pool.summary().items.map((item) => item.usageCount)).toEqual([1, 1, 0, 0]);
  });
});
