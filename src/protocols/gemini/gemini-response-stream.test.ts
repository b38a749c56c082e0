import { describe, expect, it } from 'vitest';
import { claudeCodec } from '../claude/index.js';
import { parseSseText, transcodeSseText } from '../canonical/transcode.js';
import type { CanonicalRequest, StreamEvent } from '../canonical/types.js';
import { openaiChatCodec } from '../openai-chat/index.js';
import { geminiCodec } from './index.js';
import { mapGeminiFinishReason, toGeminiFinishReason } from './gemini-mappings.js';

describe('gemini responses (cases 50-52)', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool-calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content-filter'],
    ['RECITATION', false, 'content-filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'error'],
    ['OTHER', false, 'other'],
  ] as const)('maps %s (tools %s) to %s', (raw, tools, unified) => expect(mapGeminiFinishReason(raw, tools)).toBe(unified));

  it.each([
    [{ unified: 'tool-calls' }, 'STOP'],
    [{ unified: 'length', raw: 'max_tokens' }, 'MAX_TOKENS'],
    [{ unified: 'content-filter', raw: 'RECITATION' }, 'RECITATION'],
    [{ unified: 'other' }, 'OTHER'],
  ] as const)('encodes %j as %s (never TOOL_CALLS)', (finish, expected) => expect(toGeminiFinishReason(finish)).toBe(expected));

  it('keeps text on MAX_TOKENS, separates thoughts, counts thoughts into output tokens', () => {
    const response = geminiCodec.decodeResponse({
      response: {
        candidates: [{ content: { role: 'model', parts: [{ text: 'thinking', thought: true }, { text: 'partial answer' }] }, finishReason: 'MAX_TOKENS' }],
        usageMetadata: { promptTokenCount: 106, candidatesTokenCount: 821, thoughtsTokenCount: 747, totalTokenCount: 1674 },
        modelVersion: 'gemini-2.5-pro',
        responseId: 'r1',
      },
      traceId: 't1',
    });
    const openai = openaiChatCodec.encodeResponse(response, openaiChatCodec.decodeRequest({ model: 'x', messages: [] }, {})) as Record<string, unknown>;
    expect(openai.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'partial answer', reasoning_content: 'thinking' }, logprobs: null, finish_reason: 'length' },
    ]);
    expect(openai.usage).toEqual({ prompt_tokens: 106, completion_tokens: 1568, total_tokens: 1674, completion_tokens_details: { reasoning_tokens: 747 } });
    const claude = claudeCodec.encodeResponse(response, claudeCodec.decodeRequest({ model: 'x', max_tokens: 1, messages: [] }, {})) as Record<string, unknown>;
    expect(claude).toMatchObject({
      stop_reason: 'max_tokens',
      content: [
        { type: 'thinking', thinking: 'thinking', signature: '' },
        { type: 'text', text: 'partial answer' },
      ],
    });
    expect(geminiCodec.encodeResponse(response, geminiCodec.decodeRequest({ contents: [] }, { model: 'gemini-2.5-pro' }))).toEqual({
      candidates: [
        { content: { role: 'model', parts: [{ text: 'thinking', thought: true }, { text: 'partial answer' }] }, finishReason: 'MAX_TOKENS', index: 0 },
      ],
      usageMetadata: { promptTokenCount: 106, candidatesTokenCount: 821, totalTokenCount: 1674, thoughtsTokenCount: 747 },
      modelVersion: 'gemini-2.5-pro',
      responseId: 'r1',
    });
  });
});

const geminiChunk = (parts: unknown[], extra: Record<string, unknown> = {}, usage?: unknown) =>
  `data: ${JSON.stringify({ response: { candidates: [{ content: { role: 'model', parts }, ...extra }], ...(usage !== undefined && { usageMetadata: usage }), modelVersion: 'gemini-2.5-flash', responseId: 'r1' }, traceId: 't' })}\r\n\r\n`;

function decodeStream(text: string): StreamEvent[] {
  const decoder = geminiCodec.createStreamDecoder({} as CanonicalRequest);
  return [...parseSseText(text).flatMap((frame) => decoder.decode(frame)), ...decoder.end()];
}

describe('gemini streams (cases 58-60, 65)', () => {
  const textStream =
    geminiChunk([{ text: 'Hel' }], {}, { trafficType: 'ON_DEMAND' }) +
    geminiChunk([{ text: 'lo' }], { finishReason: 'STOP' }, { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 });

  it('case 58: last text + STOP + usage in one chunk -> Claude message_delta end_turn with usage, message_stop', () => {
    const request = claudeCodec.decodeRequest({ model: 'gemini-2.5-flash', max_tokens: 10, stream: true, messages: [] }, {});
    const out = parseSseText(transcodeSseText(geminiCodec, claudeCodec, request, textStream));
    expect(out.map((frame) => frame.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(JSON.parse(out[5]?.data ?? '')).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 4, output_tokens: 2 },
    });
  });

  it('case 59: two functionCalls in separate chunks -> OpenAI tool indexes 0 and 1, distinct ids, one finish', () => {
    const stream =
      geminiChunk([{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }]) +
      geminiChunk(
        [{ functionCall: { name: 'get_weather', args: { city: 'Rome' } } }],
        { finishReason: 'STOP' },
        { promptTokenCount: 3, candidatesTokenCount: 5, totalTokenCount: 8 },
      );
    const request = openaiChatCodec.decodeRequest({ model: 'g', stream: true, messages: [] }, {});
    const chunks = parseSseText(transcodeSseText(geminiCodec, openaiChatCodec, request, stream))
      .filter((frame) => frame.data !== '[DONE]')
      .map(
        (frame) => JSON.parse(frame.data ?? '') as { choices: { delta: { tool_calls?: { index: number; id?: string }[] }; finish_reason: string | null }[] },
      );
    const starts = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls?.filter((call) => call.id) ?? []);
    expect(starts.map((call) => call.index)).toEqual([0, 1]);
    expect(new Set(starts.map((call) => call.id)).size).toBe(2);
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter(Boolean)).toEqual(['tool_calls']);
  });

  it('case 60: Claude stream tool_use with many input_json_delta fragments -> one Gemini functionCall with parsed args', () => {
    const json = JSON.stringify({ command: 'ls -la', description: 'List files in the current directory' });
    const fragments = json.match(/.{1,5}/g) ?? [];
    const upstream = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":9,"output_tokens":1}}}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_9","name":"Bash","input":{}}}',
      ...fragments.map(
        (fragment) =>
          `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: fragment } })}`,
      ),
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":20}}',
      'event: message_stop\ndata: {"type":"message_stop"}',
      '',
    ].join('\n\n');
    expect(fragments.length).toBeGreaterThanOrEqual(15);
    const request = geminiCodec.decodeRequest({ contents: [] }, { model: 'claude-x', stream: true });
    const out = parseSseText(transcodeSseText(claudeCodec, geminiCodec, request, upstream)).map((frame) => JSON.parse(frame.data ?? ''));
    expect(out).toEqual([
      {
        candidates: [{ content: { role: 'model', parts: [{ functionCall: { id: 'toolu_9', name: 'Bash', args: JSON.parse(json) } }] }, index: 0 }],
        modelVersion: 'claude-x',
        responseId: 'msg_1',
      },
      {
        candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 20, totalTokenCount: 29 },
        modelVersion: 'claude-x',
        responseId: 'msg_1',
      },
    ]);
  });

  it('case 65: json-array format without alt=sse, always closed and with a finishReason', () => {
    const request = geminiCodec.decodeRequest({ contents: [] }, { model: 'gemini-2.5-flash', stream: true });
    const text = transcodeSseText(geminiCodec, geminiCodec, request, textStream, { format: 'json-array' });
    const parsed = JSON.parse(text) as { candidates: { content: { parts: { text: string }[] }; finishReason?: string }[] }[];
    expect(parsed.map((chunk) => chunk.candidates[0]?.content.parts[0]?.text)).toEqual(['Hel', 'lo', '']);
    expect(parsed.at(-1)?.candidates[0]?.finishReason).toBe('STOP');
    const empty = geminiCodec.createStreamEncoder(request, { format: 'json-array' });
    expect(JSON.parse(empty.end())).toHaveLength(1);
  });

  it('reads an event whose data JSON spans two data: lines, and an unwrapped (non Code Assist) body', () => {
    const stream =
      'data: {"candidates":[{"content":{"role":"model",\r\ndata: "parts":[{"text":"Hi"}]},"finishReason":"STOP"}],\r\ndata: "usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1,"totalTokenCount":2}}\r\n\r\n';
    expect(decodeStream(stream).map((event) => event.type)).toEqual(['message-start', 'text-start', 'text-delta', 'text-end', 'finish']);
  });

  it('decodes thoughts with a signature and a signed functionCall into events that keep both', () => {
    const stream =
      geminiChunk([{ text: 'Let me ', thought: true }]) +
      geminiChunk([{ text: 'think', thought: true, thoughtSignature: 'T1' }]) +
      geminiChunk([{ functionCall: { id: 'fc1', name: 'f', args: {} }, thoughtSignature: 'T2' }], { finishReason: 'STOP' });
    expect(decodeStream(stream)).toEqual([
      { type: 'message-start', id: 'r1', model: 'gemini-2.5-flash' },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, delta: 'Let me ' },
      { type: 'reasoning-delta', index: 0, delta: 'think' },
      { type: 'reasoning-end', index: 0, providerMetadata: { gemini: { thoughtSignature: 'T1' } } },
      { type: 'reasoning-start', index: 1 },
      { type: 'reasoning-end', index: 1, providerMetadata: { gemini: { thoughtSignature: 'T2' } } },
      { type: 'tool-input-start', index: 2, toolCallId: 'fc1', toolName: 'f' },
      { type: 'tool-input-delta', index: 2, delta: '{}' },
      { type: 'tool-input-end', index: 2 },
      { type: 'tool-call', index: 2, toolCallId: 'fc1', toolName: 'f', input: '{}' },
      { type: 'finish', reason: { unified: 'tool-calls', raw: 'STOP' }, usage: { inputTokens: 0, outputTokens: 0 } },
    ]);
  });

  it('an OpenAI text stream reaches a Gemini client with finishReason and usage on the last chunk', () => {
    const upstream =
      'data: {"id":"c1","model":"gpt","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"}}]}\n\n' +
      'data: {"id":"c1","model":"gpt","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}\n\n' +
      'data: {"id":"c1","model":"gpt","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n' +
      'data: [DONE]\n\n';
    const request = geminiCodec.decodeRequest({ contents: [] }, { model: 'gpt', stream: true });
    const out = parseSseText(transcodeSseText(openaiChatCodec, geminiCodec, request, upstream)).map((frame) => JSON.parse(frame.data ?? ''));
    expect(out.at(-1)).toEqual({
      candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'MAX_TOKENS', index: 0 }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 },
      modelVersion: 'gpt',
      responseId: 'c1',
    });
    expect(out).toHaveLength(2);
  });
});
