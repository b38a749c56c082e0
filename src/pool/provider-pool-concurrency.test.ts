import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lease } from './lease.js';
import { MemoryPoolStateStore } from './memory-state-store.js';
import { createTestPool, pickIds, poolConfigs, upstreamError } from './pool-test-helpers.js';
import { ProviderPool } from './provider-pool.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('ProviderPool concurrency', () => {
  it('queues at the limit, rejects with 429 when the queue is full, hands the slot over FIFO', async () => {
    const { pool } = createTestPool({ 'openai-custom': [{ uuid: 'a', concurrencyLimit: 1, queueLimit: 2 }] });
    const first = await pool.acquire('openai-custom', 'm');
    const order: string[] = [];
    const second = pool.acquire('openai-custom', 'm').then((lease) => (order.push('second'), lease));
    const third = pool.acquire('openai-custom', 'm').then((lease) => (order.push('third'), lease));
    await expect(pool.acquire('openai-custom', 'm')).rejects.toMatchObject({
      code: 'pool_saturated',
      kind: 'rate_limit',
      status: 429,
      detail: { retryAfterMs: 1000 },
    });
    expect(pool.summary().items[0]).toMatchObject({ inFlight: 1, queued: 2 });
    first.release({ kind: 'success', firstByteMs: 1 });
    (await second).release({ kind: 'cancelled' });
    (await third).release({ kind: 'cancelled' });
    expect(order).toEqual(['second', 'third']);
    expect(pool.summary().items[0]).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('rejects with 429 when the queue wait times out', async () => {
    vi.useFakeTimers();
    const { pool } = createTestPool({ 'openai-custom': [{ uuid: 'a', concurrencyLimit: 1, queueLimit: 1 }] }, { queueTimeoutMs: 5000 });
    await pool.acquire('openai-custom', 'm');
    const waiting = pool.acquire('openai-custom', 'm');
    const settled = expect(waiting).rejects.toMatchObject({ code: 'pool_queue_timeout', status: 429 });
    vi.advanceTimersByTime(5000);
    await settled;
    expect(pool.summary().items[0]?.queued).toBe(0);
  });

  it('an aborted waiter leaves the queue', async () => {
    const { pool } = createTestPool({ 'openai-custom': [{ uuid: 'a', concurrencyLimit: 1, queueLimit: 1 }] });
    const first = await pool.acquire('openai-custom', 'm');
    const controller = new AbortController();
    const waiting = pool.acquire('openai-custom', 'm', { signal: controller.signal });
    controller.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    first.release({ kind: 'success', firstByteMs: 1 });
    expect(pool.summary().items[0]).toMatchObject({ inFlight: 0, queued: 0 });
    await expect(pool.acquire('openai-custom', 'm', { signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow('early');
  });

  it('prefers a free instance before queueing and queues where there is room', async () => {
    const { pool } = createTestPool({
      'openai-custom': [
        { uuid: 'a', concurrencyLimit: 1, queueLimit: 1 },
        { uuid: 'b', concurrencyLimit: 1, queueLimit: 1 },
      ],
    });
    const leases = [await pool.acquire('openai-custom', 'm'), await pool.acquire('openai-custom', 'm')];
    expect(leases.map((lease) => lease.instance.id)).toEqual(['a', 'b']);
    const queued = [pool.acquire('openai-custom', 'm'), pool.acquire('openai-custom', 'm')];
    expect(pool.summary().items.map((item) => item.queued)).toEqual([1, 1]);
    leases[1]?.release({ kind: 'success', firstByteMs: 1 });
    const granted = await Promise.race(queued);
    expect(granted.instance.id).toBe('b');
  });

  it('moves a waiter elsewhere when its instance turns unhealthy', async () => {
    const { pool } = createTestPool(
      {
        'openai-custom': [
          { uuid: 'a', concurrencyLimit: 1, queueLimit: 1 },
          { uuid: 'b', concurrencyLimit: 1, queueLimit: 1 },
        ],
      },
      { maxErrorCount: 1 },
    );
    const onA = await pool.acquire('openai-custom', 'm');
    const onB = await pool.acquire('openai-custom', 'm');
    const waiting = pool.acquire('openai-custom', 'm'); // queued on a (first with room)
    onA.release({ kind: 'failure', error: upstreamError('network') }); // a is now unhealthy
    onB.release({ kind: 'success', firstByteMs: 1 });
    expect((await waiting).instance.id).toBe('b');
  });

  it('concurrent requests never over-subscribe a concurrencyLimit', async () => {
    const { pool, store } = createTestPool({
      'openai-custom': [
        { uuid: 'a', concurrencyLimit: 2, queueLimit: 50 },
        { uuid: 'b', concurrencyLimit: 3, queueLimit: 50 },
      ],
    });
    let maxA = 0;
    let maxB = 0;
    const work = async (index: number) => {
      const lease = await pool.acquire('openai-custom', 'm');
      maxA = Math.max(maxA, store.get('a').inFlight);
      maxB = Math.max(maxB, store.get('b').inFlight);
      await new Promise((resolve) => setTimeout(resolve, index % 3));
      lease.release({ kind: 'success', firstByteMs: 1 });
    };
    await Promise.all(Array.from({ length: 60 }, (_, index) => work(index)));
    expect(maxA).toBeLessThanOrEqual(2);
    expect(maxB).toBeLessThanOrEqual(3);
    expect(maxA + maxB).toBe(5);
    expect(pool.summary().items.map((item) => item.inFlight)).toEqual([0, 0]);
  });

  it('a reload that raises concurrencyLimit lets waiters in at once', async () => {
    const { pool } = createTestPool({ 'openai-custom': [{ uuid: 'a', concurrencyLimit: 1, queueLimit: 1 }] });
    await pool.acquire('openai-custom', 'm');
    const waiting = pool.acquire('openai-custom', 'm');
    pool.replaceGroups({ groups: new Map([['openai-custom', poolConfigs('openai-custom', [{ uuid: 'a', concurrencyLimit: 2, queueLimit: 1 }])]]) });
    expect((await waiting).instance.concurrencyLimit).toBe(2);
    expect(pool.summary().items[0]).toMatchObject({ inFlight: 2, queued: 0 });
  });

  it('close() rejects waiters', async () => {
    const { pool } = createTestPool({ 'openai-custom': [{ uuid: 'a', concurrencyLimit: 1, queueLimit: 1 }] });
    await pool.acquire('openai-custom', 'm');
    const waiting = pool.acquire('openai-custom', 'm');
    pool.close();
    await expect(waiting).rejects.toMatchObject({ code: 'no_healthy_instance' });
  });
});

describe('ProviderPool at scale (correctness only; timing belongs in the benchmark)', () => {
  it('acquires from 10,000 instances in rotation, skipping unhealthy ones', async () => {
    const ids = Array.from({ length: 10_000 }, (_, index) => `i${index}`);
    const { pool } = createTestPool({ 'openai-custom': ids }, { maxErrorCount: 1 });
    const first = await pickIds(pool, 'openai-custom', 'm', 10_000);
    expect(new Set(first).size).toBe(10_000);
    const broken = await pool.acquire('openai-custom', 'm', { exclude: new Set(ids.filter((id) => id !== 'i5')) });
    broken.release({ kind: 'failure', error: upstreamError('network') });
    const leases: Lease[] = [];
    for (let index = 0; index < 9_999; index += 1) leases.push(await pool.acquire('openai-custom', 'm'));
    expect(new Set(leases.map((lease) => lease.instance.id)).size).toBe(9_999);
    expect(leases.some((lease) => lease.instance.id === 'i5')).toBe(false);
  });
});

describe('every strategy at 10,000 instances (correctness only)', () => {
  it.each(['round-robin', 'weighted-round-robin', 'least-in-flight', 'lowest-latency'] as const)('%s picks eligible instances', async (strategy) => {
    const ids = Array.from({ length: 10_000 }, (_, index) => ({ uuid: `i${index}`, supportedModels: index % 2 === 0 ? ['even'] : ['odd'] }));
    let seed = 1;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const { pool } = createTestPool({ 'openai-custom': ids }, { strategy, random });
    pool.setDisabled('i0', true);
    const picked = await pickIds(pool, 'openai-custom', 'even', 500);
    expect(picked.every((id) => Number(id.slice(1)) % 2 === 0 && id !== 'i0')).toBe(true);
    expect(new Set(picked).size).toBeGreaterThan(100);
  });
});

describe('ProviderPool state across restarts', () => {
  it('keeps health and counters through the snapshot file', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'pool-restart-')), 'provider_pools.state.json');
    const groups = new Map([['openai-custom', poolConfigs('openai-custom', ['a', 'b'])]]);
    const firstStore = new MemoryPoolStateStore({ snapshotPath: path });
    await firstStore.load();
    const first = new ProviderPool({ groups, globalConfig: {}, store: firstStore, maxErrorCount: 1 });
    (await first.acquire('openai-custom', 'm')).release({ kind: 'failure', error: upstreamError('network') });
    first.close();
    await firstStore.close();

    const secondStore = new MemoryPoolStateStore({ snapshotPath: path });
    await secondStore.load();
    const second = new ProviderPool({ groups, globalConfig: {}, store: secondStore });
    expect(second.summary().items.map((item) => [item.uuid, item.healthy, item.usageCount])).toEqual([
      ['a', false, 1],
      ['b', true, 0],
    ]);
    await secondStore.close();
  });
});
