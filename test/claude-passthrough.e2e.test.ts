import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, startAnthropicMock } from './mocks/anthropic-mock.js';
import type { MockServer } from './mocks/mock-server.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

describe('Anthropic SDK through the gateway to claude-custom', () => {
  let upstream: MockServer;
  let gateway: Harness;
  let client: Anthropic;

  beforeAll(async () => {
    upstream = await startAnthropicMock();
    gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'claude-custom',
      CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
      // With /v1, as the original required.
      CLAUDE_BASE_URL: `${upstream.url}/v1`,
    });
    client = new Anthropic({ apiKey: 'gw-key', baseURL: gateway.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  it('answers a non-streaming message with the upstream key and version', async () => {
    const message = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from anthropic-mock!' }]);
    const seen = upstream.requests.at(-1)!;
    expect(seen.path).toBe('/v1/messages');
    expect(seen.headers['x-api-key']).toBe(ANTHROPIC_MOCK_KEY);
    // The SDK sends its own (newer) version date: forwarded as sent.
    expect(seen.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('streams events with event: lines and ends with message_stop', async () => {
    const stream = client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello from anthropic-mock!' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
  });

  it('forwards anthropic-beta and the client anthropic-version, as Claude Code sends them on ?beta=true', async () => {
    const response = await fetch(`${gateway.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'x-api-key': 'gw-key',
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
      },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 32000, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('event: message_start\n');
    expect(text.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
    expect(upstream.requests.at(-1)!.headers['anthropic-beta']).toBe('claude-code-20250219,interleaved-thinking-2025-05-14');
  });

  it("answers HEAD / quickly for Claude Code's probe", async () => {
    const response = await fetch(`${gateway.url}/`, { method: 'HEAD' });
    expect(response.status).toBe(200);
  });

  it('passes an upstream 400 through with its message in the Claude shape', async () => {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'gw-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    // No anthropic-version from the client: the gateway sends the stable default.
    expect(upstream.requests.at(-1)!.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('lists models in the Anthropic shape when anthropic-version is sent', async () => {
    const page = await client.models.list();
    expect(page.data.map((model) => model.id)).toEqual(['claude-sonnet-4-5']);
  });
});

describe('claude-custom base URL without /v1', () => {
  it('reaches /v1/messages', async () => {
    const upstream = await startAnthropicMock();
    const gateway = await startGateway({ MODEL_PROVIDER: 'claude-custom', CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY, CLAUDE_BASE_URL: `${upstream.url}/` });
    try {
      const client = new Anthropic({ apiKey: 'unused', baseURL: gateway.url, maxRetries: 0 });
      const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });
      expect(message.content[0]).toMatchObject({ text: 'Hello from anthropic-mock!' });
      expect(upstream.requests.at(-1)!.path).toBe('/v1/messages');
    } finally {
      await gateway.close(100);
      await upstream.close();
    }
  });
});
