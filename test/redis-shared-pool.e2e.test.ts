import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess, writeProject } from './helpers/gateway-process.js';
import { type RedisServer, eventually, startRedisServer } from './helpers/redis-server.js';
import { readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { INITIAL_ACCESS_TOKEN, VALID_REFRESH_TOKEN, startGeminiMock } from './mocks/gemini-mock.js';
import { type MockServer, pause, sendJson, startMockServer } from './mocks/mock-server.js';
import { openaiCompletion } from './mocks/openai-mock.js';

/**
 * Several gateway processes (real OS processes running the built command) sharing one pool through
 * a real redis-server.
 */
describe('several gateway processes, one pool (Redis)', { timeout: 180_000 }, () => {
  let redis: RedisServer;
  let prefixes = 0;
  const processes: GatewayProcess[] = [];
  const mocks: Array<{ close(): Promise<void> }> = [];

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
    const limited = await openaiMock('limited', (_request, response) => {
      if (!rateLimited) {
        rateLimited = true;
        return sendJson(response, 429, { error: { message: 'slow down', type: 'rate_limit_error' } }, { 'retry-after': '5' });
      }
      sendJson(response, 200, openaiCompletion('gpt-4o-mini', 'Hello from limited!'));
    });
    const spare = await openaiMock('spare');
    const gateways = await startGateways(
      3,
      { 'openai-custom': [instance('limited', limited), instance('spare', spare)] },
      { RATE_LIMIT_COOLDOWN_ENABLED: true },
    );
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
    await eventually(
      async () => {
        const summary = (await (await fetch(`${second.url}/api/pools`, { headers: { authorization: 'Bearer admin-key' } })).json()) as unknown;
        return JSON.stringify(summary).includes('"disabled":true');
      },
      3000,
      'the second process to report the instance disabled',
    );
  });

  /** An upstream that counts requests running at once; a request whose message says "hold" never ends. */
  async function countingMock(holdMs: number) {
    const counter = { running: 0, max: 0, served: 0 };
    const mock = await openaiMock('counted', async (request, response) => {
      counter.running += 1;
      counter.max = Math.max(counter.max, counter.running);
      try {
        if (request.body.toString().includes('"hold"')) {
          await request.closed;
          return;
        }
        await pause(holdMs);
        counter.served += 1;
        sendJson(response, 200, openaiCompletion('gpt-4o-mini', 'Hello from counted!'));
      } finally {
        counter.running -= 1;
      }
    });
    return { mock, counter };
  }

  it('concurrencyLimit 2 holds across 3 processes under 30 parallel requests', async () => {
    const { mock, counter } = await countingMock(60);
    const gateways = await startGateways(
      3,
      { 'openai-custom': [instance('counted', mock, { concurrencyLimit: 2, queueLimit: 30 })] },
      { POOL_QUEUE_TIMEOUT_MS: 50_000 },
    );
    const answers = await Promise.all(Array.from({ length: 30 }, (_, index) => chat(gateways[index % 3] as GatewayProcess)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(200));
    expect(counter.served).toBe(30);
    expect(counter.max).toBe(2);
  });

  it('the slots of a process killed with -9 free within the lease TTL', async () => {
    const { mock, counter } = await countingMock(10);
    const [doomed, survivor] = (await startGateways(
      2,
      { 'openai-custom': [instance('counted', mock, { concurrencyLimit: 2, queueLimit: 5 })] },
      { REDIS_LEASE_TTL_MS: 2000, POOL_QUEUE_TIMEOUT_MS: 20_000 },
    )) as [GatewayProcess, GatewayProcess];
    // Two requests that never end hold both slots in the doomed process.
    const held = [0, 1].map(() =>
      fetch(`${doomed.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hold' }] }),
      }).catch(() => undefined),
    );
    await eventually(() => counter.running === 2, 5000, 'both slots taken');
    await doomed.kill();
    await Promise.all(held);
    const startedAt = Date.now();
    const answer = await chat(survivor);
    expect(answer).toEqual({ status: 200, instance: 'counted' });
    // Well inside the queue timeout: the slots came back by expiry (TTL 2 s, renewal checks every ~0.7 s).
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });

  it('an expiring OAuth token hit by 3 processes at once is refreshed exactly once', async () => {
    const google = await startGeminiMock({ tokenDelayMs: 400 });
    mocks.push(google);
    const directory = await mkdtemp(path.join(tmpdir(), 'aiclient2api-redis-oauth-'));
    const file = path.join(directory, 'oauth_creds.json');
    // Inside the 5-minute refresh skew: every process wants a new token before its first request.
    await writeFile(
      file,
      JSON.stringify({ access_token: INITIAL_ACCESS_TOKEN, refresh_token: VALID_REFRESH_TOKEN, token_type: 'Bearer', expiry_date: Date.now() + 60_000 }),
      { mode: 0o600 },
    );
    const gateways = await startGateways(
      3,
      {},
      {
        MODEL_PROVIDER: 'gemini-cli-oauth',
        PROVIDER_POOLS_FILE_PATH: '',
        GEMINI_OAUTH_CREDS_FILE_PATH: file,
        GEMINI_BASE_URL: google.url,
        GEMINI_OAUTH_TOKEN_URL: `${google.url}/token`,
      },
    );
    const answers = await Promise.all(
      gateways.map(async (gateway) => {
        const response = await fetch(`${gateway.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
        });
        return { status: response.status, body: await response.text() };
      }),
    );
    for (const answer of answers) expect(answer.status, answer.body).toBe(200);
    expect(google.calls('/token')).toHaveLength(1);
    // Every process used the one new token, which is in the file.
    const generations = google.calls('/v1internal:generateContent');
    expect(generations.map((request) => request.headers.authorization)).toEqual(Array(3).fill('Bearer ya29.new-1'));
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ access_token: 'ya29.new-1', refresh_token: VALID_REFRESH_TOKEN });
  });

  it('/api/usage on either of two gateways with their own usage databases shows the requests of both', async () => {
    const one = await openaiMock('one');
    const keyPrefix = `usage${++prefixes}:`;
    // Two machines: each its own directory, so its own configs/usage.db.
    const gateways = await Promise.all(
      [0, 1].map(async () => {
        const cwd = await mkdtemp(path.join(tmpdir(), 'aiclient2api-redis-usage-'));
        await writeProject(
          cwd,
          {
            MODEL_PROVIDER: 'openai-custom',
            PROVIDER_POOLS_FILE_PATH: 'provider_pools.json',
            REDIS_URL: redis.url,
            REDIS_KEY_PREFIX: keyPrefix,
            ADMIN_API_KEY: 'admin-key',
          },
          { 'provider_pools.json': JSON.stringify({ 'openai-custom': [instance('one', one)] }) },
        );
        const gateway = await startGatewayProcess(cwd);
        processes.push(gateway);
        return gateway;
      }),
    );
    const [first, second] = gateways as [GatewayProcess, GatewayProcess];
    for (let request = 0; request < 3; request += 1) expect((await chat(first)).status).toBe(200);
    for (let request = 0; request < 2; request += 1) expect((await chat(second)).status).toBe(200);
    const admin = async <T>(gateway: GatewayProcess, url: string) =>
      (await (await fetch(`${gateway.url}${url}`, { headers: { authorization: 'Bearer admin-key' } })).json()) as T;
    for (const gateway of gateways) {
      await eventually(
        async () => {
          const usage = await admin<{ rows: Array<{ instance: string; requests: number }> }>(gateway, '/api/usage?groupBy=instance');
          return usage.rows.length === 1 && usage.rows[0]?.instance === 'one' && usage.rows[0].requests === 5;
        },
        10_000,
        'the requests of both gateways in /api/usage',
      );
    }
    // The request lists stay with each gateway.
    expect((await admin<{ requests: unknown[] }>(first, '/api/requests')).requests).toHaveLength(3);
    expect((await admin<{ requests: unknown[] }>(second, '/api/requests')).requests).toHaveLength(2);
  });

  it('--workers 2 runs two gateway processes on one port sharing the pool; without REDIS_URL it refuses', async () => {
    const one = await openaiMock('one');
    const two = await openaiMock('two');
    const cwd = await mkdtemp(path.join(tmpdir(), 'aiclient2api-workers-'));
    const pools = JSON.stringify({ 'openai-custom': [instance('one', one), instance('two', two)] });
    await writeProject(
      cwd,
      { MODEL_PROVIDER: 'openai-custom', PROVIDER_POOLS_FILE_PATH: 'provider_pools.json', ADMIN_API_KEY: 'admin-key' },
      { 'provider_pools.json': pools },
    );
    const refused = await startGatewayProcess(cwd, ['--workers', '2']).catch((error: unknown) => error as Error);
    expect(String(refused)).toMatch(/exited \(1\)/);
    expect(String(refused)).toContain('--workers 2 needs REDIS_URL (--redis-url)');

    const supervisor = await startGatewayProcess(cwd, ['--workers', '2', '--redis-url', redis.url, '--redis-key-prefix', `workers${++prefixes}:`], {
      readyLines: 2,
    });
    processes.push(supervisor);
    const listening = supervisor.logLines.filter((line) => line.msg === 'gateway listening');
    expect(new Set(listening.map((line) => line.url)).size).toBe(1);
    expect(new Set(listening.map((line) => line.pid)).size).toBe(2);
    const disabled = await fetch(`${supervisor.url}/api/pools/one/disable`, { method: 'POST', headers: { authorization: 'Bearer admin-key' } });
    expect(disabled.status).toBeLessThan(300);
    await pause(100);
    const before = one.requests.length;
    // Each request on a new connection: the primary hands connections to the workers in turn, and
    // none of them sends to the instance disabled through one of them.
    for (let request = 0; request < 8; request += 1) expect(await chatOnNewConnection(supervisor.url)).toEqual({ status: 200, instance: 'two' });
    expect(one.requests.length).toBe(before);
    await eventually(
      () => {
        const served = supervisor.logLines.filter((line) => line.msg === 'request' && line.url === '/v1/chat/completions');
        return served.length === 8 && new Set(served.map((line) => line.pid)).size === 2;
      },
      5000,
      'both workers to have served chat requests',
    );
    // Whichever worker takes a scrape answers with both workers' counts (not its own half), and the
    // pool gauges once (not summed over the workers).
    for (let scrape = 0; scrape < 4; scrape += 1) {
      const text = await metricsOnNewConnection(supervisor.url);
      expect(text).toContain('aiclient_requests_total{protocol="openai-chat",provider="openai-custom",model="gpt-4o-mini",status="200"} 8');
      expect(text).toContain('aiclient_upstream_attempts_total{provider="openai-custom",instance="two",outcome="success"} 8');
      expect(text).toContain('aiclient_request_duration_seconds_count{protocol="openai-chat",provider="openai-custom"} 8');
      expect(text).toContain('aiclient_instance_healthy{provider="openai-custom",instance="two"} 1');
    }
    await supervisor.stop();
    expect(await supervisor.exit).toBe(0);
  });
});

function metricsOnNewConnection(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${url}/metrics`, { agent: false, headers: { authorization: 'Bearer admin-key' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.once('end', () => (response.statusCode === 200 ? resolve(text) : reject(new Error(`/metrics answered ${response.statusCode}: ${text}`))));
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}

function chatOnNewConnection(url: string): Promise<{ status: number; instance: string | null }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      `${url}/v1/chat/completions`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        response.once('end', () =>
          resolve({ status: response.statusCode ?? 0, instance: (response.headers['x-aiclient-instance'] as string | undefined) ?? null }),
        );
      },
    );
    outgoing.once('error', reject);
    outgoing.end(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }));
  });
}
