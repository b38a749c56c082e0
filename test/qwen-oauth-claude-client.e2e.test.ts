import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { startQwenMock, type QwenMock } from './mocks/qwen-mock.js';

/** A Claude client (Claude Code, the Anthropic SDK) in front of the Qwen backend, through protocol conversion. */
describe('Anthropic SDK through the gateway to openai-qwen-oauth', () => {
  let mock: QwenMock;
  let gateway: Harness;
  let client: Anthropic;

  beforeAll(async () => {
    mock = await startQwenMock();
    mock.grant('claude-access', 'claude-refresh');
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'qwen-creds-')), 'oauth_creds.json');
    await writeFile(
      file,
      JSON.stringify({ access_token: 'claude-access', refresh_token: 'claude-refresh', resource_url: mock.url, expiry_date: Date.now() + 3_600_000 }),
    );
    gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'openai-qwen-oauth',
      QWEN_OAUTH_CREDS_FILE_PATH: file,
      QWEN_OAUTH_BASE_URL: mock.url,
    });
    client = new Anthropic({ apiKey: 'gw-key', baseURL: gateway.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close(100);
    await mock.close();
  });

  const chatRequests = () => mock.requests.filter((request) => request.path === '/v1/chat/completions');

  it('answers and streams a message, the system prompt arriving as an OpenAI system message', async () => {
    const message = await client.messages.create({ model: 'coder-model', max_tokens: 50, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from qwen (claude-access)!' }]);
    expect(message.stop_reason).toBe('end_turn');
    const sent = chatRequests().at(-1)!;
    expect(sent.headers['x-dashscope-authtype']).toBe('qwen-oauth');
    expect(sent.json<{ messages: unknown[] }>().messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);

    const stream = client.messages.stream({ model: 'coder-model', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello from qwen!' }]);
  });

  it('turns Claude tools into OpenAI tools and the answer into tool_use, streaming or not', async () => {
    const tools = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }];
    const message = await client.messages.create({ model: 'coder-model', max_tokens: 50, tools, messages: [{ role: 'user', content: 'Weather?' }] });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.find((block) => block.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    expect(chatRequests().at(-1)!.json<{ tools: unknown[] }>().tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: tools[0]!.input_schema } },
    ]);

    const final = await client.messages
      .stream({ model: 'coder-model', max_tokens: 50, tools, messages: [{ role: 'user', content: 'Weather?' }] })
      .finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content.find((block) => block.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
  });
});
