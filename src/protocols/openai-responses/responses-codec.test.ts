import { describe, expect, it } from 'vitest';
import { claudeCodec } from '../claude/index.js';
import { parseSseText, transcodeSseText } from '../canonical/transcode.js';
import type { CanonicalRequest, StreamEvent } from '../canonical/types.js';
import { geminiCodec } from '../gemini/index.js';
import { openaiChatCodec } from '../openai-chat/index.js';
import { openaiResponsesCodec } from './index.js';

const decode = (body: Record<string, unknown>) => openaiResponsesCodec.decodeRequest({ model: 'gpt-5', ...body }, {});

describe('Responses requests (conversion.md §5 cases 40-47)', () => {
  it('case 40/41: string input and instructions; developer -> system', () => {
    expect(openaiChatCodec.encodeRequest(decode({ input: 'hi', instructions: 'be brief' }))).toEqual({
      model: 'gpt-5',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
    const request = decode({
      input: [
        { role: 'user', content: 'a' },
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'rule' }] },
      ],
    });
    expect(openaiChatCodec.encodeRequest(request).messages).toEqual([
      { role: 'user', content: 'a' },
      { role: 'system', content: 'rule' },
    ]);
  });

  it('case 42-44: parallel calls join one assistant turn; URL images kept; reasoning effort mapped', () => {
    const request = decode({
      reasoning: { effort: 'high', summary: 'auto' },
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: 'https://x/y.png' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'plan' }], encrypted_content: 'ENC' },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
        { type: 'function_call', call_id: 'c2', name: 'f', arguments: '{"a":2}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        { type: 'function_call_output', call_id: 'c2', output: 'two' },
      ],
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }, { type: 'web_search' }],
      tool_choice: { type: 'function', name: 'f' },
    });
    expect(openaiChatCodec.encodeRequest(request)).toEqual({
      model: 'gpt-5',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'https://x/y.png' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'plan',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
            { id: 'c2', type: 'function', function: { name: 'f', arguments: '{"a":2}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'one' },
        { role: 'tool', tool_call_id: 'c2', content: 'two' },
      ],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      reasoning_effort: 'high',
    });
    // and back to Responses: reasoning replayed with its encrypted content, calls as items
    expect(openaiResponsesCodec.encodeRequest(request)).toEqual({
      model: 'gpt-5',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: 'https://x/y.png' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'plan' }], encrypted_content: 'ENC' },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
        { type: 'function_call', call_id: 'c2', name: 'f', arguments: '{"a":2}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        { type: 'function_call_output', call_id: 'c2', output: 'two' },
      ],
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }, { type: 'web_search' }],
      tool_choice: { type: 'function', name: 'f' },
      reasoning: { effort: 'high', summary: 'auto' },
    });
  });

  it('case 45: built-in tools are dropped for other backends; custom tools become a one-string function', () => {
    const request = decode({
      input: 'patch it',
      tools: [
        { type: 'web_search' },
        { type: 'custom', name: 'apply_patch', description: 'Apply a patch', format: { type: 'grammar', syntax: 'lark', definition: '...' } },
      ],
    });
    expect(claudeCodec.encodeRequest({ ...request, model: 'claude-sonnet-4-5' }).tools).toEqual([
      {
        name: 'apply_patch',
        description: 'Apply a patch',
        input_schema: { type: 'object', properties: { input: { type: 'string', description: 'The raw input for the tool' } }, required: ['input'] },
      },
    ]);
    expect(geminiCodec.encodeRequest({ ...request, model: 'gemini-2.5-pro' }).tools).toEqual([
      {
        functionDeclarations: [
          { name: 'apply_patch', description: 'Apply a patch', parameters: { type: 'OBJECT', properties: { input: { type: 'STRING' } }, required: ['input'] } },
        ],
      },
    ]);
  });

  it('case 46: unknown fields are not forwarded to another protocol; Codex extras go back to Responses', () => {
    const request = decode({ input: 'x', foo: 1, store: false, include: ['reasoning.encrypted_content'], client_metadata: { a: 'b' } });
    expect(openaiChatCodec.encodeRequest(request)).toEqual({ model: 'gpt-5', messages: [{ role: 'user', content: 'x' }] });
    expect(openaiResponsesCodec.encodeRequest(request)).toEqual({
      model: 'gpt-5',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x' }] }],
      store: false,
      include: ['reasoning.encrypted_content'],
      client_metadata: { a: 'b' },
    });
  });

  it('decodes Codex additional_tools namespaces and custom tool call history', () => {
    const request = decode({
      input: [
        {
          type: 'additional_tools',
          tools: [{ type: 'namespace', name: 'mcp', tools: [{ type: 'function', name: 'search', parameters: { type: 'object' } }] }],
        },
        { type: 'custom_tool_call', call_id: 'p1', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'p1', output: 'Done' },
        { type: 'function_call', call_id: 's1', namespace: 'mcp', name: 'search', arguments: '{}' },
      ],
      tools: [{ type: 'custom', name: 'apply_patch' }],
    });
    expect(request.tools.map((tool) => tool.name)).toEqual(['apply_patch', 'mcp__search']);
    expect(request.messages).toEqual([
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'p1', toolName: 'apply_patch', kind: 'custom', input: { input: '*** Begin Patch' } }] },
      {
        role: 'tool',
        content: [{ type: 'tool-result', toolCallId: 'p1', toolName: 'apply_patch', content: [{ type: 'text', text: 'Done' }], kind: 'custom' }],
      },
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 's1', toolName: 'mcp__search', input: {} }] },
    ]);
  });
});

describe('requests to a Responses backend', () => {
  it('case 19: OpenAI named tool choice -> {type:function,name}; Claude turns -> items, every call and result kept', () => {
    const fromOpenAI = openaiChatCodec.decodeRequest(
      {
        model: 'gpt-5',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
        tool_choice: { type: 'function', function: { name: 'f' } },
        stop: 'END',
      },
      {},
    );
    expect(openaiResponsesCodec.encodeRequest(fromOpenAI)).toEqual({
      model: 'gpt-5',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x' }] }],
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
      tool_choice: { type: 'function', name: 'f' },
    });
    const fromClaude = claudeCodec.decodeRequest(
      {
        model: 'gpt-5',
        max_tokens: 100,
        system: 'sys',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'see' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'IMG' } },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Two calls' },
              { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } },
              { type: 'tool_use', id: 'toolu_2', name: 'f', input: { a: 2 } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: 'one' },
              {
                type: 'tool_result',
                tool_use_id: 'toolu_2',
                content: [
                  { type: 'text', text: 'two' },
                  { type: 'image', source: { type: 'url', url: 'https://i/p.png' } },
                ],
              },
              { type: 'text', text: 'go on' },
            ],
          },
        ],
      },
      {},
    );
    expect(openaiResponsesCodec.encodeRequest(fromClaude)).toEqual({
      model: 'gpt-5',
      instructions: 'sys',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'see' },
            { type: 'input_image', image_url: 'data:image/png;base64,IMG' },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Two calls' }] },
        { type: 'function_call', call_id: 'toolu_1', name: 'f', arguments: '{"a":1}' },
        { type: 'function_call', call_id: 'toolu_2', name: 'f', arguments: '{"a":2}' },
        { type: 'function_call_output', call_id: 'toolu_1', output: 'one' },
        {
          type: 'function_call_output',
          call_id: 'toolu_2',
          output: [
            { type: 'input_text', text: 'two' },
            { type: 'input_image', image_url: 'https://i/p.png' },
          ],
        },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go on' }] },
      ],
      max_output_tokens: 100,
    });
  });

  it('Responses function_call_output reaches Gemini with the function name looked up (not undefined)', () => {
    const request = decode({
      input: [
        { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: 'not json' },
        { type: 'function_call_output', call_id: 'c1', output: 'r' },
      ],
    });
    const body = geminiCodec.encodeRequest({ ...request, model: 'gemini-2.5-flash' }) as { contents: { parts: unknown[] }[] };
    expect(body.contents).toEqual([
      { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'lookup', args: {} }, thoughtSignature: 'skip_thought_signature_validator' }] },
      { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'lookup', response: { output: 'r' } } }] },
    ]);
  });
});

describe('Responses responses (case 54)', () => {
  it('decodes [reasoning, message, function_call] into one canonical response and one OpenAI choice', () => {
    const response = openaiResponsesCodec.decodeResponse({
      id: 'resp_1',
      object: 'response',
      created_at: 1,
      model: 'gpt-5',
      status: 'completed',
      output: [
        { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'plan' }], encrypted_content: 'ENC' },
        { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Calling', annotations: [] }] },
        { id: 'fc_1', type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}', status: 'completed' },
      ],
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 3 },
        total_tokens: 17,
      },
    });
    expect(response).toEqual({
      id: 'resp_1',
      model: 'gpt-5',
      created: 1,
      content: [
        { type: 'reasoning', text: 'plan', providerMetadata: { 'openai-responses': { encryptedContent: 'ENC', itemId: 'rs_1' } } },
        { type: 'text', text: 'Calling' },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'f', input: { a: 1 } },
      ],
      finishReason: { unified: 'tool-calls', raw: 'completed' },
      usage: { inputTokens: 10, outputTokens: 7, totalTokens: 17, cacheReadTokens: 4, reasoningTokens: 3 },
    });
    const chat = openaiChatCodec.encodeResponse(response, openaiChatCodec.decodeRequest({ model: 'gpt-5', messages: [] }, {})) as { choices: unknown[] };
    expect(chat.choices).toHaveLength(1);
  });

  it('encodes a Claude answer for a Responses client: signature in encrypted_content, status not requires_action', () => {
    const response = claudeCodec.decodeResponse({
      id: 'msg_1',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'hm', signature: 'SIG' },
        { type: 'text', text: 'Hi' },
        { type: 'tool_use', id: 'toolu_1', name: 'apply_patch', input: { input: '*** Begin Patch' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 3, output_tokens: 4 },
    });
    const request = decode({ input: 'x', tools: [{ type: 'custom', name: 'apply_patch' }] });
    const body = openaiResponsesCodec.encodeResponse(response, request) as { status: string; output: Record<string, unknown>[]; usage: unknown };
    expect(body.status).toBe('completed');
    expect(body.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'custom_tool_call']);
    expect(body.output[2]).toMatchObject({ call_id: 'toolu_1', name: 'apply_patch', input: '*** Begin Patch' });
    const encrypted = body.output[0]?.encrypted_content as string;
    // Codex sends the reasoning item back; a Claude backend gets its own signature again, byte-exact
    const next = decode({
      input: [
        { type: 'message', role: 'user', content: 'x' },
        { ...body.output[0] },
        { type: 'custom_tool_call', call_id: 'toolu_1', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'toolu_1', output: 'ok' },
      ],
      tools: [{ type: 'custom', name: 'apply_patch' }],
    });
    const claudeBody = claudeCodec.encodeRequest({ ...next, model: 'claude-x' }) as { messages: { content: unknown[] }[] };
    expect(encrypted).not.toBe('SIG');
    expect(claudeBody.messages[1]?.content).toEqual([
      { type: 'thinking', thinking: 'hm', signature: 'SIG' },
      { type: 'tool_use', id: 'toolu_1', name: 'apply_patch', input: { input: '*** Begin Patch' } },
    ]);
    expect(body.usage).toEqual({
      input_tokens: 3,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 4,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 7,
    });
  });
});

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
