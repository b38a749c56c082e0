// `node bench/usage-query.mjs [--requests 10000000] [--db FILE]`: fills a usage database with N
// requests spread over 35 days (written as the gateway writes them: batches through the store, raw
// records plus minute/hour/day rollups), then times 30-day /api/usage queries. Target: < 200 ms.
// Needs `npm run build` first. With --db FILE an existing file is reused (filled only when empty).
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
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

// A realistic shape: 5 provider groups with 30 accounts between them and 4 models each (20 models), 10
// client keys of very different volume, each using a few models; the pool spreads a group's requests
// over its accounts, 2 % fail over to another account, 0.5 % fall back to another group's model, 1 %
// fail. Seeded, so every run writes the same data.
const GROUPS = [
  { provider: 'openai-custom', accounts: 8, models: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'o3-mini'] },
  { provider: 'claude-custom', accounts: 6, models: ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'claude-3-7-sonnet'] },
  { provider: 'gemini-cli-oauth', accounts: 8, models: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash'] },
  { provider: 'claude-kiro-oauth', accounts: 5, models: ['claude-sonnet-4', 'claude-sonnet-4-5-kiro', 'claude-3-7-sonnet-kiro', 'claude-haiku-kiro'] },
  { provider: 'openai-qwen-oauth', accounts: 3, models: ['qwen3-coder-plus', 'qwen3-coder-flash', 'qwen-max', 'qwen-plus'] },
];
const MODELS = GROUPS.flatMap((group) => group.models.map((model) => ({ group, model })));
let seed = 0x2f0b1f7;
const random = () => {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];
// Key k carries weight 1/(k+1) and uses 2-4 models.
const KEYS = Array.from({ length: 10 }, (_, index) => ({
  id: `k${index.toString(16).padStart(11, '0')}`,
  weight: 1 / (index + 1),
  models: Array.from({ length: 2 + (index % 3) }, () => pick(MODELS)),
}));
const KEY_WEIGHT = KEYS.reduce((sum, key) => sum + key.weight, 0);
const nextAccount = new Map(GROUPS.map((group) => [group.provider, 0]));
const account = (group) => {
  const next = nextAccount.get(group.provider);
  nextAccount.set(group.provider, (next + 1) % group.accounts);
  return next;
};
const PRICED = new Set(['openai-custom', 'claude-custom']);

function recordAt(index, time) {
  let roll = random() * KEY_WEIGHT;
  let key = KEYS[0];
  for (const candidate of KEYS) {
    roll -= candidate.weight;
    if (roll <= 0) {
      key = candidate;
      break;
    }
  }
  const asked = pick(key.models);
  const fallback = random() < 0.005;
  // A fallback goes where modelFallbackMapping sends that model: another group's model.
  const served = fallback ? MODELS[(MODELS.indexOf(asked) + 4) % MODELS.length] : asked;
  const group = served.group;
  const failover = random() < 0.02;
  let instanceIndex = account(group);
  if (failover) instanceIndex = account(group);
  const failed = random() < 0.01;
  const input = 200 + Math.floor(random() * 4000);
  const output = failed ? 0 : 50 + Math.floor(random() * 800);
  return {
    time,
    requestId: `bench-${index}`,
    keyId: key.id,
    protocol: group.provider.startsWith('claude') ? 'claude' : 'openai-chat',
    provider: group.provider,
    instance: `${group.provider}-${String(instanceIndex).padStart(2, '0')}-0000-4000-8000-000000000000`,
    instanceName: `account ${instanceIndex}`,
    modelAsked: asked.model,
    model: served.model,
    stream: random() < 0.7,
    status: failed ? 502 : 200,
    errorClass: failed ? 'upstream_5xx' : null,
    failovers: failover ? 1 : 0,
    fallbacks: fallback ? 1 : 0,
    inputTokens: failed ? 0 : input,
    outputTokens: output,
    cacheReadTokens: failed ? 0 : Math.floor(input * random() * 0.5),
    cacheWriteTokens: 0,
    reasoningTokens: Math.floor(output * 0.1),
    usageSource: failed ? 'none' : group.provider === 'claude-kiro-oauth' ? 'estimated' : 'upstream',
    costUsd: !failed && PRICED.has(group.provider) ? (input * 3 + output * 15) / 1e6 : failed ? 0 : null,
    durationMs: 300 + Math.floor(random() * 5000),
    ttfbMs: failed ? null : 100 + Math.floor(random() * 400),
    bytesOut: failed ? 200 : 1000 + Math.floor(random() * 8000),
  };
}

const fresh = !existsSync(file);
const store = new SqliteUsageStore(file);
const existing = fresh ? 0 : ((await store.aggregate({ from: 0, to: now + DAY, groupBy: [] }))[0]?.requests ?? 0);
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

// Every shape /api/usage takes: any of the four dimensions, alone or by day or by hour.
const DIMENSIONS = ['provider', 'instance', 'model', 'key'];
const queries = [];
for (const time of [[], ['day'], ['hour']]) {
  for (let mask = 0; mask < 16; mask += 1) queries.push([...time, ...DIMENSIONS.filter((_, index) => mask & (1 << index))]);
}

const db = new Database(file, { readonly: true });
const rawRows = db.prepare('SELECT COUNT(*) AS n FROM requests').get().n;
const tables = db
  .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'usage_%' ORDER BY name")
  .all()
  .map((row) => row.name);
const sizeMb = ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(file + suffix) ? statSync(file + suffix).size : 0), 0) / 1e6;
console.log(`\ndata: ${rawRows.toLocaleString('en-US')} raw records, file ${sizeMb.toFixed(0)} MB; rollup rows:`);
for (const table of tables)
  console.log(`  ${table.padEnd(24)} ${db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get().n.toLocaleString('en-US').padStart(10)}`);
db.close();

const rounds = Number(argument('--rounds', '9'));
let worst = { median: 0 };
const results = [];
// Wall time is what a caller waits; CPU time (this process's) is printed beside it because on a shared
// machine the wall time also counts waiting for a core.
console.log('\n30-day query (from = now - 30 d, unaligned)    wall median   wall p95   cpu median     rows');
for (const groupBy of queries) {
  const times = [];
  const cpu = [];
  let rows = 0;
  for (let round = 0; round < rounds; round += 1) {
    const to = Date.now() - round * 1371;
    const began = performance.now();
    const cpuBefore = process.cpuUsage();
    rows = (await store.aggregate({ from: to - 30 * DAY, to, groupBy })).length;
    const used = process.cpuUsage(cpuBefore);
    times.push(performance.now() - began);
    cpu.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const median = times[Math.floor(rounds / 2)];
  const p95 = times[Math.min(rounds - 1, Math.ceil(rounds * 0.95) - 1)];
  const cpuMedian = cpu[Math.floor(rounds / 2)];
  results.push({ groupBy, median, p95, cpuMedian, rows });
  if (median > worst.median) worst = { median, groupBy, rows };
  console.log(
    `  groupBy=${(groupBy.join(',') || '(none)').padEnd(36)} ${median.toFixed(1).padStart(11)} ${p95.toFixed(1).padStart(10)} ${cpuMedian.toFixed(1).padStart(12)} ${String(rows).padStart(8)}`,
  );
}
const slow = results.filter((result) => result.median >= 200);
console.log(`\n${results.length - slow.length} of ${results.length} query shapes answer in under 200 ms (wall median).`);
for (const result of slow) {
  console.log(
    `  over: groupBy=${result.groupBy.join(',')}: ${result.median.toFixed(0)} ms for ${result.rows.toLocaleString('en-US')} rows (${((result.cpuMedian * 1000) / result.rows).toFixed(1)} µs CPU per row)`,
  );
}
console.log(
  `target: a 30-day query answers in under 200 ms: ${worst.median < 200 ? 'met' : 'missed'} ` +
    `(slowest median ${worst.median.toFixed(1)} ms, groupBy=${worst.groupBy.join(',') || '(none)'}, ${worst.rows} rows)`,
);
await store.close();
