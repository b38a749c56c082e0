import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, claudeMessage, startAnthropicMock } from './mocks/anthropic-mock.js';
import { sendJson, type MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, openaiCompletion, startOpenAiMock } from './mocks/openai-mock.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

const OPENAI_USAGE = {
  prompt_tokens: 120,
  completion_tokens: 30,
  total_tokens: 150,
  prompt_tokens_details: { cached_tokens: 20 },
  completion_tokens_details: { reasoning_tokens: 7 },
};

interface UsageRow {
  provider?: string | null;
  model?: string | null;
  key?: string | null;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
  unpricedRequests: number;
}

const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** The built `aiclient2api` command (npm test builds first). */
function runCli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function admin<T>(gateway: Harness, route: string): Promise<T> {
  const response = await fetch(`${gateway.url}${route}`, { headers: { authorization: 'Bearer admin-key' } });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}

describe('usage accounting through the gateway (openai-custom, claude-custom)', () => {
  let openaiUpstream: MockServer;
  let claudeUpstream: MockServer;
  let gateway: Harness;
  let cwd: string;
  const config = () => ({
    REQUIRED_API_KEY: 'gw-key',
    ADMIN_API_KEY: 'admin-key',
    MODEL_PROVIDER: 'openai-custom',
    OPENAI_API_KEY: OPENAI_MOCK_KEY,
    OPENAI_BASE_URL: openaiUpstream.url,
    CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
    CLAUDE_BASE_URL: claudeUpstream.url,
    MODEL_PRICES_FILE_PATH: 'prices.json',
  });

  beforeAll(async () => {
    openaiUpstream = await startOpenAiMock({ usage: OPENAI_USAGE });
    claudeUpstream = await startAnthropicMock();
    gateway = await startGateway(config(), [], async (dir) => {
      const { writeFile } = await import('node:fs/promises');
      // gpt-4o-mini is priced; claude models are left unpriced on purpose.
      await writeFile(path.join(dir, 'prices.json'), JSON.stringify({ 'gpt-4o-*': { input: 1, output: 2, cacheRead: 0.5 } }));
    });
    cwd = gateway.cwd;
  });
  afterAll(async () => {
    await gateway.close(100);
    await openaiUpstream.close();
    await claudeUpstream.close();
  });

  it('counts the tokens each upstream reported, streaming and not, and hides the usage chunk the client did not ask for', async () => {
    const openai = new OpenAI({ apiKey: 'gw-key', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.usage?.prompt_tokens).toBe(120);

    const raw = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer gw-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    const text = await raw.text();
    // The gateway asked the upstream for usage; the client, which did not, sees no usage chunk.
    expect(openaiUpstream.requests.at(-1)?.json()).toMatchObject({ stream_options: { include_usage: true } });
    expect(text).not.toContain('"usage"');
    expect(text.match(/data: \[DONE\]/g)).toHaveLength(1);

    // A client that asked for usage gets it, once.
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usageChunks = 0;
    for await (const chunk of stream) if (chunk.usage) usageChunks += 1;
    expect(usageChunks).toBe(1);

    const anthropic = new Anthropic({ apiKey: 'gw-key', baseURL: `${gateway.url}/claude-custom`, maxRetries: 0 });
    await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const claudeStream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    await claudeStream.finalMessage();

    // A Claude client on the OpenAI backend (converted, streaming).
    const converted = new Anthropic({ apiKey: 'gw-key', baseURL: gateway.url, maxRetries: 0 });
    await converted.messages.stream({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();

    const usage = await admin<{ from: string; to: string; rows: UsageRow[] }>(gateway, '/api/usage?groupBy=provider,model');
    const openaiRow = usage.rows.find((row) => row.provider === 'openai-custom');
    expect(openaiRow).toMatchObject({
      model: 'gpt-4o-mini',
      requests: 4,
      errors: 0,
      inputTokens: 480,
      outputTokens: 120,
      cacheReadTokens: 80,
      reasoningTokens: 28,
      unpricedRequests: 0,
    });
    // (100 uncached * 1 + 20 cached * 0.5 + 30 * 2) / 1e6 per request.
    expect(openaiRow?.costUsd).toBeCloseTo((4 * (100 + 10 + 60)) / 1e6, 12);
    const claudeRow = usage.rows.find((row) => row.provider === 'claude-custom');
    expect(claudeRow).toMatchObject({ model: 'claude-sonnet-4-5', requests: 2, inputTokens: 10, outputTokens: 4, costUsd: 0, unpricedRequests: 2 });

    // The CLI, reading the same file while the gateway runs, prints the same numbers for both providers.
    const cli = await runCli(['usage', '--since', '1h', '--by', 'provider,model', '--usage-db', path.join(cwd, 'configs', 'usage.db')], cwd);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const cells = (provider: string) => {
      const line = cli.stdout.split('\n').find((text) => text.startsWith(`${provider} `));
      return (line ?? '').trim().split(/\s{2,}/);
    };
    // provider, model, requests, errors, input, output, cache read, cache write, reasoning, cost USD
    expect(cells('claude-custom')).toEqual(['claude-custom', 'claude-sonnet-4-5', '2', '0', '10', '4', '0', '0', '0', '0.0000*']);
    expect(cells('openai-custom')).toEqual(['openai-custom', 'gpt-4o-mini', '4', '0', '480', '120', '80', '0', '28', ((4 * (100 + 10 + 60)) / 1e6).toFixed(4)]);
    expect(cells('total')).toEqual(['total', '6', '0', '490', '124', '80', '0', '28', ((4 * (100 + 10 + 60)) / 1e6).toFixed(4)]);

    const recent = await admin<{ requests: Array<Record<string, unknown>> }>(gateway, '/api/requests?limit=10');
    expect(recent.requests).toHaveLength(6);
    expect(recent.requests[0]).toMatchObject({
      protocol: 'claude',
      provider: 'openai-custom',
      stream: true,
      status: 200,
      usageSource: 'upstream',
      inputTokens: 120,
    });
    expect(recent.requests[0]?.keyId).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(recent)).not.toContain('gw-key');
  });

  it('keeps the rate-limit headers of the last answer per instance for /api/quotas, without asking the upstream', async () => {
    openaiUpstream.enqueue((request, response) =>
      sendJson(response, 200, openaiCompletion(request.json<{ model: string }>().model), {
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-remaining-requests': '499',
        'x-ratelimit-reset-requests': '120ms',
        'x-ratelimit-remaining-tokens': '29000',
      }),
    );
    claudeUpstream.enqueue((request, response) =>
      sendJson(response, 200, claudeMessage(request.json<{ model: string }>().model), {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-requests-reset': '2030-01-01T00:00:00Z',
      }),
    );
    const openai = new OpenAI({ apiKey: 'gw-key', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    const anthropic = new Anthropic({ apiKey: 'gw-key', baseURL: `${gateway.url}/claude-custom`, maxRetries: 0 });
    await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const openaiCalls = openaiUpstream.requests.length;
    const { instances } = await admin<{ instances: Array<Record<string, any>> }>(gateway, '/api/quotas');
    expect(instances.find((instance) => instance.provider === 'openai-custom')).toMatchObject({
      source: 'headers',
      quota: { windows: { requests: { limit: 500, remaining: 499, reset: '120ms' }, tokens: { remaining: 29000 } } },
    });
    expect(instances.find((instance) => instance.provider === 'claude-custom')).toMatchObject({
      source: 'headers',
      quota: { windows: { requests: { limit: 50, remaining: 49, reset: '2030-01-01T00:00:00Z' } } },
    });
    expect(openaiUpstream.requests.length).toBe(openaiCalls);
    // The admin API needs the admin key.
    expect((await fetch(`${gateway.url}/api/quotas`, { headers: { authorization: 'Bearer gw-key' } })).status).toBe(401);
    expect((await fetch(`${gateway.url}/api/usage`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/metrics`, { headers: { authorization: 'Bearer gw-key' } })).status).toBe(401);
  });

  it('keeps the numbers across a restart', async () => {
    const before = await admin<{ rows: UsageRow[] }>(gateway, '/api/usage');
    await gateway.close(100);
    gateway = await startGateway(config(), [], async (dir) => {
      const { cp } = await import('node:fs/promises');
      await cp(path.join(cwd, 'configs'), path.join(dir, 'configs'), { recursive: true });
      await cp(path.join(cwd, 'prices.json'), path.join(dir, 'prices.json'));
    });
    const after = await admin<{ rows: UsageRow[] }>(gateway, '/api/usage');
    expect(after.rows).toEqual(before.rows);
    expect(before.rows[0]?.requests).toBe(8);
  });
});
