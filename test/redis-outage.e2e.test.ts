import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess, writeProject } from './helpers/gateway-process.js';
import { type RedisServer, eventually, startRedisServer } from './helpers/redis-server.js';
import { type MockServer, pause, sendJson, startMockServer } from './mocks/mock-server.js';
import { openaiCompletion } from './mocks/openai-mock.js';

const ADMIN = { authorization: 'Bearer admin-key' };

/**
 * Redis goes away (kill -9) while three gateway processes serve a steady load, and comes back
 * empty on the same port: no request fails, each process says so once each way, and the shared
 * pool state is whole again afterwards (re-published from the processes' own views).
 */
describe('Redis killed under load, then restarted', { timeout: 240_000 }, () => {
  const servers: RedisServer[] = [];
  const processes: GatewayProcess[] = [];
  const mocks: MockServer[] = [];

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((gateway) => gateway.kill()));
    await Promise.all(mocks.splice(0).map((mock) => mock.close()));
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  /**
   * An upstream that takes a little time per answer; `rateLimitOnce()` makes its next answer a 429
   * Retry-After 5, `failOnce()` a 500.
   */
  async function upstream(name: string) {
    let limitNext = false;
    let failNext = false;
    const mock = await startMockServer(async (request, response) => {
      if (failNext) {
        failNext = false;
        return sendJson(response, 500, { error: { message: 'boom', type: 'server_error' } });
      }
      if (limitNext) {
        limitNext = false;
        return sendJson(response, 429, { error: { message: 'slow down', type: 'rate_limit_error' } }, { 'retry-after': '5' });
      }
      await pause(15);
      sendJson(response, 200, openaiCompletion(request.json<{ model: string }>().model, `Hello from ${name}!`));
    });
    mocks.push(mock);
    return { mock, rateLimitOnce: () => (limitNext = true), failOnce: () => (failNext = true) };
  }

  /** One chat request; the body must be a whole completion from one of the upstreams. */
  async function chat(gateway: GatewayProcess): Promise<{ status: number; instance: string | null; text: string }> {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const body = await response.text();
    let text = body;
    try {
      text = (JSON.parse(body) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content ?? body;
    } catch {
      // not JSON: the raw body shows in the failure
    }
    return { status: response.status, instance: response.headers.get('x-aiclient-instance'), text };
  }

  interface Item {
    uuid: string;
    disabled: boolean;
    available: boolean;
    usageCount: number;
    errorCount: number;
  }
  async function pools(gateway: GatewayProcess): Promise<Map<string, Item>> {
    const summary = (await (await fetch(`${gateway.url}/api/pools`, { headers: ADMIN })).json()) as { groups: Array<{ items: Item[] }> };
    return new Map(summary.groups.flatMap((group) => group.items).map((item) => [item.uuid, item]));
  }

  const logged = (gateway: GatewayProcess, message: string) => gateway.logLines.filter((line) => line.msg === message).length;

  /** Three gateways sharing one pool of three instances (with concurrency limits) through a fresh Redis. */
  async function fleet() {
    const redis = await startRedisServer();
    servers.push(redis);
    const a = await upstream('a');
    const b = await upstream('b');
    const c = await upstream('c');
    const cwd = await mkdtemp(path.join(tmpdir(), 'aiclient2api-redis-outage-'));
    const instance = (name: string, mock: MockServer) => ({
      uuid: name,
      OPENAI_API_KEY: `k-${name}`,
      OPENAI_BASE_URL: mock.url,
      // Shared slots while Redis is there, counted per process while it is away.
      concurrencyLimit: 8,
      queueLimit: 100,
    });
    await writeProject(
      cwd,
      {
        MODEL_PROVIDER: 'openai-custom',
        PROVIDER_POOLS_FILE_PATH: 'provider_pools.json',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: 'outage:',
        REQUEST_MAX_RETRIES: 2,
        RATE_LIMIT_COOLDOWN_ENABLED: true,
        POOL_QUEUE_TIMEOUT_MS: 60_000,
        ADMIN_API_KEY: 'admin-key',
      },
      { 'provider_pools.json': JSON.stringify({ 'openai-custom': [instance('a', a.mock), instance('b', b.mock), instance('c', c.mock)] }) },
    );
    const gateways = await Promise.all([0, 1, 2].map(() => startGatewayProcess(cwd)));
    processes.push(...gateways);
    return { server: redis, a, b, c, cwd, gateways };
  }

  /** 30 requests at a time spread over the gateways until stop() (which resolves every answer). */
  function steadyLoad(gateways: readonly GatewayProcess[]) {
    const answers: Array<{ status: number; instance: string | null; text: string; ms: number }> = [];
    let running = true;
    let turn = 0;
    const worker = async () => {
      while (running) {
        const startedAt = Date.now();
        const answer = await chat(gateways[turn++ % gateways.length] as GatewayProcess);
        answers.push({ ...answer, ms: Date.now() - startedAt });
      }
    };
    const load = Promise.all(Array.from({ length: 30 }, worker));
    return {
      answers,
      async stop() {
        running = false;
        await load;
        return answers;
      },
    };
  }

  const redisWarnings = (gateway: GatewayProcess) => gateway.logLines.filter((line) => Number(line.level) >= 40 && /redis/i.test(String(line.msg)));

  it('serves every request while Redis is away, logs once each way, and converges when it is back', async () => {
    const { server, a, b, cwd, gateways } = await fleet();
    const [first, second, third] = gateways as [GatewayProcess, GatewayProcess, GatewayProcess];

    // Before the outage: c is disabled through the first process (shared, so out everywhere).
    expect((await fetch(`${first.url}/api/pools/c/disable`, { method: 'POST', headers: ADMIN })).status).toBeLessThan(300);
    await eventually(
      async () => (await Promise.all(gateways.map(pools))).every((view) => view.get('c')?.disabled === true),
      5000,
      'c disabled on every process',
    );

    // And b failed once (the request went on to a): its error count is shared too.
    b.failOnce();
    for (let tries = 0; tries < 6 && b.mock.requests.length === 0; tries += 1) expect((await chat(first)).status).toBe(200);
    await eventually(
      async () => (await Promise.all(gateways.map(pools))).every((view) => view.get('b')?.errorCount === 1),
      5000,
      'b errorCount 1 on every process',
    );

    // A steady load, 30 requests at a time spread over the three processes: 90 answered, then Redis
    // is killed; 3 s later it starts again (empty, same port); 90 more answered after that.
    const load = steadyLoad(gateways);
    await eventually(() => load.answers.length >= 90, 30_000, 'load before the outage');
    await server.kill();
    const killedAt = load.answers.length;
    await pause(3000);
    const duringOutage = load.answers.length - killedAt;
    await server.restart();
    const restartedAt = load.answers.length;
    await eventually(() => load.answers.length >= restartedAt + 90, 30_000, 'load after the restart');
    const answers = await load.stop();
    expect(duringOutage).toBeGreaterThan(90);
    const failed = answers.filter((answer) => answer.status !== 200 || !/^Hello from [ab]!$/.test(answer.text));
    expect(failed).toEqual([]);
    expect(new Set(answers.map((answer) => answer.instance))).toEqual(new Set(['a', 'b']));

    // Each process noticed the outage once and the return once (not once per request).
    await eventually(
      () => gateways.every((gateway) => logged(gateway, 'redis reachable again: syncing pool state') === 1),
      10_000,
      'every process to see Redis back',
    );
    for (const gateway of gateways) {
      expect(logged(gateway, 'redis unreachable: serving from local state until it is back')).toBe(1);
      expect(redisWarnings(gateway)).toHaveLength(1);
    }

    // Redis restarted empty: the processes re-published their view, so a process started now
    // (it reads the pool from Redis) also finds c disabled.
    await eventually(async () => (await server.cli('EXISTS', 'outage:state:c')) === '1', 10_000, 'the state of c back in Redis');
    const late = await startGatewayProcess(cwd);
    processes.push(late);
    const view = await pools(late);
    expect(view.get('c')?.disabled).toBe(true);
    expect(view.get('b')?.errorCount).toBe(1);
    // Every request of every process is counted once, before, during and after the outage: each
    // process's counts made while Redis was away are added to what the first one back re-published.
    const upstreamRequests = a.mock.requests.length + b.mock.requests.length;
    await eventually(
      async () => {
        const views = await Promise.all([...gateways, late].map(pools));
        return views.every((view) => (view.get('a')?.usageCount ?? 0) + (view.get('b')?.usageCount ?? 0) === upstreamRequests);
      },
      15_000,
      `usage counts of a and b to add up to the ${upstreamRequests} requests they got, on every process`,
    );

    // And changes travel again: a 429 Retry-After 5 seen by the second process keeps a out of
    // every process, the late one included.
    a.rateLimitOnce();
    for (let tries = 0; tries < 6 && (await pools(second)).get('a')?.available !== false; tries += 1) {
      expect((await chat(second)).status).toBe(200);
    }
    const limitedAt = Date.now();
    for (const gateway of [first, third, late]) {
      await eventually(async () => (await pools(gateway)).get('a')?.available === false, 2000, 'a cooling down on every process');
    }
    const before = a.mock.requests.length;
    while (Date.now() - limitedAt < 3000) {
      const round = await Promise.all([first, third, late].map((gateway) => chat(gateway)));
      for (const answer of round) expect(answer).toMatchObject({ status: 200, instance: 'b' });
      await pause(100);
    }
    expect(a.mock.requests.length).toBe(before);
  });

  it('serves every request while Redis hangs (SIGSTOP), without waiting on it for each request', async () => {
    const { server, gateways } = await fleet();
    const load = steadyLoad(gateways);
    await eventually(() => load.answers.length >= 90, 30_000, 'load before Redis hangs');
    // A hung Redis keeps its connections open: only command timeouts tell.
    server.pause();
    const pausedAt = load.answers.length;
    await pause(6000);
    const whileHung = load.answers.slice(pausedAt);
    server.resume();
    await eventually(
      () => gateways.every((gateway) => logged(gateway, 'redis reachable again: syncing pool state') === 1),
      15_000,
      'every process to see Redis answer again',
    );
    const answers = await load.stop();
    expect(answers.filter((answer) => answer.status !== 200 || !/^Hello from [abc]!$/.test(answer.text))).toEqual([]);
    // Requests kept flowing: after the first command timeouts, nothing waits for Redis.
    expect(whileHung.length).toBeGreaterThan(150);
    for (const gateway of gateways) expect(logged(gateway, 'redis unreachable: serving from local state until it is back')).toBe(1);
  });
});
