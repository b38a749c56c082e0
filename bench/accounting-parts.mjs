// `node bench/accounting-parts.mjs [--requests 50000]`: the CPU each part of usage accounting costs per
// request, measured in this process on prepared request ends (no HTTP, so no noise from sockets):
// building the usage record (client key id, price), Prometheus metrics, and writing records to the
// SQLite store in the recorder's batches (raw row plus minute, hour and day rollups). Beside the
// gateway's CPU per request in `npm run bench`, it says which part the accounting target spends on.
// Needs `npm run build` first.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GatewayMetrics } from '../dist/metrics/gateway-metrics.js';
import { clientKeyId } from '../dist/usage/client-key-id.js';
import { SqliteUsageStore } from '../dist/usage/sqlite-usage-store.js';
import { toUsageRecord } from '../dist/usage/usage-record.js';

const index = process.argv.indexOf('--requests');
const total = index === -1 ? 50_000 : Number(process.argv[index + 1]);
const instance = '7b6f0a3e-1111-4222-8333-444455556666';
const ends = Array.from({ length: total }, (_, request) => ({
  requestId: `req-${request}`,
  status: 200,
  aborted: false,
  startedAt: 1000,
  endedAt: 1003.3,
  headers: { authorization: `Bearer sk-client-${request % 4}` },
  query: {},
  log: {
    protocol: 'openai-chat',
    provider: 'openai-custom',
    instanceId: instance,
    instance: 'main',
    modelAsked: 'gpt-4o-mini',
    model: 'gpt-4o-mini',
    stream: request % 2 === 0,
    bytes: 600,
    firstByteAt: 1003,
    usage: { inputTokens: 12, outputTokens: 30 },
    attempts: [{ provider: 'openai-custom', instance, outcome: 'success' }],
  },
}));

function measure(name, run) {
  const samples = [];
  for (let round = 0; round < 5; round += 1) {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / total);
  }
  samples.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(44)} ${samples[2].toFixed(2).padStart(6)} µs/request (median of 5 rounds)`);
  return samples[2];
}

console.log(`accounting parts, ${total.toLocaleString('en-US')} requests per round:`);
let records = [];
const record = measure('usage record (key id, price)', () => {
  records = ends.map((end) => toUsageRecord(end, clientKeyId(end.headers, end.query), Date.now(), () => 0.0001));
});
const metrics = new GatewayMetrics(() => []);
const prometheus = measure('Prometheus metrics', () => {
  for (let request = 0; request < total; request += 1) metrics.observe(records[request], ends[request]);
});
const store = new SqliteUsageStore(path.join(mkdtempSync(path.join(tmpdir(), 'accounting-parts-')), 'usage.db'));
// The recorder writes what a second brought: 1,000 records a batch is a gateway at 1,000 requests/s.
const sqlite = measure('SQLite store (batches of 1,000)', () => {
  for (let offset = 0; offset < total; offset += 1000) void store.append(records.slice(offset, offset + 1000));
});
console.log(`  ${'total'.padEnd(44)} ${(record + prometheus + sqlite).toFixed(2).padStart(6)} µs/request`);
await store.close();
