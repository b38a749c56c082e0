/**
 * The gateway asks OpenAI-compatible streams for usage (`stream_options.include_usage`). Servers that
 * do not know the option answer 400; the request must still succeed, and that account is not asked again.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import type { MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, startOpenAiMock } from './mocks/openai-mock.js';

let upstream: MockServer;
let gateway: Harness;

beforeAll(async () => {
  upstream = await startOpenAiMock({ rejectStreamOptions: true });
  gateway = await startGateway({ OPENAI_API_KEY: OPENAI_MOCK_KEY, OPENAI_BASE_URL: `${upstream.url}/v1` });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

const refusals = () => upstream.requests.filter((request) => request.json<{ stream_options?: unknown }>().stream_options !== undefined).length;

describe('an upstream that refuses stream_options', () => {
  it('still streams to an OpenAI client, and the account is asked without the option from then on', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${gateway.url}/v1` });
    for (let turn = 0; turn < 2; turn += 1) {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('Hello from openai-mock!');
    }
    expect(refusals()).toBe(1);
  });

  it('still streams to a Claude client through conversion', async () => {
    const client = new Anthropic({ apiKey: 'unused', baseURL: gateway.url });
    const stream = client.messages.stream({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const message = await stream.finalMessage();
    expect(message.content.map((block) => (block.type === 'text' ? block.text : block.type))).toEqual(['Hello from openai-mock!']);
    // Learned on the first test's request: the converted body went without the option at once.
    expect(refusals()).toBe(1);
  });

  it('passes on a client that asks for usage itself the upstream 400, untouched', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const failure = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } })
      .catch((error: unknown) => error as InstanceType<typeof OpenAI.APIError>);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((failure as InstanceType<typeof OpenAI.APIError>).message).toContain('stream_options');
  });
});
