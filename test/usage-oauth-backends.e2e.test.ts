import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { startGeminiMock, type GeminiMock } from './mocks/gemini-mock.js';
import { geminiGatewaySettings, writeGeminiCredentials } from './mocks/gemini-test-client.js';
import { startKiroMock, type KiroMock } from './mocks/kiro-mock.js';
import { QWEN_MOCK_USAGE, startQwenMock, type QwenMock } from './mocks/qwen-mock.js';
import { sample } from './helpers/prometheus.js';

interface UsageRow {
  provider: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
}

describe('usage accounting on the OAuth backends (gemini-cli-oauth, claude-kiro-oauth, openai-qwen-oauth)', () => {
  let gemini: GeminiMock;
  let kiro: KiroMock;
  let qwen: QwenMock;
  let gateway: Harness;

  beforeAll(async () => {
    gemini = await startGeminiMock();
    kiro = await startKiroMock();
    qwen = await startQwenMock();
    qwen.grant('usage-access', 'usage-refresh');
    const directory = await mkdtemp(path.join(tmpdir(), 'usage-creds-'));
    const kiroFile = path.join(directory, 'kiro.json');
    await writeFile(
      kiroFile,
      JSON.stringify({
        accessToken: 'access-0',
        refreshToken: 'refresh-0',
        profileArn: kiro.state.profileArn,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        authMethod: 'social',
        region: 'us-east-1',
      }),
    );
    const qwenFile = path.join(directory, 'qwen.json');
    await writeFile(
      qwenFile,
      JSON.stringify({
        access_token: 'usage-access',
        refresh_token: 'usage-refresh',
        token_type: 'Bearer',
        resource_url: qwen.url,
        expiry_date: Date.now() + 3_600_000,
      }),
    );
    gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'gemini-cli-oauth,claude-kiro-oauth,openai-qwen-oauth',
      ...geminiGatewaySettings(gemini, await writeGeminiCredentials()),
      KIRO_OAUTH_CREDS_FILE_PATH: kiroFile,
      KIRO_BASE_URL: kiro.chatUrl,
      KIRO_REFRESH_URL: kiro.refreshUrl,
      QWEN_OAUTH_CREDS_FILE_PATH: qwenFile,
      QWEN_OAUTH_BASE_URL: qwen.url,
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await Promise.all([gemini.close(), kiro.close(), qwen.close()]);
  });

  it('records what each backend reported (Kiro: estimated and marked so), in /api/usage and /metrics', async () => {
    const google = new GoogleGenAI({ apiKey: 'gw-key', httpOptions: { baseUrl: `${gateway.url}/gemini-cli-oauth` } });
    await google.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    for await (const chunk of await google.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hi' })) void chunk;

    const anthropic = new Anthropic({ apiKey: 'gw-key', baseURL: `${gateway.url}/claude-kiro-oauth`, maxRetries: 0 });
    const message = await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'Hi there' }] });
    const streamed = await anthropic.messages
      .stream({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'Hi there' }] })
      .finalMessage();

    const openai = new OpenAI({ apiKey: 'gw-key', baseURL: `${gateway.url}/openai-qwen-oauth/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'coder-model', messages: [{ role: 'user', content: 'Hi' }] });
    let text = '';
    for await (const chunk of await openai.chat.completions.create({ model: 'coder-model', messages: [{ role: 'user', content: 'Hi' }], stream: true })) {
      expect(chunk.usage ?? undefined).toBeUndefined();
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('Hello from qwen!');

    const response = await fetch(`${gateway.url}/api/usage?groupBy=provider`, { headers: { authorization: 'Bearer gw-key' } });
    const { rows } = (await response.json()) as { rows: UsageRow[] };
    const row = (provider: string) => rows.find((entry) => entry.provider === provider);
    expect(row('gemini-cli-oauth')).toMatchObject({ requests: 2, errors: 0, inputTokens: 8, outputTokens: 4 });
    expect(row('openai-qwen-oauth')).toMatchObject({
      requests: 2,
      inputTokens: 5 + QWEN_MOCK_USAGE.prompt_tokens,
      outputTokens: 2 + QWEN_MOCK_USAGE.completion_tokens,
      cacheReadTokens: QWEN_MOCK_USAGE.prompt_tokens_details.cached_tokens,
    });
    // Kiro reports no counts: the record holds the gateway's estimate, the same the client was told.
    const kiroInput = message.usage.input_tokens + streamed.usage.input_tokens;
    const kiroOutput = message.usage.output_tokens + streamed.usage.output_tokens;
    expect(kiroInput).toBeGreaterThan(0);
    expect(row('claude-kiro-oauth')).toMatchObject({ requests: 2, inputTokens: kiroInput, outputTokens: kiroOutput });
    const recent = (await (await fetch(`${gateway.url}/api/requests?provider=claude-kiro-oauth`, { headers: { 'x-api-key': 'gw-key' } })).json()) as {
      requests: Array<{ usageSource: string }>;
    };
    expect(recent.requests.map((record) => record.usageSource)).toEqual(['estimated', 'estimated']);

    const metrics = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: 'Bearer gw-key' } })).text();
    expect(sample(metrics, 'aiclient_tokens_total', { provider: 'gemini-cli-oauth', model: 'gemini-2.5-flash', type: 'input' })).toBe(8);
    expect(sample(metrics, 'aiclient_tokens_total', { provider: 'claude-kiro-oauth', model: 'claude-sonnet-4-6', type: 'output' })).toBe(kiroOutput);
    expect(sample(metrics, 'aiclient_tokens_total', { provider: 'openai-qwen-oauth', model: 'coder-model', type: 'cache_read' })).toBe(4);
    expect(sample(metrics, 'aiclient_requests_total', { protocol: 'gemini', provider: 'gemini-cli-oauth', model: 'gemini-2.5-flash', status: '200' })).toBe(2);
    expect(sample(metrics, 'aiclient_requests_total', { protocol: 'openai-chat', provider: 'openai-qwen-oauth', model: 'coder-model', status: '200' })).toBe(2);
  });

  it('reports account quotas: Code Assist buckets and Kiro usage limits read on demand and cached', async () => {
    const read = async () => {
      const response = await fetch(`${gateway.url}/api/quotas`, { headers: { authorization: 'Bearer gw-key' } });
      expect(response.status).toBe(200);
      return ((await response.json()) as { instances: Array<Record<string, any>> }).instances;
    };
    const instances = await read();
    const of = (provider: string) => instances.find((instance) => instance.provider === provider);
    expect(of('gemini-cli-oauth')).toMatchObject({ source: 'api', quota: { buckets: [{ modelId: 'gemini-2.5-flash', remainingFraction: 0.5 }] } });
    expect(of('claude-kiro-oauth')).toMatchObject({
      source: 'api',
      quota: { usageBreakdownList: [{ resourceType: 'CREDIT', currentUsage: 12, usageLimit: 50 }] },
    });
    expect(of('openai-qwen-oauth')).toMatchObject({ source: 'none', quota: null, readAt: null });
    expect(Date.parse(of('gemini-cli-oauth')?.readAt)).toBeGreaterThan(Date.now() - 60_000);
    const kiroCall = kiro.requests('/getUsageLimits').at(-1)!;
    expect(kiroCall.method).toBe('GET');
    expect(kiroCall.headers.authorization).toBe('Bearer access-0');
    expect(Object.fromEntries(kiroCall.query)).toMatchObject({ origin: 'AI_EDITOR', resourceType: 'AGENTIC_REQUEST', profileArn: kiro.state.profileArn });
    expect(gemini.calls('/v1internal:retrieveUserQuota').at(-1)?.json()).toEqual({ project: expect.any(String) });

    // Within QUOTA_CACHE_SECONDS the backends are not asked again.
    await read();
    expect(kiro.requests('/getUsageLimits')).toHaveLength(1);
    expect(gemini.calls('/v1internal:retrieveUserQuota')).toHaveLength(1);
  });
});
