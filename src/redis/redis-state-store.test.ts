import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type RedisServer, startRedisServer } from '../../test/helpers/redis-server.js';
import { createInitialState } from '../pool/index.js';
import { type RedisSharing, createRedisSharing } from './index.js';

/** Several stores on one Redis stand for several gateway processes. */
describe('RedisPoolStateStore (real redis-server)', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let prefix = 0;
  const open: RedisSharing[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sharing) => sharing.close()));
  });

  async function process(keyPrefix: string, options: { syncIntervalMs?: number; url?: string } = {}): Promise<RedisSharing> {
    const sharing = await createRedisSharing({ url: redis.url, keyPrefix, leaseTtlMs: 3000, logger: silent, ...options });
    await sharing.store.load();
    sharing.store.ensure('a', createInitialState({ usageCount: 3 }));
    sharing.store.ensure('b', createInitialState());
    open.push(sharing);
    return sharing;
  }

  const newPrefix = () => `t${++prefix}:`;

  it('announces a health change to the other processes at once, and keeps cooldowns in keys that expire', async () => {
    const keyPrefix = newPrefix();
    const one = await process(keyPrefix);
    const two = await process(keyPrefix);
    const seen: string[] = [];
    two.store.subscribe((id) => seen.push(id));
    const until = Date.now() + 5000;
    one.store.patch('a', { cooldownUntil: until, lastError: { message: 'rate limited', kind: 'rate_limit', status: 429, at: 1 } });
    await eventually(() => two.store.get('a').cooldownUntil === until, 2000, 'the cooldown on the second process');
    expect(seen).toContain('a');
    expect(two.store.get('a').lastError?.status).toBe(429);
    const ttl = Number(await redis.cli('PTTL', `${keyPrefix}cooldown:a`));
    expect(ttl).toBeGreaterThan(3000);
    expect(ttl).toBeLessThanOrEqual(5000);

    one.store.patch('a', { cooldownUntil: 0 }); // an admin reset clears it everywhere
    await eventually(() => two.store.get('a').cooldownUntil === 0, 2000, 'the cleared cooldown');
    expect(await redis.cli('EXISTS', `${keyPrefix}cooldown:a`)).toBe('0');
  });

  it('shares admin actions and health both ways', async () => {
    const keyPrefix = newPrefix();
    const one = await process(keyPrefix);
    const two = await process(keyPrefix);
    two.store.patch('b', { disabled: true });
    one.store.patch('a', { healthy: false, consecutiveErrors: 10 });
    await eventually(() => one.store.get('b').disabled === true && two.store.get('a').healthy === false, 2000, 'both changes');
    expect(two.store.get('a').consecutiveErrors).toBe(10);
    two.store.patch('b', { disabled: undefined }); // back to the pools file's setting
    await eventually(() => one.store.get('b').disabled === undefined, 2000, 'the override removed');
  });

  it('adds up usage counts of all processes and every mirror converges at the sync', async () => {
    const keyPrefix = newPrefix();
    const one = await process(keyPrefix, { syncIntervalMs: 100 });
    const two = await process(keyPrefix, { syncIntervalMs: 100 });
    for (let request = 0; request < 5; request += 1) one.store.update('a', { inFlight: 1, usageCount: 1 }, { lastUsedAt: 1000 + request });
    for (let request = 0; request < 7; request += 1) two.store.update('a', { inFlight: 1, usageCount: 1 }, {});
    // The in-flight counts stay with each process.
    expect(one.store.get('a').inFlight).toBe(5);
    expect(two.store.get('a').inFlight).toBe(7);
    await one.store.flush();
    await two.store.flush();
    // Seeded once with the pools file's 3, then 12 requests.
    expect(await redis.cli('HGET', `${keyPrefix}state:a`, 'usageCount')).toBe('15');
    await eventually(() => one.store.get('a').usageCount === 15 && two.store.get('a').usageCount === 15, 3000, 'converged usage counts');
    expect(one.store.get('a').inFlight).toBe(5);
  });

  it('starts a new process from the shared state, not from its pools file', async () => {
    const keyPrefix = newPrefix();
    const one = await process(keyPrefix);
    one.store.patch('a', { healthy: false, quotaOutUntil: Date.now() + 60_000 });
    await one.store.flush();
    const late = await process(keyPrefix);
    expect(late.store.get('a').healthy).toBe(false);
    expect(late.store.get('a').quotaOutUntil).toBe(one.store.get('a').quotaOutUntil);
  });

  it('serves from the mirror while Redis is away and converges when it is back, even empty', async () => {
    const keyPrefix = newPrefix();
    const one = await process(keyPrefix, { syncIntervalMs: 200 });
    const two = await process(keyPrefix, { syncIntervalMs: 200 });
    await redis.kill();
    // Nothing throws and local reads see local writes.
    one.store.patch('a', { healthy: false });
    one.store.update('b', { inFlight: 1, usageCount: 1 }, {});
    expect(one.store.get('a').healthy).toBe(false);
    expect(two.store.get('a').healthy).toBe(true);
    await redis.restart();
    await eventually(() => two.store.get('a').healthy === false, 20_000, 'the change made during the outage on the other process');
    expect(await redis.cli('HGET', `${keyPrefix}state:a`, 'healthy')).toBe('false');
  });

  it('after Redis restarted empty, re-publishes the whole state and counts every request once', async () => {
    const keyPrefix = newPrefix();
    // The first process reads the shared record rarely: it has not seen the second one's last writes.
    const one = await process(keyPrefix, { syncIntervalMs: 60_000 });
    // The second logs in as a user the restarted Redis does not know yet: it comes back last.
    await redis.cli('ACL', 'SETUSER', 'late', 'on', '>late-pw', '~*', '&*', '+@all');
    const two = await process(keyPrefix, { syncIntervalMs: 200, url: `redis://late:late-pw@127.0.0.1:${redis.port}` });
    one.store.patch('a', { disabled: true, errorCount: 4 });
    for (let request = 0; request < 10; request += 1) {
      one.store.update('a', { usageCount: 1 }, { lastUsedAt: Date.now() });
      two.store.update('a', { usageCount: 1 }, { lastUsedAt: Date.now() });
    }
    await one.store.flush();
    await eventually(() => two.store.get('a').usageCount === 23 && two.store.get('a').disabled === true, 5000, 'shared before');
    for (let request = 0; request < 5; request += 1) two.store.update('a', { usageCount: 1 }, {});
    await two.store.flush();
    expect(await redis.cli('HGET', `${keyPrefix}state:a`, 'usageCount')).toBe('28');
    await redis.kill();
    // Syncs that find Redis away must not stop the ones after it is back.
    await one.store.sync();
    for (let request = 0; request < 5; request += 1) {
      one.store.update('a', { usageCount: 1 }, { lastUsedAt: Date.now() });
      two.store.update('a', { usageCount: 1 }, { lastUsedAt: Date.now() });
    }
    // What the first process knows: the totals Redis acknowledged to it, plus its writes of the outage.
    const known = one.store.get('a').usageCount;
    expect(known).toBeLessThan(33);
    await redis.restart();
    // Requests keep coming while the processes reconnect: their writes must not create a record
    // holding only the fields they change.
    for (let request = 0; request < 5; request += 1) two.store.update('a', { usageCount: 1 }, { lastUsedAt: Date.now() });
    // The first one back re-creates the record from what it knew.
    await eventually(async () => (await redis.cli('HGET', `${keyPrefix}state:a`, 'usageCount')) === String(known), 10_000, 'the first process re-published');
    await redis.cli('ACL', 'SETUSER', 'late', 'on', '>late-pw', '~*', '&*', '+@all');
    // 3 from the pools file, 25 before the outage, 10 during it, 5 after.
    await eventually(async () => (await redis.cli('HGET', `${keyPrefix}state:a`, 'usageCount')) === '43', 10_000, 'every count once in Redis');
    await eventually(() => two.store.get('a').usageCount === 43, 5000, 'the second process converged');
    expect(await redis.cli('HGET', `${keyPrefix}state:a`, 'errorCount')).toBe('4');
    expect(await redis.cli('HGET', `${keyPrefix}state:a`, 'disabled')).toBe('true');
    const late = await process(keyPrefix);
    expect(late.store.get('a')).toMatchObject({ disabled: true, errorCount: 4, usageCount: 43 });
  });
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
