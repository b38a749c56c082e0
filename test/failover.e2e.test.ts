import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { refusedUrl, startResettingServer, type ResettingServer } from './mocks/broken-upstreams.js';
import { pause, sendJson, startMockServer, type MockServer } from './mocks/mock-server.js';
import { openaiCompletion, openaiTextStream, startOpenAiMock } from './mocks/openai-mock.js';
import { sendSse } from './mocks/mock-server.js';

/**
 * Failover that never waits on a broken account, and one attempt budget per request. Backoff delays
 * are set to a minute: a test that passes in seconds proves no request waited on a backoff.
 */
const MINUTE = 60_000;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function gatewayWithPools(pools: Record<string, unknown[]>, config: Record<string, unknown> = {}): Promise<{ gateway: Harness; client: OpenAI }> {
  const gateway = await startGateway(
    { MODEL_PROVIDER: 'openai-custom', REQUEST_MAX_RETRIES: 3, REQUEST_BASE_DELAY: MINUTE, ...config, PROVIDER_POOLS_FILE_PATH: 'provider_pools.json' },
    [],
    (cwd) => writeFile(path.join(cwd, 'provider_pools.json'), JSON.stringify(pools)),
  );
  closers.push(() => gateway.close(50));
  return { gateway, client: new OpenAI({ apiKey: 'unused', baseURL: `${gateway.url}/v1`, maxRetries: 0 }) };
}

const entry = (uuid: string, url: string, extra: Record<string, unknown> = {}) => ({ uuid, OPENAI_API_KEY: `k-${uuid}`, OPENAI_BASE_URL: url, ...extra });

async function resetting(): Promise<ResettingServer> {
  const server = await startResettingServer();
  closers.push(() => server.close());
  return server;
}

async function mock(handler: Parameters<typeof startMockServer>[0]): Promise<MockServer> {
  const server = await startMockServer(handler);
  closers.push(() => server.close());
  return server;
}

async function healthy(name: string): Promise<MockServer> {
  const server = await startOpenAiMock({ key: `k-${name}`, name });
  closers.push(() => server.close());
  return server;
}

const ask = (client: OpenAI) => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}

describe('failover on connection failures', () => {
  it('moves at once from a resetting and a refusing instance to a healthy one, without backoff', async () => {
    const broken = await resetting();
    const good = await healthy('good');
    const { client } = await gatewayWithPools({ 'openai-custom': [entry('reset', broken.url), entry('refused', await refusedUrl()), entry('good', good.url)] });
    const startedAt = Date.now();
    for (let index = 0; index < 6; index += 1) {
      const { data, response } = await ask(client);
      expect(data.choices[0]?.message.content).toBe('Hello from good!');
      expect(response.headers.get('x-aiclient-instance')).toBe('good');
    }
    // Any backoff would have cost a minute.
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(good.requests).toHaveLength(6);
    // The broken one is tried at most once per request, never retried in place.
    expect(broken.connections()).toBeLessThanOrEqual(6);
  });

  it('answers at once when every instance resets, trying each once', async () => {
    const servers = [await resetting(), await resetting()];
    const { client } = await gatewayWithPools({ 'openai-custom': servers.map((server, index) => entry(`r${index}`, server.url)) });
    const startedAt = Date.now();
    expect(await statusOf(ask(client))).toBe(502);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(servers.map((server) => server.connections())).toEqual([1, 1]);
  });

  it('retries the same instance with REQUEST_BASE_DELAY backoff only when it is the only one', async () => {
    const server = await mock((request, response) => sendJson(response, 200, openaiCompletion(request.json<{ model: string }>().model, 'Hello after a blip!')));
    // The first attempt is reset before any response byte; the retry succeeds.
    server.enqueue((_request, response) => void response.socket?.resetAndDestroy());
    const { client } = await gatewayWithPools({ 'openai-custom': [entry('only', server.url)] }, { REQUEST_BASE_DELAY: 50 });
    const { data } = await ask(client);
    expect(data.choices[0]?.message.content).toBe('Hello after a blip!');
    expect(server.requests).toHaveLength(2);
  });

  it('spends at most REQUEST_MAX_RETRIES + 1 upstream attempts per request in all', async () => {
    const failing = await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => mock((_request, response) => sendJson(response, 500, { error: { message: `${name} is broken` } }))),
    );
    const { client } = await gatewayWithPools({ 'openai-custom': failing.map((server, index) => entry(`i${index}`, server.url)) }, { REQUEST_MAX_RETRIES: 2 });
    expect(await statusOf(ask(client))).toBe(500);
    expect(failing.reduce((sum, server) => sum + server.requests.length, 0)).toBe(3);
    expect(failing.filter((server) => server.requests.length > 1)).toHaveLength(0);
  });

  it('counts the budget for a lone resetting instance too: REQUEST_MAX_RETRIES + 1 sends, then 502', async () => {
    const broken = await resetting();
    const { client } = await gatewayWithPools({ 'openai-custom': [entry('only', broken.url)] }, { REQUEST_MAX_RETRIES: 2, REQUEST_BASE_DELAY: 10 });
    expect(await statusOf(ask(client))).toBe(502);
    expect(broken.connections()).toBe(3);
  });
});

describe('Retry-After with the default config (RATE_LIMIT_COOLDOWN_ENABLED false)', () => {
  it.each([
    ['429 with a Retry-After header', 429, { 'retry-after': '2' }, { error: { message: 'slow down', type: 'rate_limit_error' } }],
    ['503 with a Retry-After header', 503, { 'retry-after': '2' }, { error: { message: 'busy' } }],
    ['429 with a body hint', 429, {}, { error: { message: 'Please retry after 2s', type: 'rate_limit_error' } }],
  ])('%s takes the instance out for that long', async (_name, status, headers, body) => {
    const limited = await mock((_request, response) => sendJson(response, status, body, headers as Record<string, string>));
    const good = await healthy('good');
    const { client } = await gatewayWithPools({ 'openai-custom': [entry('limited', limited.url), entry('good', good.url)] });
    for (let index = 0; index < 8; index += 1) {
      const { response } = await ask(client);
      expect(response.headers.get('x-aiclient-instance')).toBe('good');
    }
    expect(limited.requests).toHaveLength(1);
  });
});

describe('hung upstreams', () => {
  it('fails a streaming request over after UPSTREAM_STREAM_FIRST_BYTE_TIMEOUT_MS without response headers', async () => {
    // Reads the request and never answers.
    const hung = await mock(() => new Promise(() => undefined));
    const good = await healthy('good');
    const { client } = await gatewayWithPools(
      { 'openai-custom': [entry('hung', hung.url), entry('good', good.url)] },
      { UPSTREAM_STREAM_FIRST_BYTE_TIMEOUT_MS: 300 },
    );
    for (let index = 0; index < 2; index += 1) {
      const { data: stream, response } = await client.chat.completions
        .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hi' }] })
        .withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('Hello from good!');
      expect(response.headers.get('x-aiclient-instance')).toBe('good');
    }
    expect(hung.requests.length).toBeGreaterThanOrEqual(1);
  });

  it('gives a slow non-streaming answer the longer headers timeout, while a stream that slow is a 504', async () => {
    const slow = await mock(async (request, response) => {
      await pause(800);
      const body = request.json<{ model: string; stream?: boolean }>();
      if (body.stream) await sendSse(response, openaiTextStream(body.model, ['late']));
      else sendJson(response, 200, openaiCompletion(body.model, 'Slow but fine'));
    });
    const { client } = await gatewayWithPools(
      { 'openai-custom': [entry('slow', slow.url)] },
      { UPSTREAM_STREAM_FIRST_BYTE_TIMEOUT_MS: 200, UPSTREAM_HEADERS_TIMEOUT_MS: 10_000, REQUEST_BASE_DELAY: 10 },
    );
    const { data } = await ask(client);
    expect(data.choices[0]?.message.content).toBe('Slow but fine');
    const streaming = client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    expect(await statusOf(streaming)).toBe(504);
    // A hung account is not waited on again: one streaming attempt.
    expect(slow.requests).toHaveLength(2);
  });
});

describe('health checks', () => {
  it('brings a healed instance back within one SCHEDULED_HEALTH_CHECK interval (1 s accepted)', async () => {
    const state = { broken: true };
    const flaky = await mock((request, response) => {
      if (state.broken) return sendJson(response, 500, { error: { message: 'down' } });
      sendJson(response, 200, openaiCompletion(request.json<{ model: string }>().model, 'Hello from flaky!'));
    });
    const good = await healthy('good');
    const { client } = await gatewayWithPools(
      { 'openai-custom': [entry('flaky', flaky.url, { checkHealth: true, checkModelName: 'gpt-4o-mini' }), entry('good', good.url)] },
      { MAX_ERROR_COUNT: 1, SCHEDULED_HEALTH_CHECK: { enabled: true, interval: 1000 } },
    );
    // Fails over to good, and one failure (MAX_ERROR_COUNT 1) takes flaky out.
    for (let index = 0; index < 3; index += 1) expect((await ask(client)).response.headers.get('x-aiclient-instance')).toBe('good');
    state.broken = false;
    const healedAt = Date.now();
    let servedBy = '';
    while (servedBy !== 'flaky' && Date.now() - healedAt < 10_000) {
      await pause(100);
      servedBy = (await ask(client)).response.headers.get('x-aiclient-instance') ?? '';
    }
    expect(servedBy).toBe('flaky');
    // Back by the next probe: one interval plus the probe's own time, not a recovery backoff of 30 s.
    expect(Date.now() - healedAt).toBeLessThan(5_000);
  });
});
