import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, startAnthropicMock } from './mocks/anthropic-mock.js';
import type { MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, startOpenAiMock } from './mocks/openai-mock.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

describe('custom models file', () => {
  let openaiUpstream: MockServer;
  let claudeUpstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    openaiUpstream = await startOpenAiMock();
    claudeUpstream = await startAnthropicMock();
    gateway = await startGateway(
      {
        MODEL_PROVIDER: 'openai-custom',
        OPENAI_API_KEY: OPENAI_MOCK_KEY,
        OPENAI_BASE_URL: openaiUpstream.url,
        CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
        CLAUDE_BASE_URL: claudeUpstream.url,
        CUSTOM_MODELS_FILE_PATH: 'custom_models.json',
      },
      [],
      (cwd) =>
        writeFile(
          path.join(cwd, 'custom_models.json'),
          JSON.stringify([
            { id: 'my-fast-model', provider: 'openai-custom', actualProvider: 'claude-custom', actualModel: 'claude-haiku-4-5' },
            { id: 'team-alias', provider: 'openai-custom', actualModel: 'gpt-4o-mini' },
          ]),
        ),
    );
  });
  afterAll(async () => {
    await gateway.close(100);
    await openaiUpstream.close();
    await claudeUpstream.close();
  });

  it("adds its ids to the provider's model list", async () => {
    const list = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(list.data.map((model) => model.id)).toEqual(['gpt-4o-mini', 'my-fast-model', 'team-alias']);
  });

  it('redirects an id to another provider and upstream model', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'my-fast-model', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-aiclient-provider')).toBe('claude-custom');
    expect(claudeUpstream.requests.at(-1)!.json()).toMatchObject({ model: 'claude-haiku-4-5' });
    await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'team-alias', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(openaiUpstream.requests.at(-1)!.json()).toMatchObject({ model: 'gpt-4o-mini' });
  });
});
