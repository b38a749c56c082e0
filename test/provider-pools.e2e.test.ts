import Anthropic from '@anthropic-ai/sdk';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pause, sendJson, startMockServer, type MockServer } from './mocks/mock-server.js';
import { openaiCompletion, startOpenAiMock } from './mocks/openai-mock.js';
import { adminHeaders, startGateway, type Harness } from './helpers/gateway-harness.js';

const chat = (model = 'gpt-4o-mini') => JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] });

interface Setup {
  gateway: Harness;
  mocks: Record<string, MockServer>;
  poolsFile: string;
}

const running: Setup[] = [];
afterEach(async () => {
  for (const setup of running.splice(0)) {
    await setup.gateway.close(50);
    for (const mock of Object.values(setup.mocks)) await mock.close();
  }
});

/** A gateway whose pools file has one instance per mock (uuid = mock name, key = `k-name`). */
async function startPools(
  mocks: Record<string, MockServer>,
  pools: Record<string, Array<Record<string, unknown>>>,
  config: Record<string, unknown> = {},
): Promise<Setup> {
  const gateway = await startGateway(
    { MODEL_PROVIDER: 'openai-custom', REQUEST_MAX_RETRIES: 2, ...config, PROVIDER_POOLS_FILE_PATH: 'provider_pools.json' },
    [],
    async (cwd) => {
      await writeFile(path.join(cwd, 'provider_pools.json'), JSON.stringify(pools));
    },
  );
  const setup = { gateway, mocks, poolsFile: path.join(gateway.cwd, 'provider_pools.json') };
  running.push(setup);
  return setup;
}

function openaiInstance(name: string, mock: MockServer, extra: Record<string, unknown> = {}) {
  return { uuid: name, customName: `account ${name}`, OPENAI_API_KEY: `k-${name}`, OPENAI_BASE_URL: mock.url, ...extra };
}

async function post(gateway: Harness, pathName: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}${pathName}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { response, json: (await response.json()) as Record<string, any> };
}

/** A mock whose behaviour a test switches: healthy answers, 500s, or 429s. */
async function switchableMock(name: string) {
  const state = { mode: 'ok' as 'ok' | 'fail' | 'rate-limit' };
  const mock = await startMockServer((request, response) => {
    if (state.mode === 'fail') return sendJson(response, 500, { error: { message: `${name} is broken` } });
    if (state.mode === 'rate-limit') return sendJson(response, 429, { error: { message: 'slow down', type: 'rate_limit_error' } }, { 'retry-after': '30' });
    sendJson(response, 200, openaiCompletion(request.json<{ model: string }>().model, `Hello from ${name}!`));
  });
  return { mock, state };
}

describe('provider pools through the gateway', () => {
  it('spreads requests round-robin, skips disabled instances and names the instance that served', async () => {
    const mocks = {
      a: await startOpenAiMock({ key: 'k-a', name: 'a' }),
      b: await startOpenAiMock({ key: 'k-b', name: 'b' }),
      c: await startOpenAiMock({ key: 'k-c', name: 'c' }),
      d: await startOpenAiMock({ key: 'k-d', name: 'd' }),
    };
    const { gateway } = await startPools(mocks, {
      'openai-custom': [
        openaiInstance('a', mocks.a),
        openaiInstance('b', mocks.b),
        openaiInstance('c', mocks.c),
        openaiInstance('d', mocks.d, { isDisabled: true }),
      ],
    });
    const served = new Map<string, number>();
    for (let index = 0; index < 30; index += 1) {
      const { response, json } = await post(gateway, '/v1/chat/completions', chat());
      expect(response.status).toBe(200);
      const instance = response.headers.get('x-aiclient-instance')!;
      expect(json.choices[0].message.content).toBe(`Hello from ${instance}!`);
      served.set(instance, (served.get(instance) ?? 0) + 1);
    }
    expect([...served.keys()].sort()).toEqual(['a', 'b', 'c']);
    for (const count of served.values()) expect(Math.abs(count - 10)).toBeLessThanOrEqual(1);
    expect(mocks.d.requests).toHaveLength(0);
  });

  it('serves a custom group by header, path and model prefix, honouring supportedModels', async () => {
    const mocks = { main: await startOpenAiMock({ key: 'k-main', name: 'main' }), team: await startOpenAiMock({ key: 'k-team', name: 'team' }) };
    const { gateway } = await startPools(mocks, {
      'openai-custom': [openaiInstance('main', mocks.main)],
      'openai-custom-team2': [openaiInstance('team', mocks.team, { supportedModels: ['team-model'] })],
    });
    const byHeader = await post(gateway, '/v1/chat/completions', chat('team-model'), { 'model-provider': 'openai-custom-team2' });
    const byPath = await post(gateway, '/openai-custom-team2/v1/chat/completions', chat('team-model'));
    const byPrefix = await post(gateway, '/v1/chat/completions', chat('openai-custom-team2:team-model'));
    for (const { response, json } of [byHeader, byPath, byPrefix]) {
      expect(response.headers.get('x-aiclient-provider')).toBe('openai-custom-team2');
      expect(json.choices[0].message.content).toBe('Hello from team!');
    }
    const unsupported = await post(gateway, '/v1/chat/completions', chat('openai-custom-team2:gpt-4o'));
    expect(unsupported.response.status).toBe(503);
    expect(unsupported.response.headers.get('retry-after')).toBeTruthy();
    expect(unsupported.json.error.message).toContain('openai-custom-team2');
    expect(unsupported.json.error.message).toContain('gpt-4o');
    expect(mocks.team.requests).toHaveLength(3);
  });

  it('fails over at once to another instance, takes a failing one out after MAX_ERROR_COUNT, and brings it back by probe', async () => {
    const broken = await switchableMock('broken');
    const good = await switchableMock('good');
    broken.state.mode = 'fail';
    const { gateway } = await startPools(
      { broken: broken.mock, good: good.mock },
      {
        'openai-custom': [openaiInstance('broken', broken.mock, { OPENAI_API_KEY: 'x' }), openaiInstance('good', good.mock, { OPENAI_API_KEY: 'x' })],
      },
      { MAX_ERROR_COUNT: 2 },
    );
    for (let index = 0; index < 6; index += 1) {
      const { response, json } = await post(gateway, '/v1/chat/completions', chat());
      expect(response.status).toBe(200);
      expect(json.choices[0].message.content).toBe('Hello from good!');
    }
    expect(broken.mock.requests).toHaveLength(2);
    const pools = (await (await fetch(`${gateway.url}/api/pools`, { headers: adminHeaders(gateway) })).json()) as {
      groups: Array<{ name: string; items: Array<Record<string, any>> }>;
    };
    const brokenItem = pools.groups[0]!.items.find((item) => item.uuid === 'broken')!;
    expect(brokenItem).toMatchObject({ healthy: false, name: 'account broken', lastError: { status: 500, message: 'broken is broken' } });
    expect(JSON.stringify(pools)).not.toContain('OPENAI_API_KEY');

    broken.state.mode = 'ok';
    const probe = await (await fetch(`${gateway.url}/api/pools/broken/probe`, { method: 'POST', headers: adminHeaders(gateway) })).json();
    expect(probe).toMatchObject({ uuid: 'broken', probe: { ok: true } });
    const served = new Set<string>();
    for (let index = 0; index < 4; index += 1) served.add((await post(gateway, '/v1/chat/completions', chat())).response.headers.get('x-aiclient-instance')!);
    expect(served).toEqual(new Set(['broken', 'good']));
  });

  it('cools a rate-limited instance down for its Retry-After and lets admins disable and enable instances', async () => {
    const limited = await switchableMock('limited');
    const other = await switchableMock('other');
    limited.state.mode = 'rate-limit';
    const { gateway } = await startPools(
      { limited: limited.mock, other: other.mock },
      {
        'openai-custom': [openaiInstance('limited', limited.mock), openaiInstance('other', other.mock)],
      },
      { RATE_LIMIT_COOLDOWN_ENABLED: true },
    );
    for (let index = 0; index < 5; index += 1) expect((await post(gateway, '/v1/chat/completions', chat())).response.status).toBe(200);
    expect(limited.mock.requests).toHaveLength(1);
    const summary = (await (await fetch(`${gateway.url}/provider_health?provider=openai-custom`, { headers: adminHeaders(gateway) })).json()) as {
      items: Array<Record<string, any>>;
    };
    expect(summary.items.find((item) => item.uuid === 'limited')!.cooldownUntil).toBeGreaterThan(Date.now() + 25_000);

    await fetch(`${gateway.url}/api/pools/other/disable`, { method: 'POST', headers: adminHeaders(gateway) });
    const nothingLeft = await post(gateway, '/v1/chat/completions', chat());
    expect(nothingLeft.response.status).toBe(503);
    expect(Number(nothingLeft.response.headers.get('retry-after'))).toBeGreaterThan(20);
    await fetch(`${gateway.url}/api/pools/other/enable`, { method: 'POST', headers: adminHeaders(gateway) });
    expect((await post(gateway, '/v1/chat/completions', chat())).response.status).toBe(200);
  });

  it('falls back across protocols: a Claude client is served by openai-custom when claude-custom is down', async () => {
    const mocks = { openai: await startOpenAiMock({ key: 'k-openai', name: 'openai' }) };
    const { gateway } = await startPools(
      mocks,
      {
        'claude-custom': [{ uuid: 'dead-claude', CLAUDE_API_KEY: 'k', CLAUDE_BASE_URL: 'http://127.0.0.1:9' }],
        'openai-custom': [openaiInstance('openai', mocks.openai)],
      },
      { MODEL_PROVIDER: 'claude-custom', providerFallbackChain: { 'claude-custom': ['openai-custom'] } },
    );
    const client = new Anthropic({ apiKey: 'x', baseURL: gateway.url, maxRetries: 0 });
    const message = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from openai!' }]);
    expect(mocks.openai.requests.at(-1)!.json()).toMatchObject({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('uses modelFallbackMapping as the last resort, swapping provider and model', async () => {
    const mocks = { openai: await startOpenAiMock({ key: 'k-openai', name: 'openai' }) };
    const { gateway } = await startPools(
      mocks,
      {
        'claude-custom': [{ uuid: 'dead-claude', CLAUDE_API_KEY: 'k', CLAUDE_BASE_URL: 'http://127.0.0.1:9' }],
        'openai-custom': [openaiInstance('openai', mocks.openai)],
      },
      { MODEL_PROVIDER: 'claude-custom', modelFallbackMapping: { 'claude-opus-4-5': { targetProviderType: 'openai-custom', targetModel: 'gpt-4o' } } },
    );
    const body = JSON.stringify({ model: 'claude-opus-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });
    const { response, json } = await post(gateway, '/v1/messages', body);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-aiclient-provider')).toBe('openai-custom');
    expect(json.content[0].text).toBe('Hello from openai!');
    expect(mocks.openai.requests.at(-1)!.json()).toMatchObject({ model: 'gpt-4o' });
    // Another model has no mapping: the client sees the claude-custom failure.
    const unmapped = await post(gateway, '/v1/messages', body.replace('claude-opus-4-5', 'claude-haiku-4-5'));
    expect([502, 503]).toContain(unmapped.response.status);
  });

  it('answers 503 in the client shape when every instance is down and no fallback exists', async () => {
    const { gateway } = await startPools(
      {},
      { 'claude-custom': [{ uuid: 'dead', CLAUDE_API_KEY: 'k', CLAUDE_BASE_URL: 'http://127.0.0.1:9' }] },
      { MODEL_PROVIDER: 'claude-custom', MAX_ERROR_COUNT: 1 },
    );
    const body = JSON.stringify({ model: 'claude-x', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });
    expect((await post(gateway, '/v1/messages', body)).response.status).toBe(502);
    const second = await post(gateway, '/v1/messages', body);
    expect(second.response.status).toBe(503);
    expect(second.json).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(second.json.error.message).toMatch(/no healthy instance of claude-custom supports model claude-x/);
  });

  it('returns 429 with Retry-After when every instance is at its concurrencyLimit and the queue is full', async () => {
    const slow = await startMockServer(async (request, response) => {
      await pause(300);
      sendJson(response, 200, openaiCompletion(request.json<{ model: string }>().model, 'slow'));
    });
    const { gateway } = await startPools({ slow }, { 'openai-custom': [openaiInstance('slow', slow, { concurrencyLimit: 1, queueLimit: 0 })] });
    const [first, second] = await Promise.all([
      post(gateway, '/v1/chat/completions', chat()),
      pause(50).then(() => post(gateway, '/v1/chat/completions', chat())),
    ]);
    expect(first.response.status).toBe(200);
    expect(second.response.status).toBe(429);
    expect(second.response.headers.get('retry-after')).toBeTruthy();
    expect(slow.requests).toHaveLength(1);
  });

  it('applies an edited pools file without a restart, keeping the state of unchanged instances', async () => {
    const mocks = { a: await startOpenAiMock({ key: 'k-a', name: 'a' }), b: await startOpenAiMock({ key: 'k-b', name: 'b' }) };
    const setup = await startPools(mocks, { 'openai-custom': [openaiInstance('a', mocks.a)] });
    await post(setup.gateway, '/v1/chat/completions', chat());
    await writeFile(setup.poolsFile, JSON.stringify({ 'openai-custom': [openaiInstance('a', mocks.a), openaiInstance('b', mocks.b)] }));
    setup.gateway.reloadPools();
    for (let waited = 0; waited < 3000; waited += 50) {
      const pools = (await (await fetch(`${setup.gateway.url}/api/pools`, { headers: adminHeaders(setup.gateway) })).json()) as {
        groups: Array<{ items: unknown[] }>;
      };
      if (pools.groups[0]!.items.length === 2) break;
      await pause(50);
    }
    for (let index = 0; index < 4; index += 1) await post(setup.gateway, '/v1/chat/completions', chat());
    expect(mocks.b.requests.length).toBeGreaterThan(0);
    const pools = (await (await fetch(`${setup.gateway.url}/api/pools`, { headers: adminHeaders(setup.gateway) })).json()) as {
      groups: Array<{ items: Array<Record<string, any>> }>;
    };
    // The count includes the request from before the reload: the instance kept its state.
    expect(pools.groups[0]!.items.find((item) => item.uuid === 'a')!.usageCount).toBe(mocks.a.requests.length);
  });
});
