import { describe, expect, it } from 'vitest';
import { claudeCodec } from '../claude/index.js';
import { openaiChatCodec } from '../openai-chat/index.js';
import { geminiCodec } from './index.js';
import { toGeminiSchema } from './gemini-schema.js';

const openaiToGemini = (body: Record<string, unknown>) => geminiCodec.encodeRequest(openaiChatCodec.decodeRequest({ model: 'gemini-2.5-pro', ...body }, {}));
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
        mode: {
          anyOf: [
            { enum: ['a'], type: 'STRING' },
            { enum: ['b'], type: 'STRING' },
          ],
        },
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
            {
              type: 'tool_result',
              tool_use_id: 'toolu_01X',
              content: [
                { type: 'text', text: 'A' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'IMG' } },
              ],
            },
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
    expect(body.contents[1]?.parts).toEqual([{ functionCall: { id: claudeBody.content[2]?.id, name: 'Read', args: { p: 'a' } }, thoughtSignature: geminiSig }]);
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
        parts: [{ functionResponse: { name: 'f', response: { output: 'one' } } }, { functionResponse: { name: 'f', response: { output: 'two' } } }],
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
    expect(request).toMatchObject({
      stream: true,
      maxOutputTokens: 100,
      temperature: 0.2,
      reasoning: { mode: 'enabled', effort: 'high', includeThoughts: true },
    });
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

describe('Gemini CLI quirks', () => {
  it('drops an identical repeat of a functionResponse with the same id (Gemini CLI after --resume)', () => {
    const response = { id: 'call_1', name: 'read_file', response: { output: 'banana' } };
    const request = geminiCodec.decodeRequest(
      {
        contents: [
          { role: 'user', parts: [{ text: 'read it' }] },
          { role: 'model', parts: [{ functionCall: { id: 'call_1', name: 'read_file', args: { path: 'a' } } }] },
          { role: 'user', parts: [{ functionResponse: response }, { functionResponse: response }] },
        ],
      },
      { model: 'gemini-2.5-flash', stream: false },
    );
    const results = request.messages.flatMap((message) => message.content).filter((part) => part.type === 'tool-result');
    expect(results).toHaveLength(1);
  });
});
