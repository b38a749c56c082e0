// `node bench/usage-query.mjs [--requests 10000000] [--db FILE]`: fills a usage database with N
// requests spread over 35 days (written as the gateway writes them: batches through the store, raw
// records plus minute/hour/day rollups), then times 30-day /api/usage queries. Target: < 200 ms.
// Needs `npm run build` first. With --db FILE an existing file is reused (filled only when empty).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteUsageStore } from '../dist/usage/sqlite-usage-store.js';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : process.argv[index + 1];
};
const total = Number(argument('--requests', '10000000'));
const file = argument('--db', path.join(mkdtempSync(path.join(tmpdir(), 'usage-bench-')), 'usage.db'));
const DAY = 86_400_000;
const now = Date.now();
const start = now - 35 * DAY;

// A realistic shape: 5 provider groups of 4 accounts each, 3 models per group, 10 client keys.
const providers = ['openai-custom', 'claude-custom', 'gemini-cli-oauth', 'claude-kiro-oauth', 'openai-qwen-oauth'];
function recordAt(index, time) {
  const provider = providers[index % 5];
  return {
    time,
    requestId: `bench-${index}`,
    keyId: `key${(index >> 3) % 10}`,
    protocol: 'openai-chat',
    provider,
    instance: `${provider}-${(index >> 5) % 4}`,
    instanceName: `account ${(index >> 5) % 4}`,
    modelAsked: `model-${(index >> 7) % 3}`,
    model: `model-${(index >> 7) % 3}`,
    stream: index % 2 === 0,
    status: index % 97 === 0 ? 502 : 200,
    errorClass: index % 97 === 0 ? 'upstream_502' : null,
    failovers: 0,
    fallbacks: 0,
    inputTokens: 500 + (index % 1000),
    outputTokens: 100 + (index % 300),
    cacheReadTokens: index % 200,
    cacheWriteTokens: 0,
    reasoningTokens: index % 50,
    usageSource: 'upstream',
    costUsd: provider === 'openai-custom' ? 0.0004 : null,
    durationMs: 850,
    ttfbMs: 120,
    bytesOut: 2048,
  };
}

const fresh = !existsSync(file);
const store = new SqliteUsageStore(file);
const existing = fresh ? 0 : (await store.aggregate({ from: 0, to: now + DAY, groupBy: [] }))[0]?.requests ?? 0;
if (existing === 0) {
  console.log(`writing ${total.toLocaleString('en-US')} requests over 35 days to ${file} ...`);
  const began = performance.now();
  const batchSize = 20_000;
  const step = (35 * DAY) / total;
  for (let offset = 0; offset < total; offset += batchSize) {
    const batch = [];
    for (let index = offset; index < Math.min(total, offset + batchSize); index += 1) batch.push(recordAt(index, Math.floor(start + index * step)));
    await store.append(batch);
    if ((offset / batchSize) % 50 === 0) process.stdout.write(`  ${((offset / total) * 100).toFixed(0)}%\r`);
  }
  const seconds = (performance.now() - began) / 1000;
  console.log(`written in ${seconds.toFixed(1)} s (${Math.round(total / seconds).toLocaleString('en-US')} records/s)`);
} else {
  console.log(`reusing ${file} with ${existing.toLocaleString('en-US')} requests`);
}

const queries = [[], ['provider'], ['provider', 'model'], ['provider', 'instance', 'model', 'key'], ['day'], ['hour', 'provider']];
const rounds = 15;
let worst = 0;
console.log('\n30-day query (from = now - 30 d, unaligned)        median ms   p95 ms   rows');
for (const groupBy of queries) {
  const times = [];
  let rows = 0;
  for (let round = 0; round < rounds; round += 1) {
    const to = Date.now() - round * 1371;
    const began = performance.now();
    rows = (await store.aggregate({ from: to - 30 * DAY, to, groupBy })).length;
    times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(rounds / 2)];
  const p95 = times[Math.min(rounds - 1, Math.ceil(rounds * 0.95) - 1)];
  worst = Math.max(worst, median);
  console.log(`  groupBy=${(groupBy.join(',') || '(none)').padEnd(40)} ${median.toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ${String(rows).padStart(6)}`);
}
console.log(`\ntarget: a 30-day query answers in under 200 ms: ${worst < 200 ? 'met' : 'missed'} (slowest median ${worst.toFixed(1)} ms)`);
await store.close();
