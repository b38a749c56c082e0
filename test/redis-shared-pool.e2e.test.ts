import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess, writeProject } from './helpers/gateway-process.js';
import { type RedisServer, eventually, startRedisServer } from './helpers/redis-server.js';
import { type MockServer, pause, sendJson, startMockServer } from './mocks/mock-server.js';
import { openaiCompletion } from './mocks/openai-mock.js';

/**
 * Several gateway processes (real OS processes running the built command) sharing one pool through
 * a real redis-server.
 */
describe('several gateway processes, one pool (Redis)', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let prefixes = 0;
  const processes: GatewayProcess[] = [];
  const mocks: MockServer[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  }, 20_000);
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((gateway) => gateway.kill()));
    await Promise.all(mocks.splice(0).map((mock) => mock.close()));
  });

  async function openaiMock(name: string, handler?: Parameters<typeof startMockServer>[0]): Promise<MockServer> {
    const mock = await startMockServer(
      handler ?? ((request, response) => sendJson(response, 200, openaiCompletion(request.json<{ model: string }>().model, `Hello from ${name}!`))),
    );
    mocks.push(mock);
    return mock;
  }

  /** N gateways in one project directory sharing REDIS_URL, with the given pools file. */
  async function startGateways(count: number, pools: Record<string, unknown>, config: Record<string, unknown> = {}): Promise<GatewayProcess[]> {
    const cwd = await mkdtemp(path.join(tmpdir(), 'aiclient2api-redis-e2e-'));
    await writeProject(
      cwd,
      {
        MODEL_PROVIDER: 'openai-custom',
        PROVIDER_POOLS_FILE_PATH: 'provider_pools.json',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: `e2e${++prefixes}:`,
        REQUEST_MAX_RETRIES: 2,
        ...config,
      },
      { 'provider_pools.json': JSON.stringify(pools) },
    );
    const started = await Promise.all(Array.from({ length: count }, () => startGatewayProcess(cwd)));
    processes.push(...started);
    return started;
  }

  const instance = (name: string, mock: MockServer, extra: Record<string, unknown> = {}) => ({
    uuid: name,
    OPENAI_API_KEY: `k-${name}`,
    OPENAI_BASE_URL: mock.url,
    ...extra,
  });

  async function chat(gateway: GatewayProcess): Promise<{ status: number; instance: string | null }> {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    await response.arrayBuffer();
    return { status: response.status, instance: response.headers.get('x-aiclient-instance') };
  }

  it('an instance that answered one process 429 Retry-After 5 gets nothing from any process until then', async () => {
    let rateLimited = false;
    const limited = await openaiMock('limited', (request, response) => {
      if (!rateLimited) {
        rateLimited = true;
        return sendJson(response, 429, { error: { message: 'slow down', type: 'rate_limit_error' } }, { 'retry-after': '5' });
      }
      sendJson(response, 200, openaiCompletion('gpt-4o-mini', 'Hello from limited!'));
    });
    const spare = await openaiMock('spare');
    const gateways = await startGateways(3, { 'openai-custom': [instance('limited', limited), instance('spare', spare)] }, { RATE_LIMIT_COOLDOWN_ENABLED: true });
    const [first] = gateways as [GatewayProcess];

    // Through the first process until the limited instance had its request (and answered 429).
    for (let tries = 0; limited.requests.length === 0 && tries < 4; tries += 1) expect((await chat(first)).status).toBe(200);
    expect(limited.requests).toHaveLength(1);
    const limitedAt = Date.now();

    // For the next 4 seconds every process sends everything to the spare instance.
    while (Date.now() - limitedAt < 4000) {
      const answers = await Promise.all(gateways.map((gateway) => chat(gateway)));
      for (const answer of answers) expect(answer).toEqual({ status: 200, instance: 'spare' });
      await pause(100);
    }
    expect(limited.requests).toHaveLength(1);

    // After the 5 seconds it is back, for the other processes too.
    await pause(Math.max(0, limitedAt + 5300 - Date.now()));
    const later = await Promise.all(gateways.slice(1).flatMap((gateway) => [chat(gateway), chat(gateway), chat(gateway)]));
    expect(later.every((answer) => answer.status === 200)).toBe(true);
    expect(later.some((answer) => answer.instance === 'limited')).toBe(true);
  });

  it('an admin action on one process (disable) holds on every process at once', async () => {
    const one = await openaiMock('one');
    const two = await openaiMock('two');
    const gateways = await startGateways(2, { 'openai-custom': [instance('one', one), instance('two', two)] }, { ADMIN_API_KEY: 'admin-key' });
    const [first, second] = gateways as [GatewayProcess, GatewayProcess];
    const disabled = await fetch(`${first.url}/api/pools/one/disable`, { method: 'POST', headers: { authorization: 'Bearer admin-key' } });
    expect(disabled.status).toBeLessThan(300);
    await pause(50);
    const before = one.requests.length;
    for (let request = 0; request < 6; request += 1) expect(await chat(second)).toEqual({ status: 200, instance: 'two' });
    expect(one.requests.length).toBe(before);
    await eventually(async () => {
      const summary = (await (await fetch(`${second.url}/api/pools`, { headers: { authorization: 'Bearer admin-key' } })).json()) as unknown;
      return JSON.stringify(summary).includes('"disabled":true');
    }, 3000, 'the second process to report the instance disabled');
  });
});
