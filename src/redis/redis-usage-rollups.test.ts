import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type RedisServer, startRedisServer } from '../../test/helpers/redis-server.js';
import { SqliteUsageStore } from '../usage/sqlite-usage-store.js';
import type { UsageRecord } from '../usage/usage-record.js';
import { RedisConnection } from './redis-connection.js';
import { MINUTE_KEEP_MS, planBuckets, RedisUsageRollups, usageDatabaseId } from './redis-usage-rollups.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const HOUR = 3_600_000;
const DAY = 86_400_000;

function record(time: number, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    time,
    requestId: `r-${time}-${Math.random()}`,
    keyId: null,
    protocol: 'openai-chat' as UsageRecord['protocol'],
    provider: 'openai-custom',
    instance: 'a',
    instanceName: 'a',
    modelAsked: 'gpt-4o-mini',
    model: 'gpt-4o-mini',
    stream: false,
    status: 200,
    errorClass: null,
    failovers: 0,
    fallbacks: 0,
    inputTokens: 10,
    outputTokens: 5,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    usageSource: 'upstream',
    costUsd: 0.25,
    durationMs: 10,
    ttfbMs: 5,
    bytesOut: 100,
    ...overrides,
  };
}

describe('planBuckets', () => {
  it('covers a range with whole days, hours and minutes whose starts lie in it', () => {
    const now = Date.UTC(2026, 0, 10, 12, 30);
    const from = Date.UTC(2026, 0, 7, 22, 15);
    const buckets = planBuckets(from, now, now, 'day');
    const count = (tier: string) => buckets.filter((bucket) => bucket.tier === tier).length;
    expect(count('day')).toBe(2); // the 8th and the 9th; the 10th is not over
    expect(count('hour')).toBe(1 + 12); // 23:00 on the 7th, 00:00–11:00 on the 10th
    // 12:00–12:29 on the 10th; 22:15–22:59 on the 7th is older than the minute sums: its hour
    // began before the range, so it does not count.
    expect(count('minute')).toBe(30);
    const starts = buckets.map((bucket) => bucket.bucket);
    expect(Math.min(...starts)).toBe(Date.UTC(2026, 0, 7, 23));
    expect(new Set(starts).size).toBe(starts.length);
  });

  it('uses hours, not minutes, beyond the minute sums kept, and no days when grouping by hour', () => {
    const now = Date.UTC(2026, 0, 10, 12, 0);
    const from = now - MINUTE_KEEP_MS - 30 * 60_000;
    const buckets = planBuckets(from, now, now, 'hour');
    expect(buckets.some((bucket) => bucket.tier === 'day')).toBe(false);
    expect(buckets.filter((bucket) => bucket.tier === 'minute')).toEqual([]);
    expect(buckets).toHaveLength(MINUTE_KEEP_MS / HOUR);
  });
});

/** Each gateway: its own SQLite file (another machine) or a shared one (the same machine). */
describe('RedisUsageRollups (real redis-server, real SQLite)', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let prefixes = 0;
  const open: Array<{ store: RedisUsageRollups; connection: RedisConnection }> = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    for (const { store, connection } of open.splice(0)) {
      await store.close();
      await connection.close();
    }
  });

  async function gateway(file: string, keyPrefix: string): Promise<RedisUsageRollups> {
    const connection = new RedisConnection({ url: redis.url, logger: silent });
    await connection.connect();
    const local = new SqliteUsageStore(file);
    const store = new RedisUsageRollups({ local, connection, keyPrefix, identity: await usageDatabaseId(file), retentionDays: 30, logger: silent });
    open.push({ store, connection });
    return store;
  }

  const dir = () => mkdtemp(path.join(tmpdir(), 'aiclient2api-usage-redis-'));

  it('answers /api/usage with the totals of every machine, each counted once', async () => {
    const keyPrefix = `u${++prefixes}:`;
    const [one, two] = [await dir(), await dir()];
    const first = await gateway(path.join(one, 'usage.db'), keyPrefix);
    // The same machine as the first: same file, its records are in SQLite already.
    const sibling = await gateway(path.join(one, 'usage.db'), keyPrefix);
    const other = await gateway(path.join(two, 'usage.db'), keyPrefix);
    const now = Date.now();
    await first.append([record(now - 1000), record(now - 2000)]);
    await sibling.append([record(now - 1500, { instance: 'b' })]);
    await other.append([record(now - 500), record(now - 700, { status: 500, errorClass: 'upstream_5xx', costUsd: null, instance: 'b' })]);
    const query = { from: now - DAY, to: now + 60_000, groupBy: ['instance' as const] };
    for (const store of [first, sibling, other]) {
      await eventually(
        async () => {
          const rows = await store.aggregate(query);
          const byInstance = Object.fromEntries(rows.map((row) => [row.instance, row]));
          return byInstance.a?.requests === 3 && byInstance.b?.requests === 2;
        },
        5000,
        'the totals of both machines',
      );
    }
    const rows = await other.aggregate({ ...query, groupBy: [] });
    expect(rows).toEqual([expect.objectContaining({ requests: 5, errors: 1, inputTokens: 50, outputTokens: 25, costUsd: 1, unpricedRequests: 1 })]);
    // A range from 1970 reads only what can still be there.
    expect(await other.aggregate({ from: 0, to: now + 60_000, groupBy: [] })).toEqual([expect.objectContaining({ requests: 5 })]);
    // Raw records stay with each machine.
    expect(await other.recent({ limit: 10 })).toHaveLength(2);
  });

  it('answers with local usage while Redis is away and sends the sums when it is back', async () => {
    const keyPrefix = `u${++prefixes}:`;
    const first = await gateway(path.join(await dir(), 'usage.db'), keyPrefix);
    const other = await gateway(path.join(await dir(), 'usage.db'), keyPrefix);
    const now = Date.now();
    await other.append([record(now - 100)]);
    await eventually(async () => (await first.aggregate({ from: now - HOUR, to: now + 60_000, groupBy: [] }))[0]?.requests === 1, 5000, 'shared');
    await redis.kill();
    await other.append([record(now - 50), record(now - 40)]);
    await first.append([record(now - 30)]);
    expect(await first.aggregate({ from: now - HOUR, to: now + 60_000, groupBy: [] })).toEqual([expect.objectContaining({ requests: 1 })]);
    // Redis comes back empty (no persistence here): what was sent before is gone, what waited arrives.
    await redis.restart();
    await eventually(
      async () => (await first.aggregate({ from: now - HOUR, to: now + 60_000, groupBy: [] }))[0]?.requests === 3,
      10_000,
      'the sums that waited',
    );
    // Its own three (SQLite) and the first one's.
    expect((await other.aggregate({ from: now - HOUR, to: now + 60_000, groupBy: [] }))[0]?.requests).toBe(4);
  });

  it('gives every process using one usage database the same id', async () => {
    const file = path.join(await dir(), 'usage.db');
    const ids = await Promise.all(Array.from({ length: 5 }, () => usageDatabaseId(file)));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{16}$/);
  });
});
