import { describe, expect, it } from 'vitest';
import { claudeCodec } from '../claude/index.js';
import { parseSseText, transcodeSseText } from '../canonical/transcode.js';
import { geminiCodec } from '../gemini/index.js';
import { openaiChatCodec } from '../openai-chat/index.js';
import { openaiResponsesCodec } from './index.js';

/** A Codex CLI turn: instructions, developer + user messages, encrypted reasoning, a freeform patch and a shell call. */
const codexBody = {
  model: 'gpt-5-codex',
  instructions: 'You are Codex, a coding agent.',
  stream: true,
  store: false,
  include: ['reasoning.encrypted_content'],
  parallel_tool_calls: false,
  reasoning: { effort: 'medium', summary: 'auto' },
  prompt_cache_key: 'conv-1',
  client_metadata: { originator: 'codex_exec' },
  tool_choice: 'auto',
  tools: [
    {
      type: 'function',
      name: 'shell',
      description: 'Runs a shell command',
      strict: false,
      parameters: {
        type: 'object',
        properties: { command: { type: 'array', items: { type: 'string' } }, workdir: { type: 'string' } },
        required: ['command'],
        additionalProperties: false,
      },
    },
    { type: 'custom', name: 'apply_patch', description: 'Apply a patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch' } },
    { type: 'web_search' },
  ],
  input: [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions>workspace-write</permissions>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>cwd=/w</environment_context>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'add a README' }] },
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: '**Planning**' }], encrypted_content: 'gAAAAABo-enc' },
    { type: 'function_call', id: 'fc_1', call_id: 'call_ls', name: 'shell', arguments: '{"command":["ls"],"workdir":"/w"}' },
    { type: 'function_call_output', call_id: 'call_ls', output: 'src\npackage.json' },
    {
      type: 'custom_tool_call',
      id: 'ctc_1',
      call_id: 'call_patch',
      name: 'apply_patch',
      input: '*** Begin Patch\n*** Add File: README.md\n+hi\n*** End Patch',
    },
    { type: 'custom_tool_call_output', call_id: 'call_patch', output: 'Success. Updated the following files:\nA README.md' },
  ],
};

describe('a Codex request', () => {
  const request = openaiResponsesCodec.decodeRequest(codexBody, {});

  it('becomes a Claude request with every call and result paired and the freeform tool as a string function', () => {
    const body = claudeCodec.encodeRequest({ ...request, model: 'claude-sonnet-4-5' });
    expect(body.system).toBe('You are Codex, a coding agent.\n<permissions>workspace-write</permissions>');
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: '<environment_context>cwd=/w</environment_context>' },
          { type: 'text', text: 'add a README' },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_ls', name: 'shell', input: { command: ['ls'], workdir: '/w' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_ls', content: [{ type: 'text', text: 'src\npackage.json' }] }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_patch', name: 'apply_patch', input: { input: '*** Begin Patch\n*** Add File: README.md\n+hi\n*** End Patch' } },
        ],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'call_patch', content: [{ type: 'text', text: 'Success. Updated the following files:\nA README.md' }] }],
      },
    ]);
    expect((body.tools as { name: string }[]).map((tool) => tool.name)).toEqual(['shell', 'apply_patch']);
    expect(body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    // The open tool loop has no Claude-signed thinking to send back, so thinking is off for this turn.
    expect(body.thinking).toBeUndefined();
    const fresh = openaiResponsesCodec.decodeRequest({ ...codexBody, input: codexBody.input.slice(0, 3) }, {});
    expect(claudeCodec.encodeRequest({ ...fresh, model: 'claude-sonnet-4-5' }).thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    for (const key of ['store', 'include', 'prompt_cache_key', 'client_metadata', 'reasoning']) expect(body[key]).toBeUndefined();
  });

  it('becomes a Gemini request with the call ids and names paired', () => {
    const body = geminiCodec.encodeRequest({ ...request, model: 'gemini-2.5-pro' }) as {
      contents: { role: string; parts: Record<string, unknown>[] }[];
      tools: unknown[];
    };
    expect(body.contents.map((content) => content.role)).toEqual(['user', 'model', 'user', 'model', 'user']);
    expect([body.contents[2]?.parts[0], body.contents[4]?.parts[0]]).toEqual([
      { functionResponse: { id: 'call_ls', name: 'shell', response: { output: 'src\npackage.json' } } },
      { functionResponse: { id: 'call_patch', name: 'apply_patch', response: { output: 'Success. Updated the following files:\nA README.md' } } },
    ]);
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'shell',
            description: 'Runs a shell command',
            parameters: {
              type: 'OBJECT',
              properties: { command: { type: 'ARRAY', items: { type: 'STRING' } }, workdir: { type: 'STRING' } },
              required: ['command'],
            },
          },
          { name: 'apply_patch', description: 'Apply a patch', parameters: { type: 'OBJECT', properties: { input: { type: 'STRING' } }, required: ['input'] } },
        ],
      },
    ]);
  });

  it('gets a Gemini answer streamed back as Responses events Codex accepts', () => {
    const chunk = (payload: unknown) => `data: ${JSON.stringify(payload)}\r\n\r\n`;
    const upstream =
      chunk({
        candidates: [{ content: { role: 'model', parts: [{ text: 'Checking the patch', thought: true }] } }],
        responseId: 'g',
        modelVersion: 'gemini-2.5-pro',
      }) +
      chunk({
        candidates: [
          {
            content: {
              role: 'model',
              parts: [{ functionCall: { name: 'apply_patch', args: { input: '*** Begin Patch\n*** End Patch' } }, thoughtSignature: 'c2ln' }],
            },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 500, candidatesTokenCount: 20, thoughtsTokenCount: 30, totalTokenCount: 550 },
      });
    const events = parseSseText(transcodeSseText(geminiCodec, openaiResponsesCodec, request, upstream)).map(
      (frame) => JSON.parse(frame.data ?? '') as Record<string, unknown> & { type: string },
    );
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
      'response.output_item.added',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const completed = events.at(-1)?.response as { output: Record<string, unknown>[]; usage: unknown };
    expect(completed.output.map((item) => [item.type, item.encrypted_content !== undefined])).toEqual([
      ['reasoning', false],
      ['reasoning', true],
      ['custom_tool_call', false],
    ]);
    expect(completed.output[2]).toMatchObject({ name: 'apply_patch', input: '*** Begin Patch\n*** End Patch', status: 'completed' });
    expect(completed.usage).toEqual({
      input_tokens: 500,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 50,
      output_tokens_details: { reasoning_tokens: 30 },
      total_tokens: 550,
    });
    // Codex replays the items next turn: the Gemini signature returns to the call, byte-exact
    const next = openaiResponsesCodec.decodeRequest(
      {
        ...codexBody,
        input: [...codexBody.input, ...completed.output, { type: 'custom_tool_call_output', call_id: completed.output[2]?.call_id, output: 'ok' }],
      },
      {},
    );
    const geminiBody = geminiCodec.encodeRequest({ ...next, model: 'gemini-2.5-pro' }) as { contents: { parts: Record<string, unknown>[] }[] };
    const lastModel = geminiBody.contents.at(-2)?.parts ?? [];
    expect(lastModel.at(-1)).toMatchObject({ functionCall: { name: 'apply_patch' }, thoughtSignature: 'c2ln' });
  });

  it('becomes an OpenAI Chat request without Responses-only fields', () => {
    const body = openaiChatCodec.encodeRequest({ ...request, model: 'gpt-5' });
    expect(Object.keys(body).sort()).toEqual([
      'messages',
      'model',
      'parallel_tool_calls',
      'reasoning_effort',
      'stream',
      'stream_options',
      'tool_choice',
      'tools',
    ]);
  });
});
