import { describe, expect, it } from 'vitest';
import { claudeCodec } from '../claude/index.js';
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
