import { describe, expect, it } from 'vitest';
import { claudeCodec } from '../claude/index.js';
import { parseSseText, transcodeSseText } from '../canonical/transcode.js';
import type { CanonicalRequest, StreamEvent } from '../canonical/types.js';
import { openaiChatCodec } from '../openai-chat/index.js';
import { openaiResponsesCodec } from './index.js';

const decode = (body: Record<string, unknown>) => openaiResponsesCodec.decodeRequest({ model: 'gpt-5', ...body }, {});

interface ResponsesEvent {
  type: string;
  sequence_number: number;
  [key: string]: unknown;
}

function responsesEvents(text: string): ResponsesEvent[] {
  return parseSseText(text).map((frame) => {
    const data = JSON.parse(frame.data ?? '') as ResponsesEvent;
    expect(frame.event).toBe(data.type);
    return data;
  });
}

describe('Responses streams (cases 61-63)', () => {
  it('case 61/63: Claude thinking + text + tool stream -> Responses items with stable ids, sequence from 0, real usage', () => {
    const upstream = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":10,"output_tokens":1}}}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me "}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"see."}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"SIG"}}',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Running."}}',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"shell","input":{}}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"cmd\\":"}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\\"ls\\"}"}}',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":2}',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":25}}',
      'event: message_stop\ndata: {"type":"message_stop"}',
      '',
    ].join('\n\n');
    const request = decode({ input: 'x', stream: true, tools: [{ type: 'function', name: 'shell', parameters: { type: 'object' } }] });
    const events = responsesEvents(transcodeSseText(claudeCodec, openaiResponsesCodec, request, upstream));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_event, index) => index));
    expect(events.map((event) => [event.type, event.output_index ?? null])).toEqual([
      ['response.created', null],
      ['response.in_progress', null],
      ['response.output_item.added', 0],
      ['response.reasoning_summary_part.added', 0],
      ['response.reasoning_summary_text.delta', 0],
      ['response.reasoning_summary_text.delta', 0],
      ['response.reasoning_summary_text.done', 0],
      ['response.reasoning_summary_part.done', 0],
      ['response.output_item.done', 0],
      ['response.output_item.added', 1],
      ['response.content_part.added', 1],
      ['response.output_text.delta', 1],
      ['response.output_text.done', 1],
      ['response.content_part.done', 1],
      ['response.output_item.done', 1],
      ['response.output_item.added', 2],
      ['response.function_call_arguments.delta', 2],
      ['response.function_call_arguments.delta', 2],
      ['response.function_call_arguments.done', 2],
      ['response.output_item.done', 2],
      ['response.completed', null],
    ]);
    const reasoningIds = new Set(events.filter((event) => event.output_index === 0).map((event) => event.item_id ?? (event.item as { id: string }).id));
    expect(reasoningIds.size).toBe(1);
    const completed = events.at(-1)?.response as { status: string; output: { type: string }[]; usage: unknown; id: string };
    expect(completed.status).toBe('completed');
    expect(completed.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(completed.output[0]).toMatchObject({ summary: [{ type: 'summary_text', text: 'Let me see.' }] });
    expect(completed.output[2]).toMatchObject({ call_id: 'toolu_1', name: 'shell', arguments: '{"cmd":"ls"}', status: 'completed' });
    expect(completed.usage).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 25,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 35,
    });
    expect(completed.id).toMatch(/^resp_/);
    expect((events[0]?.response as { id: string }).id).toBe(completed.id);
  });

  it('case 62: OpenAI chunks repeating role -> response.created once, done text is the concatenation', () => {
    const chunk = (content: string, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', model: 'glm', choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: finish }] })}\n\n`;
    const upstream = `${chunk('Hel') + chunk('lo') + chunk('', 'stop')}data: [DONE]\n\n`;
    const events = responsesEvents(transcodeSseText(openaiChatCodec, openaiResponsesCodec, decode({ input: 'x', stream: true }), upstream));
    expect(events.filter((event) => event.type === 'response.created')).toHaveLength(1);
    expect(events.find((event) => event.type === 'response.output_text.done')?.text).toBe('Hello');
    expect(events.filter((event) => event.type === 'response.completed')).toHaveLength(1);
  });

  it('maps a custom tool called through a chat backend back to custom_tool_call events', () => {
    const args = JSON.stringify({ input: '*** Begin Patch\n*** End Patch' });
    const upstream =
      `data: ${JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_p', type: 'function', function: { name: 'apply_patch', arguments: args.slice(0, 10) } }] } }] })}\n\n` +
      `data: ${JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(10) } }] } }] })}\n\n` +
      `data: ${JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })}\n\n` +
      'data: [DONE]\n\n';
    const request = decode({ input: 'x', stream: true, tools: [{ type: 'custom', name: 'apply_patch' }] });
    const events = responsesEvents(transcodeSseText(openaiChatCodec, openaiResponsesCodec, request, upstream));
    expect(events.slice(2).map((event) => event.type)).toEqual([
      'response.output_item.added',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[5]?.item).toMatchObject({ type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' });
  });

  it('decodes a Codex-style stream (reasoning with encrypted_content, custom tool call) for a Claude client', () => {
    const event = (payload: Record<string, unknown>) => `event: ${String(payload.type)}\ndata: ${JSON.stringify(payload)}\n\n`;
    const upstream =
      event({ type: 'response.created', sequence_number: 0, response: { id: 'resp_1', model: 'gpt-5-codex', status: 'in_progress' } }) +
      event({ type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } }) +
      event({ type: 'response.reasoning_summary_part.added', sequence_number: 2, output_index: 0, item_id: 'rs_1', summary_index: 0 }) +
      event({ type: 'response.reasoning_summary_text.delta', sequence_number: 3, output_index: 0, item_id: 'rs_1', delta: 'Plan' }) +
      event({
        type: 'response.output_item.done',
        sequence_number: 4,
        output_index: 0,
        item: { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan' }], encrypted_content: 'gAAA' },
      }) +
      event({
        type: 'response.output_item.added',
        sequence_number: 5,
        output_index: 1,
        item: { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_1', name: 'apply_patch', input: '' },
      }) +
      event({ type: 'response.custom_tool_call_input.delta', sequence_number: 6, output_index: 1, item_id: 'ctc_1', delta: '*** Begin' }) +
      event({
        type: 'response.output_item.done',
        sequence_number: 7,
        output_index: 1,
        item: { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_1', name: 'apply_patch', input: '*** Begin' },
      }) +
      event({
        type: 'response.completed',
        sequence_number: 8,
        response: { id: 'resp_1', status: 'completed', usage: { input_tokens: 5, output_tokens: 6, total_tokens: 11 } },
      });
    const decoder = openaiResponsesCodec.createStreamDecoder({} as CanonicalRequest);
    const events: StreamEvent[] = [...parseSseText(upstream).flatMap((frame) => decoder.decode(frame)), ...decoder.end()];
    expect(events).toEqual([
      { type: 'message-start', id: 'resp_1', model: 'gpt-5-codex' },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, delta: 'Plan' },
      { type: 'reasoning-end', index: 0, providerMetadata: { 'openai-responses': { encryptedContent: 'gAAA', itemId: 'rs_1' } } },
      { type: 'tool-input-start', index: 1, toolCallId: 'call_1', toolName: 'apply_patch', kind: 'custom' },
      { type: 'tool-input-end', index: 1 },
      { type: 'tool-call', index: 1, toolCallId: 'call_1', toolName: 'apply_patch', input: '{"input":"*** Begin"}', kind: 'custom' },
      { type: 'finish', reason: { unified: 'tool-calls', raw: 'completed' }, usage: { inputTokens: 5, outputTokens: 6, totalTokens: 11 } },
    ]);
    const claudeRequest = claudeCodec.decodeRequest({ model: 'gpt-5-codex', max_tokens: 100, stream: true, messages: [] }, {});
    const claudeEvents = parseSseText(transcodeSseText(openaiResponsesCodec, claudeCodec, claudeRequest, upstream)).map((frame) => frame.event);
    expect(claudeEvents).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('ends with response.failed on an upstream error, and completes a stream the backend cut without a finish', () => {
    const request = decode({ input: 'x', stream: true });
    const failed = responsesEvents(
      transcodeSseText(
        claudeCodec,
        openaiResponsesCodec,
        request,
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
      ),
    );
    expect(failed.map((event) => event.type)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
    expect((failed[2]?.response as { error: unknown }).error).toEqual({ code: 'overloaded_error', message: 'Overloaded' });
    const encoder = openaiResponsesCodec.createStreamEncoder(request);
    const text = encoder.encode({ type: 'text-delta', index: 0, delta: 'partial' }) + encoder.end();
    expect(responsesEvents(text).at(-1)?.type).toBe('response.completed');
    expect(encoder.end()).toBe('');
  });
});
