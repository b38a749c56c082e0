import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MemoryPoolStateStore, stateFilePathFor } from './memory-state-store.js';
import { createInitialState } from './state-store.js';

async function tempPath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'pool-state-')), 'provider_pools.state.json');
}

describe('MemoryPoolStateStore', () => {
  it('places the state file beside the pools file', () => {
    expect(stateFilePathFor('configs/provider_pools.json')).toBe('configs/provider_pools.state.json');
  });

  it('patches fields, counts and notifies only on eligibility changes', () => {
    const store = new MemoryPoolStateStore();
    const changed: string[] = [];
    store.subscribe((id) => changed.push(id));
    store.ensure('a', createInitialState({ usageCount: 5 }));
    store.ensure('a', createInitialState()); // already present: kept
    expect(store.get('a').usageCount).toBe(5);
    expect(store.increment('a', 'inFlight', 1)).toBe(1);
    expect(store.increment('a', 'inFlight', -3)).toBe(0);
    store.patch('a', { lastUsedAt: 10 });
    store.patch('a', { healthy: true }); // unchanged value: no event
    store.patch('a', { healthy: false });
    store.patch('a', { cooldownUntil: 99 });
    expect(changed).toEqual(['a', 'a']);
  });

  it('survives a restart through the snapshot, without in-flight counts', async () => {
    const path = await tempPath();
    const first = new MemoryPoolStateStore({ snapshotPath: path, now: () => 0 });
    await first.load();
    first.ensure('a', createInitialState());
    first.patch('a', { healthy: false, consecutiveErrors: 10, lastError: { message: 'x', kind: 'network', status: 502, at: 5 } });
    first.increment('a', 'inFlight', 2);
    first.ensure('gone', createInitialState());
    await first.close();

    const second = new MemoryPoolStateStore({ snapshotPath: path });
    await second.load();
    second.ensure('a', createInitialState());
    expect(second.get('a')).toMatchObject({ healthy: false, consecutiveErrors: 10, inFlight: 0, lastError: { message: 'x' } });
    await second.close();
    // 'gone' was never ensured by the second process, so it is not written back.
    const saved = JSON.parse(await readFile(path, 'utf8')) as { instances: Record<string, unknown> };
    expect(Object.keys(saved.instances)).toEqual(['a']);
  });

  it('writes only when dirty and leaves no temp files', async () => {
    const path = await tempPath();
    const store = new MemoryPoolStateStore({ snapshotPath: path });
    await store.load();
    await store.flush();
    expect(await readdir(join(path, '..'))).toEqual([]);
    store.ensure('a', createInitialState());
    await Promise.all([store.flush(), store.flush()]);
    expect(await readdir(join(path, '..'))).toEqual(['provider_pools.state.json']);
    const before = await readFile(path, 'utf8');
    store.increment('a', 'inFlight', 1); // not persisted: no new write needed
    await store.flush();
    expect(await readFile(path, 'utf8')).toBe(before);
    await store.close();
  });

  it('writes health changes on the next tick but usage-only changes at the slower routine pace', async () => {
    // Fake interval, injected clock: each tick is one explicit step, so no real timer races the file write.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const path = await tempPath();
      let now = 1_000_000;
      const store = new MemoryPoolStateStore({ snapshotPath: path, snapshotIntervalMs: 15, routineSnapshotIntervalMs: 60_000, now: () => now });
      const tick = () => vi.advanceTimersByTimeAsync(15);
      const saved = async () => JSON.parse(await readFile(path, 'utf8')) as { instances: Record<string, { usageCount: number; healthy: boolean }> };
      /** A write the tick started lands soon; waiting for it never starts one (real timers poll the file). */
      const savedSoon = (expected: Record<string, unknown>) =>
        vi.waitFor(async () => expect((await saved()).instances.a).toMatchObject(expected), { timeout: 5000, interval: 5 });
      await store.load();
      store.ensure('a', createInitialState());
      await tick();
      await savedSoon({ usageCount: 0, healthy: true });

      store.increment('a', 'usageCount', 1);
      store.patch('a', { lastUsedAt: now, latencyEwmaMs: 12, healthy: true });
      await tick(); // the tick's decision is synchronous: no write started now means none is coming
      expect((await saved()).instances.a!.usageCount).toBe(0); // routine only: not yet

      store.patch('a', { healthy: false });
      await tick();
      await savedSoon({ usageCount: 1, healthy: false });

      store.increment('a', 'usageCount', 1);
      await tick();
      expect((await saved()).instances.a!.usageCount).toBe(1); // routine pace not reached
      now += 60_000;
      await tick();
      await savedSoon({ usageCount: 2 }); // routine pace reached

      store.increment('a', 'usageCount', 1);
      await store.close(); // closing writes whatever is pending
      expect((await saved()).instances.a!.usageCount).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a state read before a health change as it was, and never shares records between instances', () => {
    const store = new MemoryPoolStateStore();
    const shared = createInitialState();
    store.ensure('x', shared);
    store.ensure('y', shared);
    store.update('x', { inFlight: 1, usageCount: 1 }, { lastUsedAt: 5 });
    expect(store.get('y')).toMatchObject({ inFlight: 0, usageCount: 0, lastUsedAt: 0 });
    expect(shared.usageCount).toBe(0);

    const before = store.get('x');
    store.patch('x', { healthy: false, consecutiveErrors: 3 });
    expect(before).toMatchObject({ healthy: true, consecutiveErrors: 0, usageCount: 1 });
    expect(store.get('x')).toMatchObject({ healthy: false, consecutiveErrors: 3, usageCount: 1, inFlight: 1 });
  });

  it('starts fresh from a broken or foreign state file', async () => {
    const path = await tempPath();
    await writeFile(path, '{"version": 99}');
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (_: object, message?: string) => warnings.push(message ?? '') };
    const store = new MemoryPoolStateStore({ snapshotPath: path, logger });
    await store.load();
    store.ensure('a', createInitialState());
    expect(store.get('a').healthy).toBe(true);
    expect(warnings).toHaveLength(1);
    await store.close();
  });
});
