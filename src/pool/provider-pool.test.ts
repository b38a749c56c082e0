import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/gateway-error.js';
import { createTestPool, pickIds, poolConfigs, upstreamError } from './pool-test-helpers.js';

const count = (ids: string[]) => Object.fromEntries([...new Set(ids)].map((id) => [id, ids.filter((other) => other === id).length]));

describe('ProviderPool selection', () => {
  it('spreads 30 requests over 3 instances evenly with round-robin', async () => {
    const { pool } = createTestPool({ 'openai-custom': ['a', 'b', 'c'] });
    expect(count(await pickIds(pool, 'openai-custom', 'gpt-4o', 30))).toEqual({ a: 10, b: 10, c: 10 });
  });

  it('honours weights with weighted round-robin', async () => {
    const { pool } = createTestPool(
      {
        'openai-custom': [
          { uuid: 'a', weight: 3 },
          { uuid: 'b', weight: 1 },
        ],
      },
      { strategy: 'weighted-round-robin' },
    );
    expect(count(await pickIds(pool, 'openai-custom', 'm', 40))).toEqual({ a: 30, b: 10 });
  });

  it('uses the per-group strategy over the global one', async () => {
    const { pool } = createTestPool(
      { 'openai-custom': [{ uuid: 'a', weight: 3 }, 'b'], 'openai-custom-team2': [{ uuid: 'x', weight: 3 }, 'y'] },
      { strategy: 'weighted-round-robin', strategyByGroup: { 'openai-custom-team2': 'round-robin' } },
    );
    expect(count(await pickIds(pool, 'openai-custom-team2', 'm', 4))).toEqual({ x: 2, y: 2 });
  });

  it('filters by model and never picks disabled instances', async () => {
    const { pool } = createTestPool({
      'claude-custom': [
        { uuid: 'only-haiku', supportedModels: ['haiku'] },
        { uuid: 'no-opus', notSupportedModels: ['opus'] },
        { uuid: 'off', isDisabled: true },
      ],
    });
    expect(count(await pickIds(pool, 'claude-custom', 'haiku', 4))).toEqual({ 'only-haiku': 2, 'no-opus': 2 });
    expect(count(await pickIds(pool, 'claude-custom', 'sonnet', 2))).toEqual({ 'no-opus': 2 });
    await expect(pool.acquire('claude-custom', 'opus')).rejects.toMatchObject({
      code: 'no_healthy_instance',
      status: 503,
      message: 'no healthy instance of claude-custom supports model opus',
    });
    pool.setDisabled('off', false);
    expect(await pickIds(pool, 'claude-custom', 'opus', 1)).toEqual(['off']);
  });

  it('serves a custom group with its adapter type, instance keys over global config', async () => {
    const { pool } = createTestPool({ 'openai-custom-team2': ['t1'] });
    const lease = await pool.acquire('OpenAI-Custom-Team2', 'm');
    expect(lease.instance).toMatchObject({ group: 'openai-custom-team2', providerType: 'openai-custom', config: { GLOBAL: 'yes', KEY: 'key-t1' } });
    expect(pool.hasGroup('openai-custom-team2')).toBe(true);
    expect(pool.groups()).toEqual(['openai-custom-team2']);
  });

  it('never picks an excluded instance and reports 503 when all were tried', async () => {
    const { pool } = createTestPool({ 'openai-custom': ['a', 'b'] });
    const lease = await pool.acquire('openai-custom', 'm', { exclude: new Set(['a']) });
    expect(lease.instance.id).toBe('b');
    await expect(pool.acquire('openai-custom', 'm', { exclude: new Set(['a', 'b']) })).rejects.toMatchObject({ code: 'no_healthy_instance' });
    await expect(pool.acquire('unknown-group', 'm')).rejects.toMatchObject({ code: 'no_healthy_instance' });
  });
});

describe('ProviderPool passive health', () => {
  it('skips an instance after MAX_ERROR_COUNT consecutive failures and a success resets the streak', async () => {
    const { pool } = createTestPool({ 'openai-custom': ['a', 'b'] }, { maxErrorCount: 3 });
    const fail = async (id: string) => {
      const lease = await pool.acquire('openai-custom', 'm', { exclude: new Set(id === 'a' ? ['b'] : ['a']) });
      lease.release({ kind: 'failure', error: upstreamError('upstream', { status: 500 }) });
    };
    await fail('a');
    await fail('a');
    (await pool.acquire('openai-custom', 'm', { exclude: new Set(['b']) })).release({ kind: 'success', firstByteMs: 5 });
    expect(pool.summary().items.find((item) => item.uuid === 'a')?.consecutiveErrors).toBe(0);
    for (let attempt = 0; attempt < 3; attempt += 1) await fail('a');
    expect(await pickIds(pool, 'openai-custom', 'm', 3)).toEqual(['b', 'b', 'b']);
    expect(pool.summary()).toMatchObject({ count: 2, unhealthyCount: 1, unhealthyRatio: 0.5 });
  });

  it('never counts client errors or cancellations', async () => {
    const { pool } = createTestPool({ 'openai-custom': ['a'] }, { maxErrorCount: 1 });
    (await pool.acquire('openai-custom', 'm')).release({ kind: 'failure', error: upstreamError('invalid_request') });
    (await pool.acquire('openai-custom', 'm')).release({ kind: 'cancelled' });
    expect(pool.summary().items[0]).toMatchObject({ healthy: true, errorCount: 0, inFlight: 0, usageCount: 2 });
  });

  it('cools an instance down for Retry-After after a 429 and brings it back', async () => {
    const { pool, clock } = createTestPool({ 'openai-custom': ['a', 'b'] });
    const lease = await pool.acquire('openai-custom', 'm');
    lease.release({ kind: 'failure', error: upstreamError('rate_limit', { retryAfterMs: 20_000 }) });
    expect(await pickIds(pool, 'openai-custom', 'm', 2)).toEqual(['b', 'b']);
    clock.advance(20_000);
    expect(await pickIds(pool, 'openai-custom', 'm', 2)).toEqual(['a', 'b']);
  });

  it('with RATE_LIMIT_COOLDOWN_ENABLED false a 429 without Retry-After cools nothing, one with it still cools', async () => {
    const { pool, clock } = createTestPool({ 'openai-custom': ['a'] }, { rateLimitCooldown: { enabled: false } });
    (await pool.acquire('openai-custom', 'm')).release({ kind: 'failure', error: upstreamError('rate_limit') });
    expect(await pickIds(pool, 'openai-custom', 'm', 1)).toEqual(['a']);
    (await pool.acquire('openai-custom', 'm')).release({ kind: 'failure', error: upstreamError('rate_limit', { retryAfterMs: 9000 }) });
    await expect(pool.acquire('openai-custom', 'm')).rejects.toMatchObject({ code: 'no_healthy_instance' });
    clock.advance(9000);
    expect(await pickIds(pool, 'openai-custom', 'm', 1)).toEqual(['a']);
  });

  it('a model-scoped 429 cools only that model', async () => {
    const { pool } = createTestPool({ 'openai-custom': ['a'] });
    (await pool.acquire('openai-custom', 'm1')).release({ kind: 'failure', error: upstreamError('rate_limit', { retryAfterMs: 5000, scope: 'model' }) });
    await expect(pool.acquire('openai-custom', 'm1')).rejects.toMatchObject({ code: 'no_healthy_instance', detail: { retryAfterMs: 5000 } });
    expect(await pickIds(pool, 'openai-custom', 'm2', 1)).toEqual(['a']);
  });

  it('all down: 503 naming group and model with a Retry-After', async () => {
    const { pool } = createTestPool({ 'claude-custom': ['a'] }, { maxErrorCount: 1 });
    (await pool.acquire('claude-custom', 'x')).release({ kind: 'failure', error: upstreamError('network') });
    const error = await pool.acquire('claude-custom', 'x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      kind: 'upstream',
      status: 503,
      message: 'no healthy instance of claude-custom supports model x',
      detail: { retryAfterMs: 30_000 },
    });
  });

  it('OAuth refresh marks and probe results steer selection', async () => {
    const { pool } = createTestPool({ 'gemini-cli-oauth': ['g1', 'g2'] });
    pool.markNeedsRefresh('g1', true);
    expect(await pickIds(pool, 'gemini-cli-oauth', 'm', 2)).toEqual(['g2', 'g2']);
    pool.markNeedsRefresh('g1', false);
    pool.recordProbeFailure('g2', 'm', upstreamError('timeout'));
    expect(await pickIds(pool, 'gemini-cli-oauth', 'm', 2)).toEqual(['g1', 'g1']);
    pool.markHealthy('g2');
    expect(new Set(await pickIds(pool, 'gemini-cli-oauth', 'm', 2))).toEqual(new Set(['g1', 'g2']));
  });

  it('ignores a second release of the same lease', async () => {
    const { pool } = createTestPool({ 'openai-custom': ['a'] }, { maxErrorCount: 1 });
    const lease = await pool.acquire('openai-custom', 'm');
    lease.release({ kind: 'success', firstByteMs: 1 });
    lease.release({ kind: 'failure', error: upstreamError('network') });
    expect(pool.summary().items[0]).toMatchObject({ healthy: true, inFlight: 0 });
  });
});

describe('ProviderPool hot reload and summary', () => {
  it('keeps the state of unchanged instances, drops removed ones, adds new ones', async () => {
    const { pool } = createTestPool({ 'openai-custom': ['a', 'b'] }, { maxErrorCount: 1 });
    (await pool.acquire('openai-custom', 'm')).release({ kind: 'failure', error: upstreamError('network') });
    const inFlight = await pool.acquire('openai-custom', 'm');
    pool.replaceGroups({ groups: new Map([['openai-custom', poolConfigs('openai-custom', ['a', 'c'])]]) });
    expect(pool.instances('openai-custom').map((instance) => instance.id)).toEqual(['a', 'c']);
    expect(pool.summary().items.find((item) => item.uuid === 'a')?.healthy).toBe(false);
    inFlight.release({ kind: 'success', firstByteMs: 1 }); // b is gone: nothing breaks
    expect(await pickIds(pool, 'openai-custom', 'm', 2)).toEqual(['c', 'c']);
  });

  it('summarizes without credentials', async () => {
    const { pool } = createTestPool({ 'openai-custom': [{ uuid: 'a', customName: 'Main' }] });
    await pickIds(pool, 'openai-custom', 'm', 1);
    const summary = pool.summary('openai-custom');
    expect(summary.items[0]).toMatchObject({ uuid: 'a', name: 'Main', healthy: true, available: true, usageCount: 1, firstByteEwmaMs: 10 });
    expect(JSON.stringify(summary)).not.toContain('key-a');
  });
});
