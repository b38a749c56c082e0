import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, claudeEvent, startAnthropicMock } from './mocks/anthropic-mock.js';
import { sendSse, type MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, openaiChunk, startOpenAiMock } from './mocks/openai-mock.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

describe('every client protocol to every backend protocol', () => {
  let openaiUpstream: MockServer;
  let claudeUpstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    openaiUpstream = await startOpenAiMock();
    claudeUpstream = await startAnthropicMock();
    gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'openai-custom',
      OPENAI_API_KEY: OPENAI_MOCK_KEY,
      OPENAI_BASE_URL: openaiUpstream.url,
      CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
      CLAUDE_BASE_URL: claudeUpstream.url,
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await openaiUpstream.close();
    await claudeUpstream.close();
  });

  const gemini = (prefix = '') => new GoogleGenAI({ apiKey: 'gw-key', httpOptions: { baseUrl: `${gateway.url}${prefix}` } });

  it.each([
    ['openai-custom', 'gpt-4o-mini', 'Hello from openai-mock!'],
    ['claude-custom', 'claude-sonnet-4-5', 'Hello from anthropic-mock!'],
  ])('Gemini SDK generateContent and stream on %s', async (provider, model, expected) => {
    const client = gemini(`/${provider}`);
    const response = await client.models.generateContent({ model, contents: 'Hi', config: { systemInstruction: 'Be brief.', temperature: 0 } });
    expect(response.text).toBe(expected);
    const stream = await client.models.generateContentStream({ model, contents: 'Hi' });
    let text = '';
    let finish: string | undefined;
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      finish = chunk.candidates?.[0]?.finishReason ?? finish;
    }
    expect(text).toBe(expected);
    expect(finish).toBe('STOP');
  });

  it('sends the Gemini request to OpenAI with system prompt and temperature 0 intact', async () => {
    await gemini().models.generateContent({ model: 'gpt-4o-mini', contents: 'Hi', config: { systemInstruction: 'Be brief.', temperature: 0 } });
    const sent = openaiUpstream.requests.at(-1)!.json<Record<string, unknown>>();
    expect(sent).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(sent).not.toHaveProperty('top_p');
  });

  it('streams Gemini as a JSON array without alt=sse, as Google does', async () => {
    const response = await fetch(`${gateway.url}/v1beta/models/claude-custom:claude-sonnet-4-5:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'gw-key' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
    });
    expect(response.status).toBe(200);
    const chunks = JSON.parse(await response.text()) as Array<{ candidates: Array<{ content?: { parts: Array<{ text?: string }> }; finishReason?: string }> }>;
    expect(chunks.map((chunk) => chunk.candidates[0]?.content?.parts.map((part) => part.text ?? '').join('') ?? '').join('')).toBe(
      'Hello from anthropic-mock!',
    );
    expect(chunks.at(-1)!.candidates[0]!.finishReason).toBe('STOP');
  });

  it.each([
    ['openai-custom', 'gpt-4o-mini', 'Hello from openai-mock!'],
    ['claude-custom', 'claude-sonnet-4-5', 'Hello from anthropic-mock!'],
  ])("OpenAI Responses (Codex's API) on %s, plain and streamed", async (provider, model, expected) => {
    const client = new OpenAI({ apiKey: 'gw-key', baseURL: `${gateway.url}/${provider}/v1`, maxRetries: 0 });
    const response = await client.responses.create({ model, input: 'Hi', instructions: 'Be brief.' });
    expect(response.output_text).toBe(expected);
    const stream = await client.responses.create({ model, input: [{ role: 'user', content: 'Hi' }], stream: true, store: false });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text).toBe(expected);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types.filter((type) => type === 'response.created')).toHaveLength(1);
  });

  it('streams an OpenAI tool call to a Claude client (Claude Code on an OpenAI-compatible backend)', async () => {
    openaiUpstream.enqueue((_request, response) =>
      sendSse(response, [
        openaiChunk('gpt-4o-mini', { role: 'assistant', content: 'Let me check.' }),
        openaiChunk('gpt-4o-mini', { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
        openaiChunk('gpt-4o-mini', { tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
        openaiChunk('gpt-4o-mini', { tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }),
        openaiChunk('gpt-4o-mini', {
          tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }],
        }),
        openaiChunk('gpt-4o-mini', {}, 'tool_calls'),
        'data: [DONE]\n\n',
      ]),
    );
    const client = new Anthropic({ apiKey: 'gw-key', baseURL: gateway.url, maxRetries: 0 });
    const stream = client.messages.stream({
      model: 'gpt-4o-mini',
      max_tokens: 256,
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
      messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }],
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
    ]);
    expect(openaiUpstream.requests.at(-1)!.json()).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
  });

  it('gives a Claude client every argument of parallel calls whose fragments the backend interleaves', async () => {
    const fragment = (index: number, args: string) => openaiChunk('gpt-4o-mini', { tool_calls: [{ index, function: { arguments: args } }] });
    openaiUpstream.enqueue((_request, response) =>
      sendSse(response, [
        openaiChunk('gpt-4o-mini', {
          role: 'assistant',
          tool_calls: [
            { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
            { index: 1, id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        }),
        fragment(0, '{"city":'),
        fragment(1, '{"city":'),
        fragment(1, '"Rome"}'),
        fragment(0, '"Paris"}'),
        openaiChunk('gpt-4o-mini', {}, 'tool_calls'),
        'data: [DONE]\n\n',
      ]),
    );
    const client = new Anthropic({ apiKey: 'gw-key', baseURL: gateway.url, maxRetries: 0 });
    const final = await client.messages
      .stream({ model: 'gpt-4o-mini', max_tokens: 256, messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }] })
      .finalMessage();
    expect(final.content).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
    ]);
  });

  it('streams a Claude tool use to an OpenAI client with stable tool call ids', async () => {
    claudeUpstream.enqueue((_request, response) =>
      sendSse(response, [
        claudeEvent('message_start', {
          message: {
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            model: 'claude-sonnet-4-5',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 12, output_tokens: 1 },
          },
        }),
        claudeEvent('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } }),
        claudeEvent('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"city":' } }),
        claudeEvent('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }),
        claudeEvent('content_block_stop', { index: 0 }),
        claudeEvent('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 9 } }),
        claudeEvent('message_stop', {}),
      ]),
    );
    const client = new OpenAI({ apiKey: 'gw-key', baseURL: `${gateway.url}/claude-custom/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    let args = '';
    let id: string | undefined;
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        id ??= call.id;
        args += call.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(id).toBe('toolu_1');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(finish).toBe('tool_calls');
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 9 });
  });

  it('sends a converted answer with its content-length', async () => {
    const response = await fetch(`${gateway.url}/openai-custom/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'gw-key', 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    expect(JSON.parse(bytes.toString('utf8'))).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'Hello from openai-mock!' }] });
  });

  it('counts tokens for Claude and Gemini clients', async () => {
    const claude = new Anthropic({ apiKey: 'gw-key', baseURL: gateway.url, maxRetries: 0 });
    const counted = await claude.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello there, how are you today?' }] });
    expect(counted.input_tokens).toBeGreaterThan(3);
    const geminiCount = await gemini().models.countTokens({ model: 'gemini-2.5-flash', contents: 'Hello there, how are you today?' });
    expect(geminiCount.totalTokens).toBeGreaterThan(3);
  });

  it('lists models for Gemini clients', async () => {
    const pager = await gemini().models.list();
    const names: string[] = [];
    for await (const model of pager) names.push(model.name ?? '');
    expect(names).toContain('models/gpt-4o-mini');
  });

  it('answers Gemini errors in the Gemini shape', async () => {
    const response = await fetch(`${gateway.url}/v1beta/models/gpt-4o-mini:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'wrong' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 401, message: 'Unauthorized: API key is invalid or missing.', status: 'UNAUTHENTICATED' } });
  });
});
