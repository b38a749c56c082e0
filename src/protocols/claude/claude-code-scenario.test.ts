import { describe, expect, it } from 'vitest';
import { parseSseText, transcodeSseText } from '../canonical/transcode.js';
import { geminiCodec } from '../gemini/index.js';
import { openaiChatCodec } from '../openai-chat/index.js';
import { claudeCodec } from './index.js';

/** A Claude Code turn as recorded from the real CLI: the shape the issue says must work on every backend. */
const toolNames = [
  'Task',
  'Bash',
  'Glob',
  'Grep',
  'ExitPlanMode',
  'Read',
  'Edit',
  'MultiEdit',
  'Write',
  'NotebookEdit',
  'WebFetch',
  'TodoWrite',
  'WebSearch',
  'BashOutput',
  'KillShell',
  'SlashCommand',
  'mcp__ide__getDiagnostics',
  'mcp__ide__executeCode',
  'ListMcpResourcesTool',
  'ReadMcpResourceTool',
  'Skill',
  'AskUserQuestion',
];

const claudeCodeBody = {
  model: 'claude-sonnet-4-5-20250929',
  max_tokens: 32000,
  stream: true,
  system: [
    { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'You are an interactive CLI tool that helps users with software engineering tasks.', cache_control: { type: 'ephemeral' } },
  ],
  thinking: { type: 'adaptive' },
  output_config: { effort: 'medium' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  metadata: { user_id: JSON.stringify({ device_id: 'd', session_id: 's' }) },
  tools: toolNames.map((name, index) => ({
    name,
    description: `${name} tool`,
    input_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: {
        file_path: { type: 'string', description: 'Absolute path' },
        limit: { type: 'number', exclusiveMinimum: 0 },
        mode: { type: 'string', enum: ['a', 'b'] },
        todos: {
          type: 'array',
          items: { type: 'object', properties: { content: { type: 'string', minLength: 1 } }, required: ['content'], additionalProperties: false },
        },
      },
      required: ['file_path'],
    },
    ...(index === toolNames.length - 1 && { cache_control: { type: 'ephemeral' } }),
  })),
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>context</system-reminder>' },
        { type: 'text', text: 'Read a.txt and b.txt' },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Read both in parallel.', signature: 'ErUBCkYIBRgCIkB+real/claude/signature==' },
        { type: 'tool_use', id: 'toolu_01AAA', name: 'Read', input: { file_path: '/r/a.txt' } },
        { type: 'tool_use', id: 'toolu_01BBB', name: 'Read', input: { file_path: '/r/b.txt' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_01AAA', content: [{ type: 'text', text: 'alpha' }] },
        { type: 'tool_result', tool_use_id: 'toolu_01BBB', content: 'beta', cache_control: { type: 'ephemeral' } },
      ],
    },
    { role: 'system', content: [{ type: 'text', text: 'The user opened b.txt in the IDE.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Now summarise.', cache_control: { type: 'ephemeral' } }] },
  ],
};

function collectKeys(value: unknown, keys = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) collectKeys(item, keys);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      keys.add(key);
      collectKeys(child, keys);
    }
  }
  return keys;
}

describe('a Claude Code request', () => {
  const request = claudeCodec.decodeRequest(claudeCodeBody, {});

  it('becomes a valid OpenAI Chat request', () => {
    const body = openaiChatCodec.encodeRequest({ ...request, model: 'deepseek-reasoner' });
    const messages = body.messages as { role: string; tool_call_id?: string; tool_calls?: { id: string }[]; content: unknown }[];
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool', 'system', 'user']);
    expect(messages[0]?.content).toBe(
      "You are Claude Code, Anthropic's official CLI for Claude.\nYou are an interactive CLI tool that helps users with software engineering tasks.",
    );
    expect(messages[2]?.tool_calls?.map((call) => call.id)).toEqual(['toolu_01AAA', 'toolu_01BBB']);
    expect(messages.slice(3, 5).map((message) => message.tool_call_id)).toEqual(['toolu_01AAA', 'toolu_01BBB']);
    expect((body.tools as unknown[]).length).toBe(22);
    expect(body).toMatchObject({ max_completion_tokens: 32000, reasoning_effort: 'medium', stream: true, stream_options: { include_usage: true } });
    expect(collectKeys(body).has('cache_control')).toBe(false);
    for (const key of ['temperature', 'top_p', 'context_management', 'metadata', 'thinking']) expect(body[key]).toBeUndefined();
  });

  it('becomes a valid Gemini request: cleaned schemas, names looked up, no Claude-only data', () => {
    const body = geminiCodec.encodeRequest({ ...request, model: 'gemini-3-pro-preview' });
    const keys = collectKeys(body);
    for (const forbidden of ['$schema', 'additionalProperties', 'exclusiveMinimum', 'cache_control', 'signature', 'model']) {
      expect(keys.has(forbidden)).toBe(false);
    }
    const declarations = (body.tools as { functionDeclarations: { name: string; parameters: unknown }[] }[])[0]?.functionDeclarations ?? [];
    expect(declarations).toHaveLength(22);
    expect(declarations[0]?.parameters).toEqual({
      type: 'OBJECT',
      properties: {
        file_path: { type: 'STRING', description: 'Absolute path' },
        limit: { type: 'NUMBER' },
        mode: { type: 'STRING', enum: ['a', 'b'] },
        todos: { type: 'ARRAY', items: { type: 'OBJECT', properties: { content: { type: 'STRING', minLength: 1 } }, required: ['content'] } },
      },
      required: ['file_path'],
    });
    expect(body.systemInstruction).toEqual({
      role: 'user',
      parts: [
        { text: "You are Claude Code, Anthropic's official CLI for Claude." },
        { text: 'You are an interactive CLI tool that helps users with software engineering tasks.' },
        { text: 'The user opened b.txt in the IDE.' },
      ],
    });
    const contents = body.contents as { role: string; parts: Record<string, unknown>[] }[];
    expect(contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
    expect(contents[2]?.parts).toEqual([
      { functionResponse: { id: 'toolu_01AAA', name: 'Read', response: { output: 'alpha' } } },
      { functionResponse: { id: 'toolu_01BBB', name: 'Read', response: { output: 'beta' } } },
      { text: 'Now summarise.' },
    ]);
    expect(body.generationConfig).toEqual({ maxOutputTokens: 32000, thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: true } });
  });

  it('goes back to Claude unchanged in everything Claude cares about', () => {
    const body = claudeCodec.encodeRequest(request);
    expect(body.thinking).toEqual({ type: 'adaptive' });
    expect(body.output_config).toEqual({ effort: 'medium' });
    expect((body.messages as { content: { signature?: string }[] }[])[1]?.content[0]?.signature).toBe('ErUBCkYIBRgCIkB+real/claude/signature==');
    expect((body.tools as { cache_control?: unknown }[])[21]?.cache_control).toEqual({ type: 'ephemeral' });
  });

  it('streams an OpenAI-compatible reasoning + tool-call answer back as a Claude stream', () => {
    const chunk = (delta: unknown, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', model: 'deepseek-reasoner', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const upstream =
      chunk({ role: 'assistant', reasoning_content: 'Need to ' }) +
      chunk({ reasoning_content: 'summarise.' }) +
      chunk({ content: 'Both files are short.' }) +
      chunk({ tool_calls: [{ index: 0, id: 'call_w', type: 'function', function: { name: 'Write', arguments: '{"file_path":"/r/s.md"}' } }] }) +
      chunk({}, 'tool_calls') +
      `data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 900, completion_tokens: 40, total_tokens: 940, prompt_tokens_details: { cached_tokens: 800 }, completion_tokens_details: { reasoning_tokens: 10 } } })}\n\n` +
      'data: [DONE]\n\n';
    const frames = parseSseText(transcodeSseText(openaiChatCodec, claudeCodec, request, upstream));
    const data = frames.map((frame) => JSON.parse(frame.data ?? '') as Record<string, unknown>);
    expect(frames.map((frame) => frame.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(data[1]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } });
    expect(data[8]).toEqual({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_w', name: 'Write', input: {} } });
    expect(data[11]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 100, output_tokens: 40, cache_read_input_tokens: 800 },
    });
  });

  it('streams a Gemini thinking + signed function call answer back as a Claude stream', () => {
    const chunk = (payload: unknown) => `data: ${JSON.stringify(payload)}\r\n\r\n`;
    const upstream =
      chunk({
        candidates: [{ content: { role: 'model', parts: [{ text: 'Summarising', thought: true }] } }],
        responseId: 'g1',
        modelVersion: 'gemini-3-pro-preview',
      }) +
      chunk({ candidates: [{ content: { role: 'model', parts: [{ text: 'Done reading.' }] } }] }) +
      chunk({
        candidates: [
          {
            content: { role: 'model', parts: [{ functionCall: { name: 'Write', args: { file_path: '/r/s.md' } }, thoughtSignature: 'R2VtaW5pU2ln' }] },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 900, candidatesTokenCount: 30, thoughtsTokenCount: 10, cachedContentTokenCount: 800, totalTokenCount: 940 },
      });
    const frames = parseSseText(transcodeSseText(geminiCodec, claudeCodec, request, upstream));
    const data = frames.map((frame) => JSON.parse(frame.data ?? '') as Record<string, unknown>);
    expect(
      data.map((entry) => [
        entry.type,
        (entry.content_block as { type?: string } | undefined)?.type ??
          (entry.delta as { type?: string; stop_reason?: string } | undefined)?.type ??
          (entry.delta as { stop_reason?: string } | undefined)?.stop_reason ??
          null,
      ]),
    ).toEqual([
      ['message_start', null],
      ['content_block_start', 'thinking'],
      ['content_block_delta', 'thinking_delta'],
      ['content_block_stop', null],
      ['content_block_start', 'text'],
      ['content_block_delta', 'text_delta'],
      ['content_block_stop', null],
      ['content_block_start', 'thinking'],
      ['content_block_delta', 'signature_delta'],
      ['content_block_stop', null],
      ['content_block_start', 'tool_use'],
      ['content_block_delta', 'input_json_delta'],
      ['content_block_stop', null],
      ['message_delta', 'tool_use'],
      ['message_stop', null],
    ]);
    expect(data[13]).toMatchObject({ usage: { input_tokens: 100, output_tokens: 40, cache_read_input_tokens: 800 } });
    // Claude Code sends the blocks back next turn: the Gemini signature lands on the call again.
    const assistant = [
      { type: 'thinking', thinking: 'Summarising', signature: '' },
      { type: 'text', text: 'Done reading.' },
      { type: 'thinking', thinking: '', signature: (data[8]?.delta as { signature: string }).signature },
      { type: 'tool_use', id: (data[10]?.content_block as { id: string }).id, name: 'Write', input: { file_path: '/r/s.md' } },
    ];
    const next = claudeCodec.decodeRequest({ ...claudeCodeBody, messages: [...claudeCodeBody.messages, { role: 'assistant', content: assistant }] }, {});
    const body = geminiCodec.encodeRequest({ ...next, model: 'gemini-3-pro-preview' }) as { contents: { parts: Record<string, unknown>[] }[] };
    expect(body.contents.at(-1)?.parts).toEqual([
      { text: 'Done reading.' },
      { functionCall: { id: assistant[3]?.id, name: 'Write', args: { file_path: '/r/s.md' } }, thoughtSignature: 'R2VtaW5pU2ln' },
    ]);
  });

  it('keeps a long MCP tool name working on OpenAI and Gemini backends', () => {
    const longName = `mcp__claude_in_chrome__${'navigate_to_the_page_and_wait'.repeat(3)}`;
    const body = {
      model: 'm',
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: 'go' }],
      tools: [{ name: longName, input_schema: { type: 'object', properties: { url: { type: 'string' } } } }],
      tool_choice: { type: 'tool', name: longName },
    };
    const longRequest = claudeCodec.decodeRequest(body, {});
    const openaiBody = openaiChatCodec.encodeRequest(longRequest) as { tools: { function: { name: string } }[]; tool_choice: { function: { name: string } } };
    const sentName = openaiBody.tools[0]?.function.name ?? '';
    expect(sentName.length).toBeLessThanOrEqual(64);
    expect(openaiBody.tool_choice.function.name).toBe(sentName);
    const geminiBody = geminiCodec.encodeRequest(longRequest) as { tools: { functionDeclarations: { name: string }[] }[] };
    expect(geminiBody.tools[0]?.functionDeclarations[0]?.name).toBe(sentName);
    const upstream =
      `data: ${JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: sentName, arguments: '{"url":"x"}' } }] } }] })}\n\n` +
      `data: ${JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })}\n\n` +
      'data: [DONE]\n\n';
    const start = parseSseText(transcodeSseText(openaiChatCodec, claudeCodec, longRequest, upstream))
      .map((frame) => JSON.parse(frame.data ?? '') as { type: string; content_block?: { name?: string } })
      .find((data) => data.type === 'content_block_start');
    expect(start?.content_block?.name).toBe(longName);
  });
});
