import { describe, expect, it } from 'vitest';
import { parseSseText } from '../canonical/transcode.js';
import type { CanonicalRequest, StreamEvent } from '../canonical/types.js';
import { openaiChatCodec } from './index.js';
import { mapOpenAIFinishReason, toOpenAIFinishReason } from './openai-chat-mappings.js';

const decode = (body: unknown) => openaiChatCodec.decodeRequest(body, {});

describe('openai-chat codec: requests', () => {
  it('decodes system/developer messages: leading ones to the system prompt, later ones in place', () => {
    const request = decode({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'A' },
        { role: 'developer', content: [{ type: 'text', text: 'A2' }] },
        { role: 'user', content: 'hi' },
        { role: 'system', content: 'B' },
        { role: 'user', content: '2' },
      ],
    });
    expect(request.system).toEqual([
      { type: 'text', text: 'A' },
      { type: 'text', text: 'A2' },
    ]);
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'system', content: [{ type: 'text', text: 'B' }] },
      { role: 'user', content: [{ type: 'text', text: '2' }] },
    ]);
  });

  it('decodes assistant text + parallel tool calls and merges consecutive tool messages', () => {
    const request = decode({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: 'Let me check',
          reasoning_content: 'thinking...',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'ok' }] },
        { role: 'tool', tool_call_id: 'call_2', content: 'sunny' },
      ],
    });
    expect(request.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'thinking...' },
          { type: 'text', text: 'Let me check' },
          { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool-call', toolCallId: 'call_2', toolName: 'get_weather', input: {} },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'call_1', toolName: 'get_weather', content: [{ type: 'text', text: 'ok' }] },
          { type: 'tool-result', toolCallId: 'call_2', toolName: 'get_weather', content: [{ type: 'text', text: 'sunny' }] },
        ],
      },
    ]);
  });

  it('decodes images, files and audio', () => {
    const request = decode({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'data:image/png;base64,XXX', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'https://x/y.jpg' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,PDF', filename: 'a.pdf' } },
            { type: 'input_audio', input_audio: { data: 'WAV', format: 'wav' } },
          ],
        },
      ],
    });
    expect(request.messages[0]?.content).toEqual([
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'XXX' }, detail: 'high' },
      { type: 'image', source: { kind: 'url', url: 'https://x/y.jpg' } },
      { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'PDF' }, filename: 'a.pdf' },
      { type: 'audio', data: 'WAV', format: 'wav' },
    ]);
  });

  it('keeps sampling params exact and maps the rest', () => {
    const request = decode({
      model: 'gpt-4o',
      messages: [],
      temperature: 0,
      top_p: 1,
      max_completion_tokens: 500,
      stop: 'END',
      seed: 7,
      n: 1,
      reasoning_effort: 'high',
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } },
      stream: true,
      stream_options: { include_usage: true },
      tool_choice: 'required',
      parallel_tool_calls: false,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    });
    expect(request).toMatchObject({
      temperature: 0,
      topP: 1,
      maxOutputTokens: 500,
      stopSequences: ['END'],
      seed: 7,
      candidateCount: 1,
      reasoning: { mode: 'enabled', effort: 'high' },
      responseFormat: { type: 'json-schema', name: 'x', schema: { type: 'object' }, strict: true },
      stream: true,
      includeUsage: true,
      toolChoice: { type: 'required' },
      parallelToolCalls: false,
    });
    expect(openaiChatCodec.encodeRequest(request)).toEqual({
      model: 'gpt-4o',
      messages: [],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      max_completion_tokens: 500,
      temperature: 0,
      top_p: 1,
      stop: ['END'],
      seed: 7,
      n: 1,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } },
      reasoning_effort: 'high',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it.each([
    [{ reasoning_effort: 'low' }, { mode: 'enabled', effort: 'low' }],
    [{ reasoning_effort: 'none' }, { mode: 'disabled', effort: 'none' }],
    [{ reasoning: { effort: 'high' } }, { mode: 'enabled', effort: 'high' }],
    [{ reasoning: { max_tokens: 3000 } }, { mode: 'enabled', budgetTokens: 3000 }],
    [{ reasoning: { enabled: false } }, { mode: 'disabled' }],
    [{ thinking: { type: 'enabled', budget_tokens: 5000 } }, { mode: 'enabled', budgetTokens: 5000 }],
    [{}, undefined],
  ])('decodes reasoning %j as %j', (extra, expected) => {
    expect(decode({ model: 'm', messages: [], ...extra }).reasoning).toEqual(expected);
  });

  it('rejects a body without messages or model', () => {
    expect(() => decode({ model: 'x' })).toThrowError('messages: field required');
    expect(() => decode({ messages: [] })).toThrowError('you must provide a model parameter');
  });
});

describe('openai-chat codec: responses', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool-calls'],
    ['function_call', 'tool-calls'],
    ['content_filter', 'content-filter'],
    ['weird', 'other'],
  ])('maps finish_reason %s to %s', (raw, unified) => expect(mapOpenAIFinishReason(raw)).toBe(unified));

  it.each([
    [{ unified: 'stop' }, false, 'stop'],
    [{ unified: 'stop' }, true, 'tool_calls'],
    [{ unified: 'length' }, false, 'length'],
    [{ unified: 'content-filter' }, false, 'content_filter'],
    [{ unified: 'other', raw: 'OTHER' }, false, 'stop'],
  ] as const)('encodes %j (tools: %s) as %s', (finish, tools, expected) => expect(toOpenAIFinishReason(finish, tools)).toBe(expected));

  it('decodes reasoning, text and tool calls; usage with cached and reasoning tokens', () => {
    const response = openaiChatCodec.decodeResponse({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'gpt-4o',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hi',
            reasoning_content: 'hmm',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 100,
        completion_tokens: 30,
        total_tokens: 130,
        prompt_tokens_details: { cached_tokens: 80 },
        completion_tokens_details: { reasoning_tokens: 10 },
      },
    });
    expect(response).toEqual({
      id: 'chatcmpl-1',
      model: 'gpt-4o',
      created: 1700000000,
      content: [
        { type: 'reasoning', text: 'hmm' },
        { type: 'text', text: 'Hi' },
        { type: 'tool-call', toolCallId: 'call_1', toolName: 'f', input: { a: 1 } },
      ],
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage: { inputTokens: 100, outputTokens: 30, totalTokens: 130, cacheReadTokens: 80, reasoningTokens: 10 },
    });
    expect(openaiChatCodec.encodeResponse(response, decode({ model: 'gpt-4o', messages: [] }))).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'gpt-4o',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hi',
            reasoning_content: 'hmm',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 100,
        completion_tokens: 30,
        total_tokens: 130,
        prompt_tokens_details: { cached_tokens: 80 },
        completion_tokens_details: { reasoning_tokens: 10 },
      },
    });
  });
});

function decodeStream(text: string): StreamEvent[] {
  const decoder = openaiChatCodec.createStreamDecoder({} as CanonicalRequest);
  return [...parseSseText(text).flatMap((frame) => decoder.decode(frame)), ...decoder.end()];
}

const chunk = (delta: unknown, finish: string | null = null, extra: object = {}) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;

describe('openai-chat codec: stream decoding', () => {
  it('decodes parallel tool-call fragments by index, waits for trailing usage, ends on [DONE]', () => {
    const text =
      chunk({ role: 'assistant', content: '' }) +
      chunk({ content: 'Let me check.' }) +
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }) +
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] }) +
      chunk({}, 'tool_calls') +
      `data: ${JSON.stringify({ id: 'chatcmpl-1', choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })}\n\n` +
      'data: [DONE]\n\n';
    expect(decodeStream(text)).toEqual([
      { type: 'message-start', id: 'chatcmpl-1', model: 'm' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Let me check.' },
      { type: 'text-end', index: 0 },
      { type: 'tool-input-start', index: 1, toolCallId: 'call_a', toolName: 'get_weather' },
      { type: 'tool-input-delta', index: 1, delta: '{"ci' },
      { type: 'tool-input-delta', index: 1, delta: 'ty":"Paris"}' },
      { type: 'tool-input-end', index: 1 },
      { type: 'tool-call', index: 1, toolCallId: 'call_a', toolName: 'get_weather', input: '{"city":"Paris"}' },
      { type: 'tool-input-start', index: 2, toolCallId: 'call_b', toolName: 'get_weather' },
      { type: 'tool-input-delta', index: 2, delta: '{"city":"Rome"}' },
      { type: 'tool-input-end', index: 2 },
      { type: 'tool-call', index: 2, toolCallId: 'call_b', toolName: 'get_weather', input: '{"city":"Rome"}' },
      {
        type: 'finish',
        reason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      },
    ]);
  });

  it('keeps every fragment of parallel calls whose fragments interleave, each call in its own block', () => {
    const call = (index: number, args: string, start?: { id: string; name: string }) =>
      chunk({ tool_calls: [{ index, ...(start && { id: start.id, type: 'function' }), function: { ...(start && { name: start.name }), arguments: args } }] });
    const text =
      // Both calls announced in one chunk before any arguments, then fragments alternate.
      chunk({
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'read', arguments: '' } },
          { index: 1, id: 'call_b', type: 'function', function: { name: 'grep', arguments: '' } },
        ],
      }) +
      call(0, '{"path":') +
      call(1, '{"pattern":') +
      call(0, '"a.txt"}') +
      call(1, '"x"}') +
      call(2, '{"q":', { id: 'call_c', name: 'find' }) +
      call(2, '1}') +
      chunk({}, 'tool_calls') +
      'data: [DONE]\n\n';
    const events = decodeStream(text);
    const calls = events.filter((event) => event.type === 'tool-call');
    expect(calls).toEqual([
      { type: 'tool-call', index: 0, toolCallId: 'call_a', toolName: 'read', input: '{"path":"a.txt"}' },
      { type: 'tool-call', index: 1, toolCallId: 'call_b', toolName: 'grep', input: '{"pattern":"x"}' },
      { type: 'tool-call', index: 2, toolCallId: 'call_c', toolName: 'find', input: '{"q":1}' },
    ]);
    // Blocks never overlap: each starts after the one before has ended, and its deltas add up to its input.
    const order = events.filter((event) => event.type === 'tool-input-start' || event.type === 'tool-input-end');
    expect(order.map((event) => `${event.type === 'tool-input-start' ? '+' : '-'}${'index' in event ? event.index : ''}`)).toEqual([
      '+0',
      '-0',
      '+1',
      '-1',
      '+2',
      '-2',
    ]);
    for (const { index, input } of calls as Array<{ index: number; input: string }>) {
      const deltas = events.filter((event) => event.type === 'tool-input-delta' && event.index === index);
      expect(deltas.map((event) => ('delta' in event ? event.delta : '')).join('')).toBe(input);
    }
    // The first call streams as it comes: its first fragment is out before the second call's.
    expect(events.findIndex((event) => event.type === 'tool-input-delta' && event.index === 0)).toBeLessThan(
      events.findIndex((event) => event.type === 'tool-input-start' && event.index === 1),
    );
  });

  it('streams a queued call that never sees the open one finish when the stream ends', () => {
    const text =
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x":' } }] }) +
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{}' } }] }) +
      chunk({}, 'tool_calls') +
      'data: [DONE]\n\n';
    expect(decodeStream(text).filter((event) => event.type === 'tool-call')).toEqual([
      { type: 'tool-call', index: 0, toolCallId: 'call_a', toolName: 'a', input: '{"x":' },
      { type: 'tool-call', index: 1, toolCallId: 'call_b', toolName: 'b', input: '{}' },
    ]);
  });

  it('tolerates GLM-style chunks: role every time, nulls, zero usage until the end, no [DONE]', () => {
    const usage0 = { usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } };
    const text =
      chunk({ role: 'assistant', content: null, reasoning_content: 'think' }, null, usage0) +
      chunk({ role: 'assistant', content: 'ok', reasoning_content: null }, null, usage0) +
      chunk({ role: 'assistant', content: '' }, 'stop', { usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    expect(decodeStream(text)).toEqual([
      { type: 'message-start', id: 'chatcmpl-1', model: 'm' },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, delta: 'think' },
      { type: 'reasoning-end', index: 0 },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, delta: 'ok' },
      { type: 'text-end', index: 1 },
      { type: 'finish', reason: { unified: 'stop', raw: 'stop' }, usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 } },
    ]);
  });

  it('reports a stream cut before any finish_reason as an error, and an error chunk as an error', () => {
    expect(decodeStream(chunk({ content: 'par' })).at(-1)).toMatchObject({ type: 'error' });
    const events = decodeStream('data: {"error":{"message":"boom","type":"server_error"}}\n\n');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error' });
  });
});
