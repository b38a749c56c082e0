import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type RedisServer, startRedisServer } from '../../test/helpers/redis-server.js';
import { RedisConnection } from './redis-connection.js';
import { RedisSharedSlots } from './redis-shared-slots.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Each RedisSharedSlots with its own connections stands for one gateway process. */
describe('RedisSharedSlots (real redis-server)', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let prefixes = 0;
  const open: Array<{ slots: RedisSharedSlots; connection: RedisConnection }> = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    for (const { slots, connection } of open.splice(0)) {
      await slots.close();
      await connection.close();
    }
  });

  async function process(keyPrefix: string, leaseTtlMs = 3000): Promise<{ slots: RedisSharedSlots; connection: RedisConnection }> {
    const connection = new RedisConnection({ url: redis.url, logger: silent });
    await connection.connect();
    const slots = new RedisSharedSlots({ connection, keyPrefix, origin: `p${open.length}`, leaseTtlMs, logger: silent });
    await slots.start();
    const entry = { slots, connection };
    open.push(entry);
    return entry;
  }

  it('holds a limit across processes and tells the others when a slot frees', async () => {
    const keyPrefix = `slots${++prefixes}:`;
    const { slots: one } = await process(keyPrefix);
    const { slots: two } = await process(keyPrefix);
    const first = await one.take('x', 2);
    const second = await two.take('x', 2);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(await two.take('x', 2)).toBeUndefined();
    expect(await one.take('x', 2)).toBeUndefined();
    expect(one.inUse('x')).toBe(2);
    const freed: string[] = [];
    two.onFreed((id) => freed.push(id));
    one.release('x', first as string);
    await eventually(() => freed.includes('x'), 2000, 'the release announced to the other process');
    expect(two.inUse('x')).toBe(1);
    expect(await two.take('x', 2)).toBeDefined();
  });

  it('frees the slots of a process that stopped renewing them within the lease TTL', async () => {
    const keyPrefix = `slots${++prefixes}:`;
    const crashed = await process(keyPrefix, 1000);
    const { slots: survivor } = await process(keyPrefix, 1000);
    expect(await crashed.slots.take('x', 1)).toBeDefined();
    // The process is gone: no renewals, no release.
    crashed.connection.client.disconnect();
    expect(await survivor.take('x', 1)).toBeUndefined();
    const freed: string[] = [];
    survivor.onFreed((id) => freed.push(id));
    await eventually(() => freed.includes('x'), 4000, 'the expired slot noticed');
    expect(await survivor.take('x', 1)).toBeDefined();
  });

  it('counts only its own slots while Redis is away, and never fails a take', async () => {
    const keyPrefix = `slots${++prefixes}:`;
    const { slots } = await process(keyPrefix);
    await redis.kill();
    try {
      const first = await slots.take('x', 1);
      expect(first).toBeDefined();
      expect(await slots.take('x', 1)).toBeUndefined();
      slots.release('x', first as string);
      expect(await slots.take('x', 1)).toBeDefined();
    } finally {
      await redis.restart();
    }
  });

  it('wakes waiters when Redis goes away (their wait is for other processes), and counts again when it is back', async () => {
    const keyPrefix = `slots${++prefixes}:`;
    const { slots: holder } = await process(keyPrefix);
    const { slots: waiter } = await process(keyPrefix);
    const held = [await holder.take('x', 2), await holder.take('x', 2)];
    expect(held.every((token) => token !== undefined)).toBe(true);
    expect(await waiter.take('x', 2)).toBeUndefined();
    expect(waiter.inUse('x')).toBe(2);
    const woken: string[] = [];
    waiter.onFreed((id) => woken.push(id));
    await redis.kill();
    try {
      // Nobody will announce the holder's releases now: the waiting process is told to look again,
      // and finds its own count, which is free.
      await eventually(() => woken.includes('x'), 5000, 'the waiter woken');
      expect(waiter.inUse('x')).toBe(0);
      expect(await waiter.take('x', 2)).toBeDefined();
    } finally {
      await redis.restart();
    }
    // Back (empty): the holder's slots are restored by its renewal and counted again; the limit is
    // shared again.
    await eventually(async () => (await redis.cli('ZCARD', `${keyPrefix}slots:x`)) === '2', 10_000, 'the holder renewing its slots');
    expect(await waiter.take('x', 2)).toBeUndefined();
    expect(waiter.inUse('x')).toBe(2);
  });
});
