import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { getCodec } from '../codecs.js';
import type { ProtocolId } from '../protocol-id.js';
import { responseToStreamEvents } from './stream-collect.js';
import { parseSseText } from './transcode.js';
import type { CanonicalRequest, CanonicalResponse } from './types.js';

/**
 * The official SDKs read what our encoders write, through a fake fetch: a stream the SDK cannot
 * accumulate (wrong order, missing events, bad indexes) fails here the way it would fail a real user.
 */
const backendAnswer: CanonicalResponse = {
  id: 'up-1',
  model: 'backend-model',
  content: [
    { type: 'reasoning', text: 'Two cities.', providerMetadata: { claude: { signature: 'SIG' } } },
    { type: 'text', text: 'Checking.' },
    { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' } },
    { type: 'tool-call', toolCallId: 'call_2', toolName: 'get_weather', input: { city: 'Rome' } },
  ],
  finishReason: { unified: 'tool-calls' },
  usage: { inputTokens: 120, outputTokens: 30, cacheReadTokens: 100, reasoningTokens: 5 },
};

/** Runs the answer through a backend protocol's wire stream and into the client's encoder. */
function clientStream(backend: ProtocolId, client: ProtocolId, request: CanonicalRequest): string {
  const backendEncoder = getCodec(backend).createStreamEncoder(request);
  const upstream =
    responseToStreamEvents(backendAnswer)
      .map((event) => backendEncoder.encode(event))
      .join('') + backendEncoder.end();
  const decoder = getCodec(backend).createStreamDecoder(request);
  const encoder = getCodec(client).createStreamEncoder(request);
  return (
    parseSseText(upstream)
      .flatMap((frame) => decoder.decode(frame))
      .map((event) => encoder.encode(event))
      .join('') +
    decoder
      .end()
      .map((event) => encoder.encode(event))
      .join('') +
    encoder.end()
  );
}

function fakeFetch(body: () => string, contentType: string): typeof fetch {
  return (async () => new Response(body(), { status: 200, headers: { 'content-type': contentType } })) as typeof fetch;
}

const backends: ProtocolId[] = ['openai-chat', 'openai-responses', 'claude', 'gemini'];

describe('@anthropic-ai/sdk reads our Claude output', () => {
  const body = {
    model: 'claude-sonnet-4-5',
    max_tokens: 1000,
    messages: [{ role: 'user' as const, content: 'Weather?' }],
    tools: [{ name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }],
  };
  const request = getCodec('claude').decodeRequest({ ...body, stream: true }, {});

  it.each(backends)('messages.stream() final message from a %s backend', async (backend) => {
    const client = new Anthropic({
      apiKey: 'k',
      baseURL: 'http://gateway.test',
      fetch: fakeFetch(() => clientStream(backend, 'claude', request), 'text/event-stream'),
    });
    const message = await client.messages.stream(body).finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.filter((block) => block.type === 'tool_use')).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
    ]);
    expect(message.content.find((block) => block.type === 'text')).toMatchObject({ text: 'Checking.' });
    expect(message.usage).toMatchObject({ input_tokens: 20, output_tokens: 30, cache_read_input_tokens: 100 });
    const thinking = message.content.find((block) => block.type === 'thinking');
    // reasoning text survives where the backend can carry it; the Claude signature only via Claude
    if (backend !== 'openai-chat') expect(thinking).toMatchObject({ thinking: 'Two cities.' });
    if (backend === 'claude') expect(thinking).toMatchObject({ signature: 'SIG' });
  });

  it.each(backends)('messages.create() from a %s backend', async (backend) => {
    const json = () => {
      const canonical = getCodec(backend).decodeResponse(getCodec(backend).encodeResponse(backendAnswer, request));
      return JSON.stringify(getCodec('claude').encodeResponse(canonical, request));
    };
    const client = new Anthropic({ apiKey: 'k', baseURL: 'http://gateway.test', fetch: fakeFetch(json, 'application/json') });
    const message = await client.messages.create(body);
    expect(message.content.filter((block) => block.type === 'tool_use')).toHaveLength(2);
    expect(message.stop_reason).toBe('tool_use');
  });
});

describe('openai SDK reads our Chat Completions output', () => {
  const body = {
    model: 'gpt-4o',
    messages: [{ role: 'user' as const, content: 'Weather?' }],
    tools: [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    stream_options: { include_usage: true },
  };
  const request = getCodec('openai-chat').decodeRequest({ ...body, stream: true }, {});

  it.each(backends)('chat.completions.stream() final completion from a %s backend', async (backend) => {
    const client = new OpenAI({
      apiKey: 'k',
      baseURL: 'http://gateway.test/v1',
      fetch: fakeFetch(() => clientStream(backend, 'openai-chat', request), 'text/event-stream'),
    });
    const completion = await client.chat.completions.stream(body).finalChatCompletion();
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBe('Checking.');
    expect(choice?.message.tool_calls?.map((call) => (call.type === 'function' ? [call.id, call.function.name, call.function.arguments] : []))).toEqual([
      ['call_1', 'get_weather', '{"city":"Paris"}'],
      ['call_2', 'get_weather', '{"city":"Rome"}'],
    ]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 30 });
  });
});

describe('openai SDK reads our Responses output', () => {
  const body = {
    model: 'gpt-5',
    input: 'Weather?',
    tools: [{ type: 'function' as const, name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
  };
  const request = getCodec('openai-responses').decodeRequest({ ...body, stream: true }, {});

  it.each(backends)('responses.stream() final response from a %s backend', async (backend) => {
    const client = new OpenAI({
      apiKey: 'k',
      baseURL: 'http://gateway.test/v1',
      fetch: fakeFetch(() => clientStream(backend, 'openai-responses', request), 'text/event-stream'),
    });
    const response = await client.responses.stream(body).finalResponse();
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('Checking.');
    expect(
      response.output.filter((item) => item.type === 'function_call').map((item) => (item.type === 'function_call' ? [item.call_id, item.arguments] : [])),
    ).toEqual([
      ['call_1', '{"city":"Paris"}'],
      ['call_2', '{"city":"Rome"}'],
    ]);
    expect(response.usage).toMatchObject({ input_tokens: 120, output_tokens: 30 });
  });

  it.each(backends)('responses.create() from a %s backend', async (backend) => {
    const json = () => {
      const canonical = getCodec(backend).decodeResponse(getCodec(backend).encodeResponse(backendAnswer, request));
      return JSON.stringify(getCodec('openai-responses').encodeResponse(canonical, request));
    };
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://gateway.test/v1', fetch: fakeFetch(json, 'application/json') });
    const response = await client.responses.create(body);
    expect(response.output_text).toBe('Checking.');
    expect(response.output.filter((item) => item.type === 'function_call')).toHaveLength(2);
  });
});
