import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteUsageStore } from './sqlite-usage-store.js';
import { isErrorRecord, type UsageRecord } from './usage-record.js';
import { GROUP_FIELDS, type GroupField, type UsageQuery, type UsageRow } from './usage-store.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 4, 10, 22, 41, 7);
const SPAN = 4 * DAY;
const dir = mkdtempSync(path.join(tmpdir(), 'usage-aggregate-'));
let files = 0;
const nextFile = () => path.join(dir, `usage-${(files += 1)}.db`);

const recordArbitrary = fc
  .record({
    offset: fc.integer({ min: 0, max: SPAN - 1 }),
    provider: fc.constantFrom('openai-custom', 'claude-custom', null),
    instance: fc.constantFrom('a', 'b', 'c', null),
    model: fc.constantFrom('gpt-4o', 'claude-sonnet-4-5', 'm3', null),
    keyId: fc.constantFrom('k1', 'k2', null),
    status: fc.constantFrom(200, 200, 200, 429, 502),
    errorClass: fc.constantFrom(null, null, 'client_closed', 'upstream_5xx'),
    inputTokens: fc.nat(5000),
    outputTokens: fc.nat(2000),
    cacheReadTokens: fc.nat(300),
    cacheWriteTokens: fc.nat(300),
    reasoningTokens: fc.nat(300),
    usageSource: fc.constantFrom('upstream', 'estimated', 'none'),
    cents: fc.option(fc.nat(1000)),
  })
  .map(
    (draw): UsageRecord => ({
      time: START + draw.offset,
      requestId: `r${draw.offset}`,
      keyId: draw.keyId,
      protocol: 'openai-chat',
      provider: draw.provider,
      instance: draw.instance,
      instanceName: draw.instance,
      modelAsked: draw.model,
      model: draw.model,
      stream: false,
      status: draw.status,
      errorClass: draw.errorClass,
      failovers: 0,
      fallbacks: 0,
      inputTokens: draw.inputTokens,
      outputTokens: draw.outputTokens,
      cacheReadTokens: draw.cacheReadTokens,
      cacheWriteTokens: draw.cacheWriteTokens,
      reasoningTokens: draw.reasoningTokens,
      usageSource: draw.usageSource as UsageRecord['usageSource'],
      costUsd: draw.cents === null ? null : draw.cents / 100,
      durationMs: 10,
      ttfbMs: null,
      bytesOut: 0,
    }),
  );

/** Times near bucket edges as well as anywhere: the plan splits at whole minutes, hours and days. */
const timeArbitrary = fc.oneof(
  fc.integer({ min: -DAY, max: SPAN + DAY }).map((offset) => START + offset),
  fc.tuple(fc.integer({ min: 0, max: 6 }), fc.constantFrom(0, 1, -1, 60_000, -60_000, 3_600_000)).map(([day, delta]) => Date.UTC(2026, 4, 10 + day) + delta),
  fc
    .tuple(fc.integer({ min: 0, max: 6 * 24 }), fc.constantFrom(0, 1, -1, 60_000, -60_000))
    .map(([hour, delta]) => Date.UTC(2026, 4, 10) + hour * 3_600_000 + delta),
);

const queryArbitrary = fc.record({
  a: timeArbitrary,
  b: timeArbitrary,
  groupBy: fc.subarray([...GROUP_FIELDS]).chain((fields) => fc.shuffledSubarray(fields, { minLength: fields.length, maxLength: fields.length })),
});

const hourOf = (time: number) => new Date(Math.floor(time / 3_600_000) * 3_600_000).toISOString();
const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);

/** What summing the raw records gives: the reference the rollup plan must equal. */
function expected(records: readonly UsageRecord[], query: UsageQuery): Map<string, UsageRow> {
  const rows = new Map<string, UsageRow>();
  for (const record of records) {
    if (record.time < query.from || record.time >= query.to) continue;
    const group: Partial<UsageRow> = {};
    for (const field of query.groupBy) {
      if (field === 'hour') group.hour = hourOf(record.time);
      else if (field === 'day') group.day = dayOf(record.time);
      else if (field === 'key') group.key = record.keyId;
      else group[field] = record[field];
    }
    const id = JSON.stringify(query.groupBy.map((field) => group[field]));
    const row = rows.get(id) ?? {
      ...group,
      requests: 0,
      errors: 0,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costUsd: 0,
      unpricedRequests: 0,
    };
    row.requests += 1;
    row.errors += isErrorRecord(record) ? 1 : 0;
    row.inputTokens += record.inputTokens;
    row.outputTokens += record.outputTokens;
    row.cacheReadTokens += record.cacheReadTokens;
    row.cacheWriteTokens += record.cacheWriteTokens;
    row.reasoningTokens += record.reasoningTokens;
    row.costUsd += record.costUsd ?? 0;
    row.unpricedRequests += record.costUsd === null && record.usageSource !== 'none' ? 1 : 0;
    rows.set(id, row);
  }
  return rows;
}

function expectSameRows(actual: readonly UsageRow[], records: readonly UsageRecord[], query: UsageQuery): void {
  const reference = expected(records, query);
  expect(actual).toHaveLength(reference.size);
  for (const row of actual) {
    const id = JSON.stringify(query.groupBy.map((field) => row[field]));
    const want = reference.get(id);
    expect(want, `group ${id}`).toBeDefined();
    const { costUsd, ...counts } = row;
    const { costUsd: wantCost, ...wantCounts } = want as UsageRow;
    expect(counts).toEqual(wantCounts);
    expect(costUsd).toBeCloseTo(wantCost, 6);
  }
}

async function fill(file: string, records: readonly UsageRecord[], batches: number): Promise<SqliteUsageStore> {
  const store = new SqliteUsageStore(file);
  const size = Math.max(1, Math.ceil(records.length / batches));
  for (let offset = 0; offset < records.length; offset += size) await store.append(records.slice(offset, offset + size));
  return store;
}

describe('usage aggregates over every query shape', () => {
  const stores: SqliteUsageStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
  });

  it('equal the sums of the raw records, for any grouping and range, whichever rollup cut the plan reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArbitrary, { maxLength: 150 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(queryArbitrary, { minLength: 1, maxLength: 6 }),
        async (records, batches, queries) => {
          const store = await fill(nextFile(), records, batches);
          try {
            for (const { a, b, groupBy } of queries) {
              const query = { from: Math.min(a, b), to: Math.max(a, b), groupBy: groupBy as GroupField[] };
              expectSameRows(await store.aggregate(query), records, query);
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('are the same after a file written before the narrow rollups existed is migrated (backfilled from its full rollups)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArbitrary, { minLength: 1, maxLength: 120 }),
        fc.array(queryArbitrary, { minLength: 1, maxLength: 6 }),
        async (records, queries) => {
          const file = nextFile();
          await (await fill(file, records, 3)).close();
          // Turn the file back into a schema-1 file: only the full rollups.
          const db = new Database(file);
          for (const tier of ['hour', 'day']) db.exec(`DROP TABLE usage_${tier}_by_instance; DROP TABLE usage_${tier}_by_model_key;`);
          db.pragma('user_version = 1');
          db.close();
          const readOnlyOld = new SqliteUsageStore(file, { readonly: true });
          const migrated = new SqliteUsageStore(file);
          stores.push(readOnlyOld, migrated);
          for (const { a, b, groupBy } of queries) {
            const query = { from: Math.min(a, b), to: Math.max(a, b), groupBy: groupBy as GroupField[] };
            // A CLI reading a file its gateway has not migrated yet answers from the full rollups.
            expectSameRows(await readOnlyOld.aggregate(query), records, query);
            expectSameRows(await migrated.aggregate(query), records, query);
          }
          await readOnlyOld.close();
          await migrated.close();
        },
      ),
      { numRuns: 25 },
    );
  });
});
