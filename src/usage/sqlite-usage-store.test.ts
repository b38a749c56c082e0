import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteUsageStore } from './sqlite-usage-store.js';
import type { UsageRecord } from './usage-record.js';

const START = Date.UTC(2026, 2, 1, 5, 17, 23);
const SPAN = 3 * 86_400_000;

function record(index: number, time: number, provider: string, model: string, status: number): UsageRecord {
  return {
    time,
    requestId: `r${index}`,
    keyId: index % 3 === 0 ? null : `key${index % 2}`,
    protocol: 'openai-chat',
    provider,
    instance: `${provider}-1`,
    instanceName: 'main',
    modelAsked: model,
    model,
    stream: index % 2 === 0,
    status,
    errorClass: status >= 400 ? 'upstream_5xx' : null,
    failovers: 0,
    fallbacks: 0,
    inputTokens: index % 17,
    outputTokens: index % 5,
    cacheReadTokens: index % 3,
    cacheWriteTokens: 0,
    reasoningTokens: index % 2,
    usageSource: 'upstream',
    costUsd: model === 'priced' ? (index % 7) / 1000 : null,
    durationMs: 12.5,
    ttfbMs: 3,
    bytesOut: 100,
  };
}

describe('SqliteUsageStore', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'usage-store-')), 'usage.db');
  let store: SqliteUsageStore;
  const records: UsageRecord[] = [];

  beforeAll(async () => {
    store = new SqliteUsageStore(file);
    for (let index = 0; index < 3000; index += 1) {
      const time = START + Math.floor(((index * 7919) % 3000) * (SPAN / 3000));
      records.push(record(index, time, index % 4 === 0 ? 'claude-custom' : 'openai-custom', index % 5 === 0 ? 'priced' : 'free', index % 11 === 0 ? 502 : 200));
    }
    // Several batches, as the recorder writes them.
    for (let offset = 0; offset < records.length; offset += 700) await store.append(records.slice(offset, offset + 700));
  });
  afterAll(async () => {
    await store.close();
  });

  it('answers any range from the rollups exactly as counting the raw records would', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -3_600_000, max: SPAN + 3_600_000 }), fc.integer({ min: 0, max: SPAN }), async (offset, length) => {
        const from = START + offset;
        const to = from + length;
        const rows = await store.aggregate({ from, to, groupBy: ['provider'] });
        for (const provider of ['openai-custom', 'claude-custom']) {
          const inRange = records.filter((entry) => entry.provider === provider && entry.time >= from && entry.time < to);
          const row = rows.find((entry) => entry.provider === provider);
          if (inRange.length === 0) {
            expect(row).toBeUndefined();
            continue;
          }
          expect(row).toMatchObject({
            requests: inRange.length,
            errors: inRange.filter((entry) => entry.status >= 400).length,
            inputTokens: inRange.reduce((sum, entry) => sum + entry.inputTokens, 0),
            cacheReadTokens: inRange.reduce((sum, entry) => sum + entry.cacheReadTokens, 0),
            unpricedRequests: inRange.filter((entry) => entry.costUsd === null).length,
          });
          expect(row?.costUsd).toBeCloseTo(
            inRange.reduce((sum, entry) => sum + (entry.costUsd ?? 0), 0),
            9,
          );
        }
      }),
      { numRuns: 40 },
    );
  });

  it('groups by hour and by day in UTC, and by key', async () => {
    const byDay = await store.aggregate({ from: START, to: START + SPAN, groupBy: ['day'] });
    expect(byDay.map((row) => row.day).sort()).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']);
    const byHour = await store.aggregate({ from: START, to: START + SPAN, groupBy: ['hour', 'key'] });
    expect(byHour.reduce((sum, row) => sum + row.requests, 0)).toBe(3000);
    expect(byHour[0]?.hour).toMatch(/^2026-03-0\dT\d\d:00:00\.000Z$/);
    expect(new Set(byHour.map((row) => row.key))).toEqual(new Set([null, 'key0', 'key1']));
  });

  it('lists the latest records newest first, filtered by provider and status', async () => {
    const latest = await store.recent({ limit: 5, provider: 'claude-custom', status: 'error' });
    expect(latest).toHaveLength(5);
    for (const entry of latest) expect(entry).toMatchObject({ provider: 'claude-custom', status: 502 });
    const times = latest.map((entry) => entry.time);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const older = await store.recent({ limit: 5, before: times.at(-1) });
    expect(older.every((entry) => entry.time < (times.at(-1) as number))).toBe(true);
  });

  it('prunes raw records past the retention but keeps the hour and day rollups', async () => {
    const cut = START + 86_400_000;
    const before = await store.aggregate({ from: START - 86_400_000, to: START + SPAN + 86_400_000, groupBy: [] });
    await store.prune(cut);
    expect(await store.recent({ limit: 1000, before: cut })).toHaveLength(0);
    // Whole hours and days before the cut are still answered from their rollups.
    const dayStart = Date.UTC(2026, 2, 1);
    const after = await store.aggregate({ from: dayStart, to: Date.UTC(2026, 2, 5), groupBy: [] });
    expect(after[0]?.requests).toBe(before[0]?.requests);
    expect(store.integrityCheck()).toBe('ok');
  });
});
