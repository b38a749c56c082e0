/**
 * The gateway marks its old generation in one pause (src/cli/gc-policy.ts): large request bodies then
 * no longer keep V8 in incremental marking. Seen from outside through Node's own GC metrics on /metrics:
 * under a load of 1 MB bodies the default gateway runs few major GCs, and one started with
 * `node --incremental-marking` (a user's own choice, kept) runs several times as many where V8 restarts
 * incremental marking under such load.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess, writeProject } from './helpers/gateway-process.js';
import { sample } from './helpers/prometheus.js';
import type { MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, startOpenAiMock } from './mocks/openai-mock.js';

const REQUESTS = 120;

async function majorGcs(gateway: GatewayProcess): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return sample(text, 'nodejs_gc_duration_seconds_count', { kind: 'major' }) ?? 0;
}

/** REQUESTS chat requests of about 1 MB each, four at a time; returns the major GCs they caused. */
async function majorGcsUnderLargeBodies(gateway: GatewayProcess): Promise<number> {
  const text = 'const s = "quoted \\\\ path"; // café 東京\n\t'.repeat(24_000);
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] });
  expect(body.length).toBeGreaterThan(1_000_000);
  const before = await majorGcs(gateway);
  let sent = 0;
  const worker = async () => {
    while (sent < REQUESTS) {
      sent += 1;
      const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return (await majorGcs(gateway)) - before;
}

describe('GC policy under large request bodies', () => {
  let upstream: MockServer;
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    upstream = await startOpenAiMock();
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await upstream.close();
  });

  async function start(nodeArgs: string[]): Promise<GatewayProcess> {
    const cwd = await mkdtemp(path.join(tmpdir(), 'aiclient2api-gc-'));
    await writeProject(cwd, { OPENAI_API_KEY: OPENAI_MOCK_KEY, OPENAI_BASE_URL: upstream.url, METRICS_PUBLIC: true, USAGE_ENABLED: false });
    const gateway = await startGatewayProcess(cwd, [], { nodeArgs });
    gateways.push(gateway);
    return gateway;
  }

  it('runs few major GCs, and keeps the flag a user set', async () => {
    const atomic = await majorGcsUnderLargeBodies(await start([]));
    // Measured on the 2-core machine: 2-5 per 120 such requests on Node 20, 22 and 24.
    expect(atomic).toBeLessThanOrEqual(8);
    const incremental = await majorGcsUnderLargeBodies(await start(['--incremental-marking']));
    // V8 11 and 13 (Node 20 and 24) restart incremental marking under this load (15-18 major GCs);
    // V8 12 (Node 22) seldom does, so there the user's flag does not show in the count.
    if (!process.versions.v8.startsWith('12.')) expect(incremental).toBeGreaterThan(atomic * 2);
  }, 120_000);
});
