import { afterEach, describe, expect, it, vi } from 'vitest';
import { HealthChecker, type HealthCheckerOptions, type ProbeFunction } from './health-checker.js';
import { createTestPool, pickIds, upstreamError } from './pool-test-helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

function setup(probe: ProbeFunction, options: Partial<HealthCheckerOptions> = {}) {
  const { pool, clock } = createTestPool(
    {
      'claude-custom': [{ uuid: 'a', checkHealth: true }, { uuid: 'b', checkHealth: true, checkModelName: 'claude-haiku-4-5' }, 'c'],
    },
    { maxErrorCount: 1 },
  );
  const checker = new HealthChecker({
    target: pool,
    probe,
    defaultProbeModel: (type) => (type === 'claude-custom' ? 'default-model' : undefined),
    recovery: { baseMs: 1000, maxMs: 8000 },
    timeoutMs: 50,
    now: clock.now,
    ...options,
  });
  return { pool, clock, checker };
}

const breakInstance = async (pool: ReturnType<typeof createTestPool>['pool'], id: string) => {
  const others = new Set(
    pool
      .allInstances()
      .map((instance) => instance.id)
      .filter((other) => other !== id),
  );
  (await pool.acquire('claude-custom', 'm', { exclude: others })).release({ kind: 'failure', error: upstreamError('network') });
};

describe('HealthChecker', () => {
  it('probes instances with checkHealth, with their checkModelName or the provider default', async () => {
    const calls: string[] = [];
    const { checker } = setup(async (instance, model) => void calls.push(`${instance.id}:${model}`));
    const results = await checker.runScheduled();
    expect(calls.sort()).toEqual(['a:default-model', 'b:claude-haiku-4-5']);
    expect(results.every((result) => result.ok)).toBe(true);
  });

  it('a failed probe takes the instance out; a passing one brings it back', async () => {
    let failing = true;
    const { pool, checker } = setup(async () => {
      if (failing) throw upstreamError('upstream', { status: 500 });
    });
    await checker.runScheduled();
    expect(await pickIds(pool, 'claude-custom', 'm', 2)).toEqual(['c', 'c']);
    failing = false;
    await checker.runScheduled();
    expect(new Set(await pickIds(pool, 'claude-custom', 'm', 3))).toEqual(new Set(['a', 'b', 'c']));
  });

  it('a probe with a client error (bad probe model) changes nothing', async () => {
    const { pool, checker } = setup(async () => {
      throw upstreamError('invalid_request');
    });
    await checker.runScheduled();
    expect(pool.summary().unhealthyCount).toBe(0);
  });

  it('aborts a hung probe at the timeout, even one that ignores its signal', async () => {
    let sawAbort = false;
    const { pool, checker } = setup(
      (_instance, _model, signal) =>
        new Promise<void>(() => {
          signal.addEventListener('abort', () => (sawAbort = true));
        }),
    );
    const results = await checker.runScheduled();
    expect(sawAbort).toBe(true);
    expect(results.map((result) => result.error?.code)).toEqual(['health_check_timeout', 'health_check_timeout']);
    expect(pool.summary().unhealthyCount).toBe(2);
  });

  it('re-probes unhealthy instances with exponential backoff (half-open) until they recover', async () => {
    const attempts: number[] = [];
    let healed = false;
    const { pool, clock, checker } = setup(async () => {
      attempts.push(clock.now());
      if (!healed) throw upstreamError('network');
    });
    await breakInstance(pool, 'c');
    const start = clock.now();
    await checker.runRecovery(); // first sighting: probe after baseMs
    for (let step = 0; step < 16; step += 1) {
      clock.advance(1000);
      await checker.runRecovery();
    }
    // 1 s after sighting, then 2 s, 4 s, 8 s (capped) after each failure.
    expect(attempts.map((time) => time - start)).toEqual([1000, 3000, 7000, 15000]);
    healed = true;
    clock.advance(8000);
    const results = await checker.runRecovery();
    expect(results).toMatchObject([{ id: 'c', ok: true }]);
    expect(pool.stateOf('c').healthy).toBe(true);
  });

  it('never runs more than `concurrency` probes at once', async () => {
    let running = 0;
    let peak = 0;
    const { pool, clock } = createTestPool({ 'claude-custom': Array.from({ length: 10 }, (_, index) => ({ uuid: `i${index}`, checkHealth: true })) });
    const checker = new HealthChecker({
      target: pool,
      concurrency: 3,
      now: clock.now,
      defaultProbeModel: () => 'm',
      probe: async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running -= 1;
      },
    });
    expect(await checker.runScheduled()).toHaveLength(10);
    expect(peak).toBe(3);
  });

  it("start() schedules rounds on unref'd timers and stop() clears them and aborts probes", async () => {
    vi.useFakeTimers();
    const seen: AbortSignal[] = [];
    const { pool, checker } = setup(
      (_instance, _model, signal) => {
        seen.push(signal);
        return new Promise<void>(() => undefined);
      },
      { scheduled: { enabled: true, intervalMs: 60_000, startupRun: true }, timeoutMs: 10_000 },
    );
    checker.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    checker.stop();
    expect(seen.every((signal) => signal.aborted)).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0); // the probes' deadlines are gone at once, not after the timeout
    await vi.advanceTimersByTimeAsync(120_000);
    expect(seen).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
    expect(pool.summary().unhealthyCount).toBe(0); // a probe cut by stop() blames nobody
  });

  it('probeNow probes one instance on demand', async () => {
    const { checker } = setup(async () => undefined);
    expect(await checker.probeNow('c')).toMatchObject({ id: 'c', model: 'default-model', ok: true });
    expect(await checker.probeNow('missing')).toBeUndefined();
  });
});
