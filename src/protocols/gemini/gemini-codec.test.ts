import { describe, expect, it } from 'vitest';
import { claudeCodec } from '../claude/index.js';
import { parseSseText, transcodeSseText } from '../canonical/transcode.js';
import type { CanonicalRequest, StreamEvent } from '../canonical/types.js';
import { openaiChatCodec } from '../openai-chat/index.js';
import { geminiCodec } from './index.js';
import { mapGeminiFinishReason, toGeminiFinishReason } from './gemini-mappings.js';
import { toGeminiSchema } from './gemini-schema.js';

const openaiToGemini = (body: Record<string, unknown>) =>
  geminiCodec.encodeRequest(openaiChatCodec.decodeRequest({ model: 'gemini-2.5-pro', ...body }, {}));
const claudeToGemini = (body: Record<string, unknown>) =>
  geminiCodec.encodeRequest(claudeCodec.decodeRequest({ model: 'gemini-2.5-flash', max_tokens: 1000, ...body }, {}));

describe('gemini schema translation', () => {
  it.each([
    [
      'case 22: nullable type array, uri format, anyOf',
      { type: ['string', 'null'], format: 'uri', description: 'link' },
      { type: 'STRING', description: 'link', nullable: true },
    ],
    [
      'anyOf with null collapses to the other option',
      { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
      { type: 'INTEGER', minimum: 1, nullable: true },
    ],
    ['const becomes a one-value enum', { const: 'fixed' }, { enum: ['fixed'], type: 'STRING' }],
    ['numeric enums become strings', { type: 'integer', enum: [1, 2] }, { type: 'STRING', enum: ['1', '2'] }],
    [
      'case 24: exclusiveMinimum and friends are dropped',
      { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 9, multipleOf: 2, default: 1, examples: [1] },
      { type: 'NUMBER' },
    ],
    ['array without items gets string items', { type: 'array' }, { type: 'ARRAY', items: { type: 'STRING' } }],
  ])('%s', (_name, input, expected) => expect(toGeminiSchema(input)).toEqual(expected));

  it('case 21/23: resolves $ref to $defs, drops $schema/additionalProperties, keeps required that exist', () => {
    expect(
      toGeminiSchema({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        additionalProperties: false,
        $defs: { Point: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } },
        properties: {
          at: { $ref: '#/$defs/Point', description: 'where' },
          tags: { type: 'array', items: { type: 'string', pattern: '^a' } },
          mode: { oneOf: [{ const: 'a' }, { const: 'b' }] },
        },
        required: ['at', 'missing'],
      }),
    ).toEqual({
      type: 'OBJECT',
      properties: {
        at: { type: 'OBJECT', description: 'where', properties: { x: { type: 'NUMBER' } }, required: ['x'] },
        tags: { type: 'ARRAY', items: { type: 'STRING', pattern: '^a' } },
        mode: { anyOf: [{ enum: ['a'], type: 'STRING' }, { enum: ['b'], type: 'STRING' }] },
      },
      required: ['at'],
    });
  });

  it('cuts recursive $ref chains', () => {
    const schema = { $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } }, $ref: '#/$defs/Node' };
    expect(JSON.stringify(toGeminiSchema(schema)).length).toBeLessThan(2000);
  });
});

describe('requests to Gemini (conversion.md §5)', () => {
  it('case 2 and 3: every system message reaches systemInstruction; a lone system prompt becomes the user turn', () => {
    const body = openaiToGemini({
      messages: [
        { role: 'system', content: 'A' },
        { role: 'user', content: 'hi' },
        { role: 'system', content: 'B' },
        { role: 'user', content: '2' },
      ],
    });
    expect(body).toEqual({
      systemInstruction: { role: 'user', parts: [{ text: 'A' }, { text: 'B' }] },
      contents: [{ role: 'user', parts: [{ text: 'hi' }, { text: '2' }] }],
    });
    expect(openaiToGemini({ messages: [{ role: 'system', content: 'only' }] })).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'only' }] }],
    });
  });

  it('cases 9-13, 18, 36: media, stop, tool choice, exact sampling', () => {
    const body = openaiToGemini({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,XXX' } },
            { type: 'image_url', image_url: { url: 'https://x/y.jpg' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,PDF', filename: 'a.pdf' } },
            { type: 'input_audio', input_audio: { data: 'WAV', format: 'wav' } },
          ],
        },
      ],
      stop: 'END',
      temperature: 0,
      max_tokens: 100,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } } }],
      tool_choice: 'required',
    });
    expect(body).toEqual({
      contents: [
        {
          role: 'user',
          parts: [
            { inlineData: { mimeType: 'image/png', data: 'XXX' } },
            { fileData: { mimeType: 'image/jpeg', fileUri: 'https://x/y.jpg' } },
            { inlineData: { mimeType: 'application/pdf', data: 'PDF' } },
            { inlineData: { mimeType: 'audio/wav', data: 'WAV' } },
          ],
        },
      ],
      tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', properties: { a: { type: 'STRING' } } } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      generationConfig: { temperature: 0, maxOutputTokens: 100, stopSequences: ['END'] },
    });
  });

  it.each([
    ['gemini-2.5-pro', { reasoning_effort: 'high' }, { thinkingBudget: 24576, includeThoughts: true }],
    ['gemini-2.5-flash', { reasoning_effort: 'low' }, { thinkingBudget: 1024, includeThoughts: true }],
    ['gemini-2.5-flash', { reasoning_effort: 'none' }, { thinkingBudget: 0 }],
    ['gemini-2.5-pro', { reasoning_effort: 'none' }, undefined],
    ['gemini-3-pro-preview', { reasoning_effort: 'high' }, { thinkingLevel: 'HIGH', includeThoughts: true }],
    ['gemini-3-flash-preview', { reasoning_effort: 'medium' }, { thinkingLevel: 'MEDIUM', includeThoughts: true }],
    ['gemini-2.5-flash', {}, undefined],
  ])('case 25: %s with %j -> thinkingConfig %j', (model, extra, expected) => {
    const body = geminiCodec.encodeRequest(openaiChatCodec.decodeRequest({ model, messages: [{ role: 'user', content: 'x' }], ...extra }, {}));
    expect((body.generationConfig as { thinkingConfig?: unknown } | undefined)?.thinkingConfig).toEqual(expected);
  });

  it('cases 29-35: Claude tool rounds with looked-up names, errors, images, tool_choice any, top_k, stop', () => {
    const body = claudeToGemini({
      top_k: 40,
      stop_sequences: ['X'],
      tool_choice: { type: 'any' },
      tools: [{ name: 'Read', input_schema: { type: 'object', properties: { p: { type: 'string', format: 'uri' } }, additionalProperties: false } }],
      thinking: { type: 'enabled', budget_tokens: 2000 },
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hm', signature: 'claude-sig' },
            { type: 'tool_use', id: 'toolu_01X', name: 'Read', input: { p: 'a' } },
            { type: 'tool_use', id: 'toolu_01Y', name: 'Read', input: { p: 'b' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01X', content: [{ type: 'text', text: 'A' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'IMG' } }] },
            { type: 'tool_result', tool_use_id: 'toolu_01Y', content: 'nope', is_error: true },
          ],
        },
      ],
    });
    expect(body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        {
          role: 'model',
          parts: [
            { functionCall: { id: 'toolu_01X', name: 'Read', args: { p: 'a' } }, thoughtSignature: 'skip_thought_signature_validator' },
            { functionCall: { id: 'toolu_01Y', name: 'Read', args: { p: 'b' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { id: 'toolu_01X', name: 'Read', response: { output: 'A' } } },
            { inlineData: { mimeType: 'image/png', data: 'IMG' } },
            { functionResponse: { id: 'toolu_01Y', name: 'Read', response: { error: 'nope' } } },
          ],
        },
      ],
      tools: [{ functionDeclarations: [{ name: 'Read', parameters: { type: 'OBJECT', properties: { p: { type: 'STRING' } } } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      generationConfig: { topK: 40, maxOutputTokens: 1000, stopSequences: ['X'], thinkingConfig: { thinkingBudget: 2000, includeThoughts: true } },
    });
  });

  it('passes a Gemini thoughtSignature carried by a Claude client back byte-exact, in its place', () => {
    const geminiSig = 'CiQB0e2Kb+/=binary-ish==';
    const response = geminiCodec.decodeResponse({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'plan', thought: true },
              { functionCall: { name: 'Read', args: { p: 'a' } }, thoughtSignature: geminiSig },
            ],
          },
          finishReason: 'STOP',
        },
      ],
    });
    const claudeRequest = claudeCodec.decodeRequest({ model: 'claude-x', max_tokens: 100, messages: [] }, {});
    const claudeBody = claudeCodec.encodeResponse(response, claudeRequest) as { content: Record<string, unknown>[]; stop_reason: string };
    expect(claudeBody.stop_reason).toBe('tool_use');
    expect(claudeBody.content.map((block) => block.type)).toEqual(['thinking', 'thinking', 'tool_use']);
    expect(claudeBody.content[0]).toEqual({ type: 'thinking', thinking: 'plan', signature: '' });
    const wrapped = claudeBody.content[1]?.signature as string;
    // Claude Code echoes the blocks back on the next turn
    const next = claudeCodec.decodeRequest(
      {
        model: 'gemini-3-pro-preview',
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: claudeBody.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: claudeBody.content[2]?.id, content: 'data' }] },
        ],
      },
      {},
    );
    const body = geminiCodec.encodeRequest(next) as { contents: { parts: Record<string, unknown>[] }[] };
    expect(body.contents[1]?.parts).toEqual([
      { functionCall: { id: claudeBody.content[2]?.id, name: 'Read', args: { p: 'a' } }, thoughtSignature: geminiSig },
    ]);
    expect(wrapped).not.toBe(geminiSig);
    // and a Claude backend never receives the foreign signature
    const toClaude = claudeCodec.encodeRequest(next) as { messages: { content: Record<string, unknown>[] }[] };
    expect(toClaude.messages[1]?.content.map((block) => block.type)).toEqual(['tool_use']);
  });
});

describe('Gemini client requests (cases 37-39)', () => {
  const geminiRequest = {
    systemInstruction: { role: 'user', parts: [{ text: 'sys' }] },
    contents: [
      { role: 'user', parts: [{ text: 'a' }] },
      { role: 'user', parts: [{ text: 'b' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'skip_thought_signature_validator' },
          { functionCall: { name: 'f', args: { a: 2 } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'f', response: { output: 'one' } } },
          { functionResponse: { name: 'f', response: { output: 'two' } } },
        ],
      },
    ],
    tools: [
      {
        functionDeclarations: [
          { name: 'f', description: 'F', parametersJsonSchema: { type: 'object', properties: { a: { type: 'integer' } } } },
          { name: 'g', parameters: { type: 'OBJECT', properties: { b: { type: 'STRING', nullable: true } } } },
        ],
      },
      { googleSearch: {} },
    ],
    generationConfig: { maxOutputTokens: 100, temperature: 0.2, thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: true } },
  };

  it('decodes with ids paired by name and order, stable across decodes', () => {
    const request = geminiCodec.decodeRequest(geminiRequest, { model: 'gemini-3-pro-preview', stream: true });
    const again = geminiCodec.decodeRequest(geminiRequest, { model: 'gemini-3-pro-preview', stream: true });
    expect(request).toEqual(again);
    expect(request.messages.slice(2)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: '', providerMetadata: { gemini: { thoughtSignature: 'skip_thought_signature_validator' } } },
          { type: 'tool-call', toolCallId: 'call_2_0', toolName: 'f', input: { a: 1 } },
          { type: 'tool-call', toolCallId: 'call_2_1', toolName: 'f', input: { a: 2 } },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'call_2_0', toolName: 'f', content: [{ type: 'text', text: 'one' }] },
          { type: 'tool-result', toolCallId: 'call_2_1', toolName: 'f', content: [{ type: 'text', text: 'two' }] },
        ],
      },
    ]);
    expect(request).toMatchObject({ stream: true, maxOutputTokens: 100, temperature: 0.2, reasoning: { mode: 'enabled', effort: 'high', includeThoughts: true } });
  });

  it('converts to OpenAI with the same ids on calls and results, and to Claude with merged user turns', () => {
    const request = geminiCodec.decodeRequest(geminiRequest, { model: 'gpt-5' });
    const openai = openaiChatCodec.encodeRequest(request);
    expect(openai).toEqual({
      model: 'gpt-5',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        {
          role: 'assistant',
          content: null,
          reasoning_content: '',
          tool_calls: [
            { id: 'call_2_0', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
            { id: 'call_2_1', type: 'function', function: { name: 'f', arguments: '{"a":2}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_2_0', content: 'one' },
        { role: 'tool', tool_call_id: 'call_2_1', content: 'two' },
      ],
      tools: [
        { type: 'function', function: { name: 'f', description: 'F', parameters: { type: 'object', properties: { a: { type: 'integer' } } } } },
        { type: 'function', function: { name: 'g', parameters: { type: 'object', properties: { b: { type: ['string', 'null'] } } } } },
      ],
      max_completion_tokens: 100,
      temperature: 0.2,
      reasoning_effort: 'high',
    });
    const claude = claudeCodec.encodeRequest({ ...request, model: 'claude-sonnet-4-5' });
    expect((claude.messages as { role: string; content: unknown[] }[]).map((message) => [message.role, message.content.length])).toEqual([
      ['user', 2],
      ['assistant', 2],
      ['user', 2],
    ]);
    expect((claude.tools as { input_schema: unknown }[])[0]?.input_schema).toEqual({ type: 'object', properties: { a: { type: 'integer' } } });
  });

  it('re-encodes for Gemini keeping parametersJsonSchema, signatures and built-in tools', () => {
    const request = geminiCodec.decodeRequest(geminiRequest, { model: 'gemini-3-pro-preview' });
    const body = geminiCodec.encodeRequest(request);
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'f', description: 'F', parametersJsonSchema: { type: 'object', properties: { a: { type: 'integer' } } } },
          { name: 'g', parameters: { type: 'OBJECT', properties: { b: { type: 'STRING', nullable: true } } } },
        ],
      },
      { googleSearch: {} },
    ]);
    expect((body.contents as unknown[])[1]).toEqual({
      role: 'model',
      parts: [
        { functionCall: { id: 'call_2_0', name: 'f', args: { a: 1 } }, thoughtSignature: 'skip_thought_signature_validator' },
        { functionCall: { id: 'call_2_1', name: 'f', args: { a: 2 } } },
      ],
    });
    expect(body.generationConfig).toEqual({ maxOutputTokens: 100, temperature: 0.2, thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: true } });
  });
});

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
    expect(claude).toMatchObject({ stop_reason: 'max_tokens', content: [{ type: 'thinking', thinking: 'thinking', signature: '' }, { type: 'text', text: 'partial answer' }] });
    expect(geminiCodec.encodeResponse(response, geminiCodec.decodeRequest({ contents: [] }, { model: 'gemini-2.5-pro' }))).toEqual({
      candidates: [{ content: { role: 'model', parts: [{ text: 'thinking', thought: true }, { text: 'partial answer' }] }, finishReason: 'MAX_TOKENS', index: 0 }],
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
      geminiChunk([{ functionCall: { name: 'get_weather', args: { city: 'Rome' } } }], { finishReason: 'STOP' }, { promptTokenCount: 3, candidatesTokenCount: 5, totalTokenCount: 8 });
    const request = openaiChatCodec.decodeRequest({ model: 'g', stream: true, messages: [] }, {});
    const chunks = parseSseText(transcodeSseText(geminiCodec, openaiChatCodec, request, stream))
      .filter((frame) => frame.data !== '[DONE]')
      .map((frame) => JSON.parse(frame.data ?? '') as { choices: { delta: { tool_calls?: { index: number; id?: string }[] }; finish_reason: string | null }[] });
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
      ...fragments.map((fragment) => `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: fragment } })}`),
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":20}}',
      'event: message_stop\ndata: {"type":"message_stop"}',
      '',
    ].join('\n\n');
    expect(fragments.length).toBeGreaterThanOrEqual(15);
    const request = geminiCodec.decodeRequest({ contents: [] }, { model: 'claude-x', stream: true });
    const out = parseSseText(transcodeSseText(claudeCodec, geminiCodec, request, upstream)).map((frame) => JSON.parse(frame.data ?? ''));
    expect(out).toEqual([
      { candidates: [{ content: { role: 'model', parts: [{ functionCall: { id: 'toolu_9', name: 'Bash', args: JSON.parse(json) } }] }, index: 0 }], modelVersion: 'claude-x', responseId: 'msg_1' },
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
