import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, startAnthropicMock } from './mocks/anthropic-mock.js';
import type { MockServer } from './mocks/mock-server.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

describe('client auth with REQUIRED_API_KEY', () => {
  let upstream: MockServer;
  let gateway: Harness;
  const body = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });

  beforeAll(async () => {
    upstream = await startAnthropicMock();
    gateway = await startGateway({
      REQUIRED_API_KEY: 'secret-key',
      MODEL_PROVIDER: 'claude-custom',
      CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
      CLAUDE_BASE_URL: upstream.url,
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  it.each([
    ['Authorization: Bearer', { authorization: 'Bearer secret-key' }, ''],
    ['x-api-key', { 'x-api-key': 'secret-key' }, ''],
    ['x-goog-api-key', { 'x-goog-api-key': 'secret-key' }, ''],
    ['?key=', {}, '?key=secret-key'],
  ])('accepts the key from %s', async (_name, headers, query) => {
    const response = await fetch(`${gateway.url}/v1/messages${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect(response.status).toBe(200);
  });

  it('answers a wrong or missing key with 401 in the Claude shape, before anything about providers', async () => {
    for (const headers of [{}, { 'x-api-key': 'secret-kez' }, { authorization: 'Bearer secret' }] as Array<Record<string, string>>) {
      const response = await fetch(`${gateway.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        type: 'error',
        error: { type: 'authentication_error', message: 'Unauthorized: API key is invalid or missing.' },
      });
    }
    const probing = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'model-provider': 'nope' },
      body,
    });
    expect(probing.status).toBe(401);
  });

  it('answers in the OpenAI shape on OpenAI routes and model lists', async () => {
    const chat = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(chat.status).toBe(401);
    expect(await chat.json()).toMatchObject({ error: { type: 'authentication_error', message: 'Unauthorized: API key is invalid or missing.' } });
    const models = await fetch(`${gateway.url}/v1/models`);
    expect(models.status).toBe(401);
  });

  it('keeps /health open and says which provider is the default', async () => {
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'healthy', provider: 'claude-custom' });
  });

  it('answers CORS preflights', async () => {
    const response = await fetch(`${gateway.url}/v1/messages`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toContain('model-provider');
  });
});
