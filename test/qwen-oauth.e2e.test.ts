import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openaiQwenOauthAdapter } from '../src/providers/openai-qwen-oauth/index.js';
import { UpstreamHttpClient } from '../src/upstream/http-client.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { sendJson } from './mocks/mock-server.js';
import { QUOTA_ERROR, startQwenMock, type QwenMock } from './mocks/qwen-mock.js';

const HOUR = 3_600_000;
const MESSAGES = [{ role: 'user' as const, content: 'Hi' }];

describe('openai-qwen-oauth through the gateway with the OpenAI SDK', () => {
  let mock: QwenMock;
  const gateways: Harness[] = [];

  beforeAll(async () => {
    mock = await startQwenMock();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gateway) => gateway.close(100)));
  });
  afterAll(async () => {
    await mock.close();
  });

  /** A fresh credential file and gateway per scenario: each gateway instance holds its own token state. */
  async function setup(credentials: Record<string, unknown>): Promise<{ client: OpenAI; file: string }> {
    const directory = await mkdtemp(path.join(tmpdir(), 'qwen-creds-'));
    const file = path.join(directory, 'oauth_creds.json');
    await writeFile(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
    const gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'openai-qwen-oauth',
      QWEN_OAUTH_CREDS_FILE_PATH: file,
      QWEN_OAUTH_BASE_URL: mock.url,
      REQUEST_MAX_RETRIES: 0,
    });
    gateways.push(gateway);
    return { client: new OpenAI({ apiKey: 'gw-key', baseURL: `${gateway.url}/v1`, maxRetries: 0 }), file };
  }

  /** Credentials as Qwen Code writes them, with a token pair the mock knows. */
  function credentials(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    mock.grant(`${name}-access`, `${name}-refresh`);
    return {
      access_token: `${name}-access`,
      refresh_token: `${name}-refresh`,
      token_type: 'Bearer',
      resource_url: mock.url,
      expiry_date: Date.now() + 6 * HOUR,
      ...extra,
    };
  }

  const chatRequests = () => mock.requests.filter((request) => request.path === '/v1/chat/completions');
  const tokenRequests = () => mock.requests.filter((request) => request.path === '/api/v1/oauth2/token');

  it('answers a chat with Qwen Code headers, forwarding the body unchanged (no injected system message or tool)', async () => {
    const { client } = await setup(credentials('chat'));
    const completion = await client.chat.completions.create({ model: 'coder-model', messages: MESSAGES, temperature: 0 });
    expect(completion.choices[0]?.message.content).toBe('Hello from qwen (chat-access)!');
    const seen = chatRequests().at(-1)!;
    expect(seen.headers).toMatchObject({
      authorization: 'Bearer chat-access',
      'x-dashscope-authtype': 'qwen-oauth',
      'x-dashscope-cachecontrol': 'enable',
      'x-stainless-lang': 'js',
      accept: 'application/json',
    });
    expect(seen.headers['user-agent']).toMatch(/^QwenCode\/\S+ \(/);
    expect(seen.headers['x-dashscope-useragent']).toBe(seen.headers['user-agent']);
    expect(seen.json()).toEqual({ model: 'coder-model', messages: MESSAGES, temperature: 0 });
  });

  it('streams chunks in order and lists the Qwen models', async () => {
    const { client } = await setup(credentials('stream'));
    const stream = await client.chat.completions.create({ model: 'coder-model', messages: MESSAGES, stream: true });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('Hello from qwen!');
    expect(finish).toBe('stop');
    expect(chatRequests().at(-1)!.headers.accept).toBe('text/event-stream');
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['coder-model', 'qwen3-coder-flash', 'qwen3-coder-plus', 'vision-model']);
  });

  it('passes tools through and returns tool calls, streaming or not', async () => {
    const { client } = await setup(credentials('tools'));
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    ];
    const completion = await client.chat.completions.create({ model: 'coder-model', messages: MESSAGES, tools });
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    expect(chatRequests().at(-1)!.json()).toEqual({ model: 'coder-model', messages: MESSAGES, tools });

    const stream = await client.chat.completions.create({ model: 'coder-model', messages: MESSAGES, tools, stream: true });
    let argumentsText = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      argumentsText += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(argumentsText).toBe('{"city":"Paris"}');
    expect(finish).toBe('tool_calls');
  });

  it('sends OpenAI developer messages as system messages, which the service requires', async () => {
    const { client } = await setup(credentials('developer'));
    const completion = await client.chat.completions.create({
      model: 'coder-model',
      messages: [{ role: 'developer', content: 'Be brief.' }, ...MESSAGES],
    });
    expect(completion.choices[0]?.message.content).toContain('Hello from qwen');
    expect(chatRequests().at(-1)!.json()).toEqual({ model: 'coder-model', messages: [{ role: 'system', content: 'Be brief.' }, ...MESSAGES] });
  });

  it('refreshes before expiry and writes the file back atomically, keeping unknown fields', async () => {
    const { client, file } = await setup(credentials('expiring', { expiry_date: Date.now() + 60_000, custom_field: { kept: true } }));
    const refreshesBefore = mock.state.refreshCalls;
    const completion = await client.chat.completions.create({ model: 'coder-model', messages: MESSAGES });
    expect(mock.state.refreshCalls).toBe(refreshesBefore + 1);
    const form = new URLSearchParams(tokenRequests().at(-1)!.body.toString());
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'refresh_token', refresh_token: 'expiring-refresh', client_id: 'f0304373b74a44d2b584a3fb70ca9e56' });
    const written = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(completion.choices[0]?.message.content).toBe(`Hello from qwen (${written.access_token as string})!`);
    expect(written).toMatchObject({ token_type: 'Bearer', resource_url: mock.url, custom_field: { kept: true } });
    expect(written.access_token).toMatch(/^qa-\d+$/);
    expect(written.refresh_token).toMatch(/^qr-\d+$/);
    expect(written.expiry_date as number).toBeGreaterThan(Date.now() + 5 * HOUR);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refreshes once on a 401 and retries the same request', async () => {
    const { client, file } = await setup({ ...credentials('revoked'), custom: 1 });
    mock.state.accessTokens.delete('revoked-access');
    const before = mock.requests.length;
    const completion = await client.chat.completions.create({ model: 'coder-model', messages: MESSAGES });
    expect(completion.choices[0]?.message.content).toMatch(/^Hello from qwen \(qa-\d+\)!$/);
    expect(mock.requests.slice(before).map((request) => request.path)).toEqual(['/v1/chat/completions', '/api/v1/oauth2/token', '/v1/chat/completions']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ custom: 1 });
  });

  it('treats a file without an expiry as valid until the first 401', async () => {
    const raw = credentials('noexpiry');
    delete raw.expiry_date;
    const { client } = await setup({ ...raw, expires_in: 21600 });
    const refreshesBefore = mock.state.refreshCalls;
    await client.chat.completions.create({ model: 'coder-model', messages: MESSAGES });
    expect(mock.state.refreshCalls).toBe(refreshesBefore);
    mock.state.accessTokens.delete('noexpiry-access');
    await client.chat.completions.create({ model: 'coder-model', messages: MESSAGES });
    expect(mock.state.refreshCalls).toBe(refreshesBefore + 1);
  });

  it('shares one refresh between 100 concurrent requests, for an expiring token and for a revoked one', async () => {
    mock.state.refreshDelayMs = 50;
    try {
      const { client } = await setup(credentials('crowd', { expiry_date: Date.now() + 1000 }));
      let refreshesBefore = mock.state.refreshCalls;
      const run = () => Promise.all(Array.from({ length: 100 }, () => client.chat.completions.create({ model: 'coder-model', messages: MESSAGES })));
      const answers = await run();
      expect(answers.every((answer) => /^Hello from qwen \(qa-\d+\)!$/.test(answer.choices[0]?.message.content ?? ''))).toBe(true);
      expect(mock.state.refreshCalls).toBe(refreshesBefore + 1);

      for (const token of [...mock.state.accessTokens]) if (token.startsWith('qa-')) mock.state.accessTokens.delete(token);
      refreshesBefore = mock.state.refreshCalls;
      expect(await run()).toHaveLength(100);
      expect(mock.state.refreshCalls).toBe(refreshesBefore + 1);
    } finally {
      mock.state.refreshDelayMs = 0;
    }
  });

  it('waits for a Qwen Code session holding the lock and uses the token it wrote, without a refresh of its own', async () => {
    const { client, file } = await setup(credentials('shared', { expiry_date: Date.now() + 1000 }));
    const lock = path.join(path.dirname(file), 'oauth_creds.lock');
    await writeFile(lock, 'qwen-code-session');
    const refreshesBefore = mock.state.refreshCalls;
    const answer = client.chat.completions.create({ model: 'coder-model', messages: MESSAGES });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeFile(file, JSON.stringify(credentials('from-qwen-code')));
    await rm(lock);
    expect((await answer).choices[0]?.message.content).toBe('Hello from qwen (from-qwen-code-access)!');
    expect(mock.state.refreshCalls).toBe(refreshesBefore);
  });

  it('on a failed refresh keeps the file byte-identical and answers with a clear auth error', async () => {
    const { client, file } = await setup({ ...credentials('dead', { expiry_date: Date.now() + 1000 }), note: 'mine' });
    mock.state.refreshTokens.delete('dead-refresh');
    const before = await readFile(file);
    const failure = await client.chat.completions.create({ model: 'coder-model', messages: MESSAGES }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    const message = (failure as Error).message;
    expect(message).toContain('token refresh failed: invalid_request: Invalid refresh token or client_id');
    expect(message).toContain('aiclient2api auth qwen');
    expect(message).not.toContain('dead-refresh');
    expect((await readFile(file)).equals(before)).toBe(true);
  });
});

describe('openai-qwen-oauth error classification for the pool', () => {
  let mock: QwenMock;
  let http: UpstreamHttpClient;

  beforeAll(async () => {
    mock = await startQwenMock();
    http = new UpstreamHttpClient({ connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000, maxRetries: 0, baseDelayMs: 1 });
  });
  afterAll(async () => {
    await http.close();
    await mock.close();
  });

  async function createClient(credentials: Record<string, unknown>) {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'qwen-creds-')), 'oauth_creds.json');
    await writeFile(file, JSON.stringify(credentials));
    const settings = { QWEN_OAUTH_CREDS_FILE_PATH: file, QWEN_OAUTH_BASE_URL: mock.url };
    return { file, client: openaiQwenOauthAdapter.createClient(settings, { http, logger: pino({ level: 'silent' }) }) };
  }

  const request = () => ({
    model: 'coder-model',
    stream: false,
    body: Buffer.from(JSON.stringify({ model: 'coder-model', messages: MESSAGES })),
    clientHeaders: {},
    signal: new AbortController().signal,
  });

  it('classifies 429 as rate_limit with Retry-After, and insufficient_quota as quota with the daily reset', async () => {
    mock.grant('limits-access', 'limits-refresh');
    const { client } = await createClient({ access_token: 'limits-access', refresh_token: 'limits-refresh', resource_url: mock.url });
    mock.enqueue((_request, response) =>
      sendJson(response, 429, { error: { message: 'Too many requests', type: 'rate_limit_error' } }, { 'retry-after': '7' }),
    );
    await expect(client.send(request())).rejects.toMatchObject({ kind: 'rate_limit', status: 429, detail: { retryAfterMs: 7000, scope: 'account' } });

    mock.enqueue((_request, response) => sendJson(response, 429, QUOTA_ERROR));
    const quota = (await client.send(request()).catch((error: unknown) => error)) as { detail: { retryAfterMs: number } };
    expect(quota).toMatchObject({ kind: 'quota', status: 429, message: 'Free allocated quota exceeded.' });
    expect(quota.detail.retryAfterMs).toBeGreaterThan(0);
    expect(quota.detail.retryAfterMs).toBeLessThanOrEqual(24 * HOUR);

    mock.enqueue((_request, response) => sendJson(response, 403, QUOTA_ERROR));
    await expect(client.send(request())).rejects.toMatchObject({ kind: 'quota', status: 429 });
  });

  it('uses a token issued for less than the refresh skew for half its life instead of refreshing on every request', async () => {
    mock.grant('short-access', 'short-refresh');
    const { client } = await createClient({
      access_token: 'short-access',
      refresh_token: 'short-refresh',
      resource_url: mock.url,
      expiry_date: Date.now() - 1,
    });
    mock.enqueue((_request, response) => {
      mock.grant('short-lived-access', 'short-lived-refresh');
      sendJson(response, 200, {
        access_token: 'short-lived-access',
        refresh_token: 'short-lived-refresh',
        token_type: 'Bearer',
        expires_in: 60,
        resource_url: mock.url,
      });
    });
    const before = mock.requests.length;
    await client.send(request());
    await client.send(request());
    expect(mock.requests.slice(before).map((seen) => seen.path)).toEqual(['/api/v1/oauth2/token', '/v1/chat/completions', '/v1/chat/completions']);
    expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer short-lived-access');
  });

  it('raises oauth_refresh_failed (kind auth, scope account) when the refresh is refused, and a missing file names its path', async () => {
    const { client, file } = await createClient({ access_token: 'x', refresh_token: 'unknown', expiry_date: Date.now() - 1000 });
    const before = await readFile(file);
    await expect(client.send(request())).rejects.toMatchObject({ kind: 'auth', code: 'oauth_refresh_failed', detail: { scope: 'account' } });
    expect((await readFile(file)).equals(before)).toBe(true);

    const missing = openaiQwenOauthAdapter.createClient({ QWEN_OAUTH_CREDS_FILE_PATH: '/nonexistent/qwen.json' }, { http, logger: pino({ level: 'silent' }) });
    await expect(missing.send(request())).rejects.toMatchObject({
      kind: 'auth',
      code: 'credentials_missing',
      message: expect.stringContaining('/nonexistent/qwen.json'),
    });
  });
});
