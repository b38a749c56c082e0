import Anthropic from '@anthropic-ai/sdk';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claudeKiroOauthAdapter } from '../src/providers/claude-kiro-oauth/index.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { contextUsageFrame, exceptionFrame, meteringFrame, textFrame, toolFrame } from './mocks/kiro-event-stream.js';
import { framesHandler, kiroErrorHandler, startKiroMock, type KiroMock } from './mocks/kiro-mock.js';

const HOUR = 3_600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

let kiro: KiroMock;
const gateways: Harness[] = [];

beforeAll(async () => {
  kiro = await startKiroMock();
});
afterAll(async () => {
  await kiro.close();
});
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close(100)));
});

function resetMock(): void {
  Object.assign(kiro.state, { accessToken: 'access-0', refreshToken: 'refresh-0', rejectWith: 403, refreshDelayMs: 0, rotations: 0 });
  kiro.state.profileArn = 'arn:aws:codewhisperer:us-east-1:111111111111:profile/EXAMPLE';
  kiro.server.requests.splice(0);
}

async function writeToken(token: Record<string, unknown>, extraFiles: Record<string, unknown> = {}): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'kiro-creds-'));
  const file = path.join(directory, 'kiro-auth-token.json');
  await writeFile(file, JSON.stringify(token, null, 2));
  for (const [name, content] of Object.entries(extraFiles)) await writeFile(path.join(directory, name), JSON.stringify(content));
  return file;
}

const socialToken = (overrides: Record<string, unknown> = {}) => ({
  accessToken: 'access-0',
  refreshToken: 'refresh-0',
  profileArn: 'arn:aws:codewhisperer:us-east-1:111111111111:profile/EXAMPLE',
  expiresAt: iso(HOUR),
  authMethod: 'social',
  provider: 'Google',
  region: 'us-east-1',
  ...overrides,
});

async function gatewayFor(credsFile: string, extra: Record<string, unknown> = {}): Promise<{ gateway: Harness; client: Anthropic }> {
  const gateway = await startGateway({
    REQUIRED_API_KEY: 'gw-key',
    MODEL_PROVIDER: 'claude-kiro-oauth',
    KIRO_OAUTH_CREDS_FILE_PATH: credsFile,
    KIRO_BASE_URL: kiro.chatUrl,
    KIRO_REFRESH_URL: kiro.refreshUrl,
    KIRO_REFRESH_IDC_URL: kiro.idcRefreshUrl,
    REQUEST_MAX_RETRIES: 0,
    ...extra,
  });
  gateways.push(gateway);
  return { gateway, client: new Anthropic({ apiKey: 'gw-key', baseURL: gateway.url, maxRetries: 0 }) };
}

const chatBodies = () => kiro.requests('/generateAssistantResponse').map((request) => request.json<Record<string, any>>());

describe('claude-kiro-oauth through the gateway with the Anthropic SDK', () => {
  it('answers a non-streaming message with Kiro headers, the mapped model id and usage', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()));
    const message = await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from kiro-mock!' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.model).toBe('claude-sonnet-4-6');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    // 1.5 % of a 200k window, minus the output.
    expect(message.usage.input_tokens).toBe(3000 - message.usage.output_tokens);
    const [seen] = kiro.requests('/generateAssistantResponse');
    expect(seen!.headers.authorization).toBe('Bearer access-0');
    expect(seen!.headers['amz-sdk-invocation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen!.headers['user-agent']).toMatch(
      /^aws-sdk-js\/1\.0\.34 ua\/2\.1 os\/.+ lang\/js md\/nodejs#[\d.]+ api\/codewhispererstreaming#1\.0\.34 m\/E KiroIDE-0\.11\.63-[0-9a-f]{64}$/,
    );
    const body = seen!.json<Record<string, any>>();
    expect(body.profileArn).toBe('arn:aws:codewhisperer:us-east-1:111111111111:profile/EXAMPLE');
    expect(body.conversationState.history).toBeUndefined();
    expect(body.conversationState.currentMessage.userInputMessage).toEqual({
      content: 'You are terse.\n\nHi',
      modelId: 'claude-sonnet-4.6',
      origin: 'AI_EDITOR',
      userInputMessageContext: { tools: [expect.objectContaining({ toolSpecification: expect.objectContaining({ name: 'no_tool_available' }) })] },
    });
  });

  it('streams text as Claude SSE events, ending with message_stop', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()), { KIRO_CLIENT_VERSION: '0.12.0' });
    // A one-character frame is 0x7B bytes long: the original lost every event after it.
    kiro.enqueueChat(
      framesHandler([textFrame('a'), textFrame('中文'), textFrame('测试'), meteringFrame(0.02), contextUsageFrame(2)], { chunkSize: 7, pauseMs: 1 }),
    );
    const stream = client.messages.stream({ model: 'claude-opus-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'a中文测试' }]);
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    // opus 4.6 has a 1M window: 2 % of it.
    expect(final.usage.input_tokens).toBe(20_000 - final.usage.output_tokens);
    const [seen] = kiro.requests('/generateAssistantResponse');
    expect(seen!.headers['x-amz-user-agent']).toMatch(/KiroIDE-0\.12\.0-/);
    expect(seen!.json<Record<string, any>>().conversationState.currentMessage.userInputMessage.modelId).toBe('claude-opus-4.6');
  });

  it('streams a tool call whose input arrives in many fragments, as input_json_delta events', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()));
    const input = JSON.stringify({ city: 'Paris', units: 'metric', note: 'a "quoted" {brace}' });
    const fragments = input.match(/.{1,5}/g)!;
    kiro.enqueueChat(
      framesHandler(
        [
          textFrame('Let me check.'),
          ...fragments.map((fragment) => toolFrame('tooluse_1', 'get_weather', fragment)),
          toolFrame('tooluse_1', 'get_weather', undefined, true),
          contextUsageFrame(1),
        ],
        { chunkSize: 13 },
      ),
    );
    const stream = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      tools: [{ name: 'get_weather', description: 'Get weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    let deltas = 0;
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') deltas += 1;
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'tooluse_1', name: 'get_weather', input: JSON.parse(input) },
    ]);
    expect(final.stop_reason).toBe('tool_use');
    expect(deltas).toBe(fragments.length);
    const tools = chatBodies()[0]!.conversationState.currentMessage.userInputMessage.userInputMessageContext.tools;
    expect(tools).toEqual([
      {
        toolSpecification: {
          name: 'get_weather',
          description: 'Get weather',
          inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } },
        },
      },
    ]);
  });

  it('returns parallel tool calls, back-to-back and interleaved, each with its own input (non-streaming and streaming)', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()));
    const frames = [
      toolFrame('t1', 'read_file', '{"path":'),
      toolFrame('t2', 'read_file', '{"path":"b.ts"}'),
      toolFrame('t1', 'read_file', '"a.ts"}'),
      toolFrame('t1', 'read_file', undefined, true),
      toolFrame('t2', 'read_file', undefined, true),
      toolFrame('t3', 'list_dir', '{}', true),
    ];
    const expected = [
      { type: 'tool_use', id: 't1', name: 'read_file', input: { path: 'a.ts' } },
      { type: 'tool_use', id: 't2', name: 'read_file', input: { path: 'b.ts' } },
      { type: 'tool_use', id: 't3', name: 'list_dir', input: {} },
    ];
    const request = {
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      tools: [
        { name: 'read_file', description: 'Read', input_schema: { type: 'object' as const } },
        { name: 'list_dir', description: 'List', input_schema: { type: 'object' as const } },
      ],
      messages: [{ role: 'user' as const, content: 'Read a.ts and b.ts' }],
    };
    kiro.enqueueChat(framesHandler(frames), framesHandler(frames, { chunkSize: 1 }));
    const message = await client.messages.create(request);
    expect(message.content).toEqual(expected);
    expect(message.stop_reason).toBe('tool_use');
    const streamed = await client.messages.stream(request).finalMessage();
    expect(streamed.content).toEqual(expected);
  });

  it('sends tool results, images and history as Kiro expects them', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()));
    const png = 'iVBORw0KGgo=';
    await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      system: [{ type: 'text', text: 'You are helpful.' }],
      tools: [
        { name: 'get_weather', description: 'Get weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      ],
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C sunny' },
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'duplicate' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
            { type: 'text', text: 'thanks' },
          ],
        },
      ],
    });
    const state = chatBodies()[0]!.conversationState;
    expect(state.history).toEqual([
      { userInputMessage: { content: 'You are helpful.\n\nWhat is the weather in Paris?', modelId: 'claude-haiku-4.5', origin: 'AI_EDITOR' } },
      { assistantResponseMessage: { content: 'Checking.', toolUses: [{ input: { city: 'Paris' }, name: 'get_weather', toolUseId: 'toolu_1' }] } },
    ]);
    expect(state.currentMessage.userInputMessage).toMatchObject({
      content: 'thanks',
      images: [{ format: 'png', source: { bytes: png } }],
      userInputMessageContext: { toolResults: [{ content: [{ text: '18C sunny' }], status: 'success', toolUseId: 'toolu_1' }] },
    });
  });

  it('asks for thinking with Kiro tags and returns a thinking block split out of the text, even across chunks', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()));
    kiro.enqueueChat(
      framesHandler([
        textFrame('<think'),
        textFrame('ing>\nLet me think'),
        textFrame(' about it.</thin'),
        textFrame('king>\n'),
        textFrame('\nThe answer is 4.'),
      ]),
    );
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 20_000,
      thinking: { type: 'enabled', budget_tokens: 5000 },
      messages: [{ role: 'user', content: '2+2?' }],
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      { type: 'thinking', thinking: 'Let me think about it.', signature: '' },
      { type: 'text', text: 'The answer is 4.' },
    ]);
    const current = chatBodies()[0]!.conversationState.currentMessage.userInputMessage;
    expect(current.content).toBe('<thinking_mode>enabled</thinking_mode><max_thinking_length>5000</max_thinking_length>\n\n2+2?');
  });

  it('shortens tool names over 64 characters for Kiro and gives the client its own name back', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()));
    const longName = `mcp__my_server__${'very_long_tool_name_'.repeat(4)}end`;
    kiro.enqueueChat((request, response) => {
      const shortName =
        request.json<Record<string, any>>().conversationState.currentMessage.userInputMessage.userInputMessageContext.tools[0].toolSpecification.name;
      return framesHandler([toolFrame('t1', shortName, '{"q":1}', true)])(request, response);
    });
    const message = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      tools: [{ name: longName, description: 'x'.repeat(10_000), input_schema: { type: 'object' } }],
      messages: [{ role: 'user', content: 'go' }],
    });
    expect(message.content).toEqual([{ type: 'tool_use', id: 't1', name: longName, input: { q: 1 } }]);
    const spec = chatBodies()[0]!.conversationState.currentMessage.userInputMessage.userInputMessageContext.tools[0].toolSpecification;
    expect(spec.name).toHaveLength(64);
    expect(spec.name.startsWith(longName.slice(0, 51))).toBe(true);
    expect(spec.description).toBe(`${'x'.repeat(9216)}...`);
  });
});

describe('claude-kiro-oauth credentials and refresh', () => {
  it('refreshes an expired social token before the first call and writes the rotated tokens back', async () => {
    resetMock();
    const file = await writeToken(socialToken({ expiresAt: iso(-HOUR), customField: { kept: true } }));
    const { client } = await gatewayFor(file);
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from kiro-mock!' }]);
    expect(kiro.requests('/refreshToken').map((request) => request.json())).toEqual([{ refreshToken: 'refresh-0' }]);
    expect(kiro.requests('/generateAssistantResponse')[0]!.headers.authorization).toBe('Bearer access-1');
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1', authMethod: 'social', customField: { kept: true } });
    expect(Date.parse(saved.expiresAt)).toBeGreaterThan(Date.now());
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refreshes an expired IdC token at the OIDC endpoint with the client registration named by clientIdHash', async () => {
    resetMock();
    kiro.state.profileArn = undefined;
    const file = await writeToken(
      {
        accessToken: 'access-0',
        refreshToken: 'refresh-0',
        expiresAt: iso(-HOUR),
        authMethod: 'IdC',
        provider: 'BuilderId',
        region: 'us-east-1',
        clientIdHash: 'abc123',
      },
      {
        'abc123.json': { clientId: 'client-id-1', clientSecret: 'client-secret-1', expiresAt: iso(90 * 24 * HOUR) },
        // An unrelated AWS SSO cache in the same folder must not override anything (the original merged it).
        'zz-other-sso-cache.json': { accessToken: 'someone-else', clientId: 'wrong', clientSecret: 'wrong' },
      },
    );
    const { client } = await gatewayFor(file);
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from kiro-mock!' }]);
    const [refresh] = kiro.requests('/token');
    expect(refresh!.json()).toEqual({ refreshToken: 'refresh-0', clientId: 'client-id-1', clientSecret: 'client-secret-1', grantType: 'refresh_token' });
    expect(refresh!.headers['x-amz-user-agent']).toMatch(/^aws-sdk-js\/1\.0\.34 KiroIDE-/);
    expect(kiro.requests('/generateAssistantResponse')[0]!.json()).not.toHaveProperty('profileArn');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1', clientIdHash: 'abc123' });
  });

  it.each([[403 as const], [401 as const]])('on a %s token rejection refreshes once and retries the same request', async (status) => {
    resetMock();
    const file = await writeToken(socialToken());
    const { client } = await gatewayFor(file);
    kiro.state.accessToken = 'revoked-by-server';
    kiro.state.rejectWith = status;
    // The server revoked the token mid-session; the next refresh hands out access-1.
    const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello from kiro-mock!' }]);
    expect(kiro.requests('/refreshToken')).toHaveLength(1);
    expect(kiro.requests('/generateAssistantResponse').map((request) => request.headers.authorization)).toEqual(['Bearer access-0', 'Bearer access-1']);
  });

  it('lets concurrent requests with an expired token share one refresh call', async () => {
    resetMock();
    kiro.state.refreshDelayMs = 200;
    const { client } = await gatewayFor(await writeToken(socialToken({ expiresAt: iso(-HOUR) })));
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] })),
    );
    expect(answers.every((answer) => answer.content[0]?.type === 'text')).toBe(true);
    expect(kiro.requests('/refreshToken')).toHaveLength(1);
  });

  it('reports a refresh token that was rotated elsewhere as oauth_refresh_failed and leaves the file alone', async () => {
    resetMock();
    const token = socialToken({ expiresAt: iso(-HOUR), refreshToken: 'refresh-stale' });
    const file = await writeToken(token);
    const before = await readFile(file, 'utf8');
    const { client } = await gatewayFor(file);
    const error = await client.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error.message).toMatch(/token refresh failed: HTTP 401/);
    expect(error.message).not.toContain('refresh-stale');
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(kiro.requests('/generateAssistantResponse')).toHaveLength(0);
  });

  it('reads credentials from KIRO_OAUTH_CREDS_BASE64', async () => {
    resetMock();
    const base64 = Buffer.from(JSON.stringify(socialToken())).toString('base64');
    const { client } = await gatewayFor('/nonexistent/kiro.json', { KIRO_OAUTH_CREDS_BASE64: base64 });
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from kiro-mock!' }]);
  });
});

describe('claude-kiro-oauth upstream failures', () => {
  const ask = (client: Anthropic) => client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });

  it('classifies 403 "not authorized" as an auth failure without refreshing', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()));
    kiro.enqueueChat(kiroErrorHandler(403, 'User is not authorized to make this call.'));
    const error = await ask(client).catch((caught) => caught);
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(error.message).toContain('User is not authorized to make this call.');
    expect(kiro.requests('/refreshToken')).toHaveLength(0);
  });

  it('classifies a suspended account 403 without refreshing', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()));
    kiro.enqueueChat(kiroErrorHandler(403, 'Your User ID (x) temporarily is suspended due to unusual activity.'));
    const error = await ask(client).catch((caught) => caught);
    expect(error.status).toBe(403);
    expect(error.message).toContain('temporarily is suspended');
    expect(kiro.requests('/refreshToken')).toHaveLength(0);
  });

  it('passes a 429 through as a rate limit with its Retry-After', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()));
    kiro.enqueueChat(kiroErrorHandler(429, 'Kiro temporarily paused new builderId users', { 'retry-after': '30' }));
    const error = await ask(client).catch((caught) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.headers.get('retry-after')).toBe('30');
  });

  it('turns a ThrottlingException frame at the start into a 429', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()));
    kiro.enqueueChat(framesHandler([exceptionFrame('ThrottlingException', 'Too many requests')]));
    const error = await ask(client).catch((caught) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.message).toContain('Too many requests');
  });

  it('ends a stream with an error event when an exception frame arrives mid-stream', async () => {
    resetMock();
    const { gateway } = await gatewayFor(await writeToken(socialToken()));
    kiro.enqueueChat(framesHandler([textFrame('partial '), exceptionFrame('InternalServerException', 'boom')]));
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'gw-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const text = await response.text();
    expect(text).toContain('"text":"partial "');
    expect(text).toMatch(/event: error\ndata: .*InternalServerException: boom/);
  });

  it('reports a tool call cut off before its stop as an error rather than a truncated call', async () => {
    resetMock();
    const { client } = await gatewayFor(await writeToken(socialToken()));
    kiro.enqueueChat(framesHandler([toolFrame('t1', 'write_file', '{"path":"a.ts","content":"con')]));
    const error = await client.messages
      .create({
        model: 'claude-haiku-4-5',
        max_tokens: 16,
        tools: [{ name: 'write_file', description: 'Write', input_schema: { type: 'object' } }],
        messages: [{ role: 'user', content: 'Hi' }],
      })
      .catch((caught) => caught);
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/cut inside the input of tool write_file/);
  });
});

describe('aiclient2api auth kiro', () => {
  it('imports a Kiro IDE IdC token with its client registration inline and prints what it found, no secrets', async () => {
    const source = await writeToken(
      {
        accessToken: 'secret-access',
        refreshToken: 'secret-refresh',
        expiresAt: iso(HOUR),
        authMethod: 'IdC',
        region: 'eu-central-1',
        clientIdHash: 'hash1',
        extra: 1,
      },
      { 'hash1.json': { clientId: 'cid', clientSecret: 'secret-client', expiresAt: iso(HOUR) } },
    );
    const target = path.join(await mkdtemp(path.join(tmpdir(), 'kiro-import-')), 'nested', 'kiro.json');
    let printed = '';
    await claudeKiroOauthAdapter.login!.run(['--from', source], {
      settings: { KIRO_OAUTH_CREDS_FILE_PATH: target },
      cwd: tmpdir(),
      output: { write: (chunk: string) => ((printed += chunk), true) } as unknown as NodeJS.WritableStream,
      signal: new AbortController().signal,
    });
    expect(JSON.parse(await readFile(target, 'utf8'))).toMatchObject({
      accessToken: 'secret-access',
      refreshToken: 'secret-refresh',
      clientId: 'cid',
      clientSecret: 'secret-client',
      clientIdHash: 'hash1',
      extra: 1,
    });
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(printed).toContain('IdC / Builder ID');
    expect(printed).toContain('region: eu-central-1');
    expect(printed).toMatch(/access token expires: .*\(in \d+ min\)/);
    expect(printed).not.toMatch(/secret-/);
  });

  it('runs as `aiclient2api auth kiro --from FILE` through the registry', async () => {
    const { runAuth } = await import('../src/cli/auth.js');
    const source = await writeToken(socialToken({ region: 'us-west-2' }));
    const directory = await mkdtemp(path.join(tmpdir(), 'kiro-cli-'));
    const target = path.join(directory, 'imported.json');
    await writeFile(path.join(directory, 'config.json'), JSON.stringify({ KIRO_OAUTH_CREDS_FILE_PATH: target }));
    await runAuth(['kiro', '--config', path.join(directory, 'config.json'), '--from', source], directory);
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual(socialToken({ region: 'us-west-2', expiresAt: expect.any(String) }));
  });

  it('refuses a file that holds no Kiro token', async () => {
    const source = await writeToken({ hello: 'world' });
    await expect(
      claudeKiroOauthAdapter.login!.run(['--from', source, '--to', `${source}.out`], {
        settings: {},
        cwd: tmpdir(),
        output: process.stderr,
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow(/neither accessToken nor refreshToken/);
  });
});

describe('claude-kiro-oauth for OpenAI clients (through protocol conversion)', () => {
  it('answers the OpenAI SDK, streaming and not, including a tool call', async () => {
    const { default: OpenAI } = await import('openai');
    resetMock();
    const { gateway } = await gatewayFor(await writeToken(socialToken()));
    const client = new OpenAI({ apiKey: 'gw-key', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]!.message.content).toBe('Hello from kiro-mock!');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    kiro.enqueueChat(
      framesHandler([toolFrame('t1', 'get_weather', '{"city":'), toolFrame('t1', 'get_weather', '"Paris"}'), toolFrame('t1', 'get_weather', undefined, true)]),
    );
    const stream = await client.chat.completions.create({
      model: 'claude-haiku-4-5',
      stream: true,
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Get weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        },
      ],
      messages: [{ role: 'user', content: 'Weather?' }],
    });
    let args = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(finish).toBe('tool_calls');
  });
});

describe('claude-kiro-oauth in a provider pool', () => {
  it('fails over to the next account when one is throttled, each account with its own machine id', async () => {
    resetMock();
    const first = await writeToken(socialToken());
    const second = await writeToken(socialToken());
    const instance = (uuid: string, file: string) => ({
      uuid,
      KIRO_OAUTH_CREDS_FILE_PATH: file,
      KIRO_BASE_URL: kiro.chatUrl,
      KIRO_REFRESH_URL: kiro.refreshUrl,
    });
    const gateway = await startGateway(
      { REQUIRED_API_KEY: 'gw-key', MODEL_PROVIDER: 'claude-kiro-oauth', REQUEST_MAX_RETRIES: 1, PROVIDER_POOLS_FILE_PATH: 'provider_pools.json' },
      [],
      async (cwd: string) => {
        await writeFile(
          path.join(cwd, 'provider_pools.json'),
          JSON.stringify({ 'claude-kiro-oauth': [instance('kiro-a', first), instance('kiro-b', second)] }),
        );
      },
    );
    gateways.push(gateway);
    kiro.enqueueChat(framesHandler([exceptionFrame('ThrottlingException', 'Too many requests')]));
    const client = new Anthropic({ apiKey: 'gw-key', baseURL: gateway.url, maxRetries: 0 });
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from kiro-mock!' }]);
    const agents = kiro.requests('/generateAssistantResponse').map((request) => request.headers['x-amz-user-agent']);
    expect(agents).toHaveLength(2);
    expect(agents[0]).not.toBe(agents[1]);
  });
});
