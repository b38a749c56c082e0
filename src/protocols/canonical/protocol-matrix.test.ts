import { describe, expect, it } from 'vitest';
import { getCodec } from '../codecs.js';
import { PROTOCOL_IDS, type ProtocolId } from '../protocol-id.js';
import { collectStream, responseToStreamEvents } from './stream-collect.js';
import { parseSseText } from './transcode.js';
import type { CanonicalRequest, CanonicalResponse, ContentPart } from './types.js';

/** A minimal client request in each protocol, with one function tool `get_weather`. */
const clientBodies: Record<ProtocolId, Record<string, unknown>> = {
  'openai-chat': {
    model: 'any-model',
    messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    stream: true,
    stream_options: { include_usage: true },
  },
  'openai-responses': {
    model: 'any-model',
    input: 'Weather in Paris and Rome?',
    tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    stream: true,
  },
  claude: {
    model: 'any-model',
    max_tokens: 1000,
    messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }],
    tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    stream: true,
  },
  gemini: {
    contents: [{ role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] }],
    tools: [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } }] }],
  },
};

function decodeClient(protocol: ProtocolId): CanonicalRequest {
  return getCodec(protocol).decodeRequest(clientBodies[protocol], protocol === 'gemini' ? { model: 'any-model', stream: true } : {});
}

/** What the backend "said": text, then two parallel calls to the same function. */
const backendAnswer: CanonicalResponse = {
  id: 'up-1',
  model: 'any-model',
  content: [
    { type: 'text', text: 'Checking both cities.' },
    { type: 'tool-call', toolCallId: 'call_paris', toolName: 'get_weather', input: { city: 'Paris' } },
    { type: 'tool-call', toolCallId: 'call_rome', toolName: 'get_weather', input: { city: 'Rome' } },
  ],
  finishReason: { unified: 'tool-calls' },
  usage: { inputTokens: 50, outputTokens: 20 },
};

/** The client-visible meaning of a response: text, and calls with ids and arguments. */
function meaning(response: CanonicalResponse): unknown {
  const text = response.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  const calls = response.content
    .filter((part): part is Extract<ContentPart, { type: 'tool-call' }> => part.type === 'tool-call')
    .map((part) => [part.toolCallId, part.toolName, part.input]);
  return { text, calls, finish: response.finishReason.unified, input: response.usage.inputTokens, output: response.usage.outputTokens };
}

const expected = {
  text: 'Checking both cities.',
  calls: [
    ['call_paris', 'get_weather', { city: 'Paris' }],
    ['call_rome', 'get_weather', { city: 'Rome' }],
  ],
  finish: 'tool-calls',
  input: 50,
  output: 20,
};

const pairs = PROTOCOL_IDS.flatMap((client) => PROTOCOL_IDS.map((backend) => [client, backend] as const));

describe('every client protocol on every backend protocol', () => {
  it.each(pairs)('%s client on a %s backend: request encodes, non-stream answer keeps text, calls, usage', (client, backend) => {
    const request = decodeClient(client);
    const upstreamBody = getCodec(backend).encodeRequest(request);
    expect(JSON.stringify(upstreamBody)).toContain('get_weather');
    // backend JSON -> canonical -> client JSON -> read back by the client's own decoder
    const backendJson = getCodec(backend).encodeResponse(backendAnswer, request);
    const canonical = getCodec(backend).decodeResponse(backendJson);
    const clientJson = getCodec(client).encodeResponse(canonical, request);
    expect(meaning(getCodec(client).decodeResponse(clientJson))).toEqual(expected);
  });

  it.each(pairs)('%s client on a %s backend: stream keeps text, parallel calls, finish and usage', (client, backend) => {
    const request = decodeClient(client);
    // Build the backend's wire stream with its own encoder, then run the real pipeline.
    const backendEncoder = getCodec(backend).createStreamEncoder(request);
    const upstream =
      responseToStreamEvents(backendAnswer)
        .map((event) => backendEncoder.encode(event))
        .join('') + backendEncoder.end();
    const decoder = getCodec(backend).createStreamDecoder(request);
    const encoder = getCodec(client).createStreamEncoder(request);
    const clientText =
      parseSseText(upstream)
        .flatMap((frame) => decoder.decode(frame))
        .map((event) => encoder.encode(event))
        .join('') +
      decoder
        .end()
        .map((event) => encoder.encode(event))
        .join('') +
      encoder.end();
    // The client's own decoder must read the stream back to the same meaning, with one end marker.
    const clientDecoder = getCodec(client).createStreamDecoder(request);
    const frames = parseSseText(clientText);
    const events = [...frames.flatMap((frame) => clientDecoder.decode(frame)), ...clientDecoder.end()];
    expect(events.filter((event) => event.type === 'error')).toEqual([]);
    expect(meaning(collectStream(events))).toEqual(expected);
    const endMarkers: Record<ProtocolId, (data: string | undefined, event: string | undefined) => boolean> = {
      'openai-chat': (data) => data === '[DONE]',
      claude: (_data, event) => event === 'message_stop',
      'openai-responses': (_data, event) => event === 'response.completed',
      gemini: (data) => data?.includes('"finishReason"') === true,
    };
    expect(frames.filter((frame) => endMarkers[client](frame.data, frame.event))).toHaveLength(1);
    expect(endMarkers[client](frames.at(-1)?.data, frames.at(-1)?.event)).toBe(true);
  });
});
