import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, startAnthropicMock } from './mocks/anthropic-mock.js';
import type { MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, startOpenAiMock } from './mocks/openai-mock.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

describe('choosing the provider per request', () => {
  let openaiUpstream: MockServer;
  let claudeUpstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    openaiUpstream = await startOpenAiMock();
    claudeUpstream = await startAnthropicMock();
    gateway = await startGateway({
      MODEL_PROVIDER: 'openai-custom,claude-custom',
      OPENAI_API_KEY: OPENAI_MOCK_KEY,
      OPENAI_BASE_URL: `${openaiUpstream.url}/v1`,
      CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
      CLAUDE_BASE_URL: claudeUpstream.url,
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await openaiUpstream.close();
    await claudeUpstream.close();
  });

  const claudeBody = (model = 'claude-sonnet-4-5') => JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('uses the first MODEL_PROVIDER entry by default', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from openai-mock!');
  });

  it('selects by the model-provider header', async () => {
    const response = await post('/v1/messages', claudeBody(), { 'model-provider': 'claude-custom' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-aiclient-provider')).toBe('claude-custom');
  });

  it('selects by the first path segment, which is stripped before routing', async () => {
    const response = await post('/claude-custom/v1/messages', claudeBody());
    expect(response.status).toBe(200);
    expect(((await response.json()) as { content: Array<{ text: string }> }).content[0]?.text).toBe('Hello from anthropic-mock!');
  });

  it('selects by a model prefix, which wins over header and path and is removed upstream', async () => {
    const response = await post('/openai-custom/v1/messages', claudeBody('claude-custom:claude-haiku-4-5'), { 'model-provider': 'openai-custom' });
    expect(response.status).toBe(200);
    expect(claudeUpstream.requests.at(-1)!.json()).toMatchObject({ model: 'claude-haiku-4-5' });
  });

  it('leaves a model with a colon that names no provider untouched', async () => {
    await post('/v1/chat/completions', JSON.stringify({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'Hi' }] }));
    expect(openaiUpstream.requests.at(-1)!.json()).toMatchObject({ model: 'qwen3:8b' });
  });

  it('rejects an unknown provider in the header with 400 in the client shape, listing valid names', async () => {
    const claude = await post('/v1/messages', claudeBody(), { 'model-provider': 'nope' });
    expect(claude.status).toBe(400);
    const claudeError = (await claude.json()) as { type: string; error: { type: string; message: string } };
    expect(claudeError.type).toBe('error');
    expect(claudeError.error.type).toBe('invalid_request_error');
    expect(claudeError.error.message).toContain('openai-custom, claude-custom');

    const openai = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages: [] }), { 'model-provider': 'nope' });
    expect(openai.status).toBe(400);
    expect(((await openai.json()) as { error: { message: string } }).error.message).toContain('Provider nope');
  });

  it('treats an unknown first segment as a path (404 in the path protocol shape)', async () => {
    const response = await post('/not-a-provider/v1/messages', claudeBody());
    expect(response.status).toBe(404);
    const notFoundClaude = await post('/v1/messages/nothing-here', claudeBody());
    expect(((await notFoundClaude.json()) as { type: string }).type).toBe('error');
  });

  it('answers a provider path of a known but unimplemented backend with a clear 400', async () => {
    const response = await post('/gemini-antigravity/v1/chat/completions', JSON.stringify({ model: 'm', messages: [] }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('not available');
  });

  it('requires a model prefix under the auto pseudo provider', async () => {
    const bad = await post('/auto/v1/messages', claudeBody());
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('prefix');
    const good = await post('/auto/v1/messages', claudeBody('claude-custom:claude-sonnet-4-5'));
    expect(good.status).toBe(200);
  });

  it("lists every provider's models with prefixes under auto", async () => {
    const response = await fetch(`${gateway.url}/auto/v1/models`);
    const list = (await response.json()) as { data: Array<{ id: string }> };
    expect(list.data.map((model) => model.id)).toEqual(['openai-custom:gpt-4o-mini', 'claude-custom:claude-sonnet-4-5']);
  });

  it('converts a cross-protocol request: an OpenAI chat request served by claude-custom', async () => {
    const response = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'claude-custom:claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-aiclient-provider')).toBe('claude-custom');
    const completion = (await response.json()) as { object: string; choices: Array<{ message: { content: string } }> };
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toBe('Hello from anthropic-mock!');
    expect(claudeUpstream.requests.at(-1)!.json()).toMatchObject({ model: 'claude-sonnet-4-5', messages: [{ role: 'user' }] });
  });

  it('keeps 50 concurrent requests with mixed overrides apart', async () => {
    openaiUpstream.requests.length = 0;
    claudeUpstream.requests.length = 0;
    const jobs = Array.from({ length: 50 }, (_, index) => {
      const way = index % 4;
      const marker = `request-${index}`;
      if (way === 0) {
        return post('/v1/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: marker }] })).then((r) => ({
          r,
          expected: 'openai-custom',
          marker,
        }));
      }
      const body = JSON.stringify({
        model: way === 3 ? 'claude-custom:claude-sonnet-4-5' : 'claude-sonnet-4-5',
        max_tokens: 8,
        messages: [{ role: 'user', content: marker }],
      });
      const path = way === 2 ? '/claude-custom/v1/messages' : '/v1/messages';
      const headers: Record<string, string> = way === 1 ? { 'model-provider': 'claude-custom' } : {};
      return post(path, body, headers).then((r) => ({ r, expected: 'claude-custom', marker }));
    });
    const results = await Promise.all(jobs);
    for (const { r, expected } of results) {
      expect(r.status).toBe(200);
      expect(r.headers.get('x-aiclient-provider')).toBe(expected);
    }
    const markersOf = (server: MockServer) =>
      server.requests.map((request) => request.json<{ messages: Array<{ content: string }> }>().messages[0]?.content ?? '').sort();
    expect(markersOf(openaiUpstream)).toEqual(
      results
        .filter((x) => x.expected === 'openai-custom')
        .map((x) => x.marker)
        .sort(),
    );
    expect(markersOf(claudeUpstream)).toEqual(
      results
        .filter((x) => x.expected === 'claude-custom')
        .map((x) => x.marker)
        .sort(),
    );
    expect(markersOf(openaiUpstream)).toHaveLength(13);
  });
});
