import { describe, expect, it } from 'vitest';
import { claudeCodec } from '../claude/index.js';
import { openaiChatCodec } from '../openai-chat/index.js';
import { parseSseText, transcodeSseText } from './transcode.js';

const openaiToClaude = (body: unknown) => claudeCodec.encodeRequest(openaiChatCodec.decodeRequest(body, {}));
const claudeToOpenai = (body: unknown) => openaiChatCodec.encodeRequest(claudeCodec.decodeRequest(body, {}));

/** Client-visible SSE as a list of [event, data] with minted ids and timestamps normalised. */
function frames(text: string): unknown[] {
  return parseSseText(text).map((frame) => {
    const data =
      frame.data === '[DONE]'
        ? '[DONE]'
        : JSON.parse(
            (frame.data ?? '')
              .replace(/chatcmpl-[0-9a-f]{32}/g, 'chatcmpl-ID')
              .replace(/msg_[0-9a-f]{32}/g, 'msg_ID')
              .replace(/"created":\d+/g, '"created":0'),
          );
    return frame.event ? [frame.event, data] : data;
  });
}

describe('OpenAI Chat request -> Claude request (conversion.md §5)', () => {
  it('case 1: system messages anywhere become one system string; same-role turns merge', () => {
    expect(
      openaiToClaude({
        model: 'claude-sonnet-4-5',
        messages: [
          { role: 'system', content: 'A' },
          { role: 'user', content: 'hi' },
          { role: 'system', content: 'B' },
          { role: 'user', content: '2' },
        ],
      }),
    ).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 64000,
      system: 'A\nB',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            { type: 'text', text: '2' },
          ],
        },
      ],
    });
  });

  it('cases 4-8: assistant text + tool calls, null content, merged tool results, bad JSON args, array results', () => {
    const body = openaiToClaude({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: 'Let me check',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
            { id: 'call_2', type: 'function', function: { name: 'f', arguments: '{"a":1' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'ok' }] },
        { role: 'tool', tool_call_id: 'call_2', content: 'fine' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_3', type: 'function', function: { name: 'g', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_3', content: 'done' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check' },
          { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
          { type: 'tool_use', id: 'call_2', name: 'f', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'ok' }] },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: 'fine' }] },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_3', name: 'g', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_3', content: [{ type: 'text', text: 'done' }] }] },
    ]);
  });

  it('cases 9-11: data-URL image, URL image and PDF file', () => {
    const body = openaiToClaude({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'data:image/png;base64,XXX' } },
            { type: 'image_url', image_url: { url: 'https://x/y.jpg' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,PDF', filename: 'a.pdf' } },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'XXX' } },
          { type: 'image', source: { type: 'url', url: 'https://x/y.jpg' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'PDF' }, title: 'a.pdf' },
        ],
      },
    ]);
  });

  it.each([
    ['case 13: stop string', { stop: 'END' }, { stop_sequences: ['END'] }],
    ['case 14: temperature 0 stays 0', { temperature: 0 }, { temperature: 0 }],
    ['case 16: max_completion_tokens', { max_completion_tokens: 500 }, { max_tokens: 500 }],
    ['case 18: required', { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'required' }, { tool_choice: { type: 'any' } }],
    [
      'case 20: parallel_tool_calls false',
      { tools: [{ type: 'function', function: { name: 'f' } }], parallel_tool_calls: false },
      { tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
    ],
    [
      'named tool choice',
      { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function', function: { name: 'f' } } },
      { tool_choice: { type: 'tool', name: 'f' } },
    ],
    ['reasoning_effort high', { reasoning_effort: 'high', max_tokens: 40000 }, { thinking: { type: 'enabled', budget_tokens: 24576 } }],
    ['reasoning_effort none', { reasoning_effort: 'none' }, {}],
    [
      'json_schema response format',
      { response_format: { type: 'json_schema', json_schema: { name: 'n', schema: { type: 'object' } } } },
      { output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } },
    ],
  ])('%s', (_name, extra, expected) => {
    const body = openaiToClaude({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }], ...extra });
    expect(body).toMatchObject(expected);
    // case 15: nothing the client did not send
    for (const key of ['temperature', 'top_p', 'top_k'] as const) {
      if (!(key in expected)) expect(body[key]).toBeUndefined();
    }
  });

  it('case 17: n > 1 is rejected clearly for Claude', () => {
    expect(() => openaiToClaude({ model: 'm', n: 2, messages: [] })).toThrowError('n > 1 is not supported by a Claude backend');
  });
});

describe('Claude request -> OpenAI Chat request (conversion.md §5)', () => {
  it('cases 26-32: thinking, mixed assistant turns, tool results with text/images/errors, cached system', () => {
    expect(
      claudeToOpenai({
        model: 'o3',
        max_tokens: 8000,
        system: [
          { type: 'text', text: 'S1' },
          { type: 'text', text: 'S2', cache_control: { type: 'ephemeral' } },
        ],
        thinking: { type: 'enabled', budget_tokens: 4096 },
        stop_sequences: ['X'],
        top_k: 40,
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'hmm', signature: 'sig' },
              { type: 'text', text: 'Checking' },
              { type: 'tool_use', id: 'toolu_A', name: 'Read', input: { p: 1 } },
              { type: 'tool_use', id: 'toolu_B', name: 'Read', input: { p: 2 } },
            ],
          },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'toolu_A',
                content: [
                  { type: 'text', text: 'a' },
                  { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'IMG' } },
                ],
              },
              { type: 'tool_result', tool_use_id: 'toolu_B', content: 'no such file', is_error: true },
              { type: 'text', text: 'continue' },
            ],
          },
        ],
      }),
    ).toEqual({
      model: 'o3',
      messages: [
        { role: 'system', content: 'S1\nS2' },
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: 'Checking',
          reasoning_content: 'hmm',
          tool_calls: [
            { id: 'toolu_A', type: 'function', function: { name: 'Read', arguments: '{"p":1}' } },
            { id: 'toolu_B', type: 'function', function: { name: 'Read', arguments: '{"p":2}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_A', content: 'a' },
        { role: 'tool', tool_call_id: 'toolu_B', content: 'Error: no such file' },
        {
          role: 'user',
          content: [
            { type: 'text', text: '[Attachments returned by tool call toolu_A]' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,IMG' } },
          ],
        },
        { role: 'user', content: 'continue' },
      ],
      max_completion_tokens: 8000,
      stop: ['X'],
      reasoning_effort: 'medium',
    });
  });

  it('does not send reasoning_effort to OpenAI non-reasoning models unless the OpenAI client asked', () => {
    const thinking = { type: 'adaptive' };
    expect(claudeToOpenai({ model: 'gpt-4o', max_tokens: 10, messages: [], thinking }).reasoning_effort).toBeUndefined();
    expect(claudeToOpenai({ model: 'deepseek-reasoner', max_tokens: 10, messages: [], thinking }).reasoning_effort).toBe('high');
    const openai = openaiChatCodec.decodeRequest({ model: 'gpt-4o', messages: [], reasoning_effort: 'low' }, {});
    expect(openaiChatCodec.encodeRequest(openai).reasoning_effort).toBe('low');
  });

  it('case 33/tool_choice: any -> required, tool -> named function, none -> none', () => {
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    const encode = (tool_choice: unknown) => claudeToOpenai({ model: 'm', max_tokens: 1, messages: [], tools, tool_choice }).tool_choice;
    expect([encode({ type: 'any' }), encode({ type: 'tool', name: 'f' }), encode({ type: 'none' }), encode(undefined)]).toEqual([
      'required',
      { type: 'function', function: { name: 'f' } },
      'none',
      undefined,
    ]);
  });

  it('Claude documents: PDF as an OpenAI file part, plain text as text', () => {
    const body = claudeToOpenai({
      model: 'gpt-4o',
      max_tokens: 1,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'PDF' }, title: 'a.pdf' },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' }, title: 'notes' },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'file', file: { file_data: 'data:application/pdf;base64,PDF', filename: 'a.pdf' } },
          { type: 'text', text: '[notes]\nhello' },
        ],
      },
    ]);
  });

  it('mid-conversation system messages stay in place for OpenAI', () => {
    const body = claudeToOpenai({
      model: 'm',
      max_tokens: 1,
      messages: [
        { role: 'user', content: 'a' },
        { role: 'system', content: 'note' },
        { role: 'user', content: 'b' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'a' },
      { role: 'system', content: 'note' },
      { role: 'user', content: 'b' },
    ]);
  });
});

describe('responses across Claude and OpenAI (conversion.md §5)', () => {
  it('case 48: Claude [thinking, text, tool_use x2] -> OpenAI', () => {
    const response = claudeCodec.decodeResponse({
      id: 'msg_1',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 's' },
        { type: 'text', text: 'Calling' },
        { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } },
        { type: 'tool_use', id: 'toolu_2', name: 'f', input: { a: 2 } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 20, cache_read_input_tokens: 80, output_tokens: 9 },
    });
    const request = openaiChatCodec.decodeRequest({ model: 'gpt', messages: [] }, {});
    const body = openaiChatCodec.encodeResponse(response, request) as { choices: unknown[]; usage: unknown };
    expect(body.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Calling',
          reasoning_content: 'hmm',
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'f', arguments: '{"a":2}' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
    // Claude input excludes cache reads; OpenAI prompt_tokens includes them.
    expect(body.usage).toEqual({ prompt_tokens: 100, completion_tokens: 9, total_tokens: 109, prompt_tokens_details: { cached_tokens: 80 } });
  });

  it.each([
    ['stop_sequence', 'stop'],
    ['refusal', 'content_filter'],
    ['max_tokens', 'length'],
  ])('case 49: Claude %s -> OpenAI %s', (stop, expected) => {
    const response = claudeCodec.decodeResponse({ id: 'msg', content: [], stop_reason: stop, usage: {} });
    const body = openaiChatCodec.encodeResponse(response, openaiChatCodec.decodeRequest({ model: 'g', messages: [] }, {}));
    expect((body as { choices: { finish_reason: string }[] }).choices[0]?.finish_reason).toBe(expected);
  });

  it('case 53: OpenAI prompt 100 cached 80 -> Claude input 20 cache_read 80', () => {
    const response = openaiChatCodec.decodeResponse({
      id: 'c',
      choices: [{ message: { content: 'x' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 80 } },
    });
    const body = claudeCodec.encodeResponse(response, claudeCodec.decodeRequest({ model: 'c', max_tokens: 1, messages: [] }, {}));
    expect((body as { usage: unknown }).usage).toEqual({ input_tokens: 20, output_tokens: 5, cache_read_input_tokens: 80 });
  });
});

const openaiChunk = (delta: unknown, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

const openaiToolStream =
  openaiChunk({ role: 'assistant', content: '' }) +
  openaiChunk({ content: 'Checking both.' }) +
  openaiChunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'Read', arguments: '' } }] }) +
  openaiChunk({ tool_calls: [{ index: 0, function: { arguments: '{"file_path":' } }] }) +
  openaiChunk({ tool_calls: [{ index: 0, function: { arguments: '"a.txt"}' } }] }) +
  openaiChunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'Read', arguments: '{"file_path":"b.txt"}' } }] }) +
  openaiChunk({}, 'tool_calls') +
  `data: ${JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [], usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, prompt_tokens_details: { cached_tokens: 100 } } })}\n\n` +
  'data: [DONE]\n\n';

describe('streams across Claude and OpenAI (conversion.md §5)', () => {
  it('cases 56-57: Claude Code on an OpenAI backend streaming two tool calls', () => {
    const request = claudeCodec.decodeRequest({ model: 'claude-sonnet-4-5', max_tokens: 32000, stream: true, messages: [] }, {});
    expect(frames(transcodeSseText(openaiChatCodec, claudeCodec, request, openaiToolStream))).toEqual([
      [
        'message_start',
        {
          type: 'message_start',
          message: {
            id: 'msg_ID',
            type: 'message',
            role: 'assistant',
            model: 'gpt-4o',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0 },
          },
        },
      ],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking both.' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_a', name: 'Read', input: {} } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"file_path":' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"a.txt"}' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 1 }],
      ['content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_b', name: 'Read', input: {} } }],
      ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"file_path":"b.txt"}' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 2 }],
      [
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { input_tokens: 20, output_tokens: 30, cache_read_input_tokens: 100 },
        },
      ],
      ['message_stop', { type: 'message_stop' }],
    ]);
  });

  it('case 55: Claude text stream -> OpenAI chunks with role first, one id, finish, usage chunk, [DONE]', () => {
    const upstream = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"usage":{"input_tokens":5,"output_tokens":1}}}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
      'event: ping\ndata: {"type":"ping"}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}',
      'event: message_stop\ndata: {"type":"message_stop"}',
      '',
    ].join('\n\n');
    const request = openaiChatCodec.decodeRequest({ model: 'claude-x', stream: true, stream_options: { include_usage: true }, messages: [] }, {});
    const base = { id: 'chatcmpl-ID', object: 'chat.completion.chunk', created: 0, model: 'claude-x' };
    const choice = (delta: unknown, finish_reason: string | null = null) => ({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason }],
    });
    expect(frames(transcodeSseText(claudeCodec, openaiChatCodec, request, upstream))).toEqual([
      choice({ role: 'assistant', content: '' }),
      choice({ content: 'Hel' }),
      choice({ content: 'lo' }),
      choice({}, 'stop'),
      { ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } },
      '[DONE]',
    ]);
  });

  it('Claude tool-use stream -> OpenAI tool_calls numbered from 0 with stable ids', () => {
    const upstream = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":5,"output_tokens":1}}}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"S"}}',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\":1}"}}',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"f","input":{}}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\":2}"}}',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":2}',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}',
      'event: message_stop\ndata: {"type":"message_stop"}',
      '',
    ].join('\n\n');
    const request = openaiChatCodec.decodeRequest({ model: 'claude-x', stream: true, messages: [] }, {});
    const out = frames(transcodeSseText(claudeCodec, openaiChatCodec, request, upstream)) as {
      choices?: { delta: unknown; finish_reason: string | null }[];
      usage?: unknown;
    }[];
    expect(out.map((chunk) => (typeof chunk === 'string' ? chunk : [chunk.choices?.[0]?.delta, chunk.choices?.[0]?.finish_reason]))).toEqual([
      [{ role: 'assistant', content: '' }, null],
      [{ reasoning_content: 'hm' }, null],
      [{ tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '' } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }, null],
      [{ tool_calls: [{ index: 1, id: 'toolu_2', type: 'function', function: { name: 'f', arguments: '' } }] }, null],
      [{ tool_calls: [{ index: 1, function: { arguments: '{"a":2}' } }] }, null],
      [{}, 'tool_calls'],
      '[DONE]',
    ]);
    // without include_usage the usage rides on the finish chunk
    expect(out[6]?.usage).toEqual({ prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 });
  });

  it('case 64: an upstream error mid-stream ends the client stream with its protocol error and no end marker', () => {
    const upstream = `${openaiChunk({ role: 'assistant', content: 'par' })}data: {"error":{"message":"overloaded","type":"server_error"}}\n\n`;
    const request = claudeCodec.decodeRequest({ model: 'claude-x', max_tokens: 5, stream: true, messages: [] }, {});
    const out = frames(transcodeSseText(openaiChatCodec, claudeCodec, request, upstream));
    expect(out.map((entry) => (entry as [string])[0])).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'error']);
    expect(out.at(-1)).toEqual(['error', { type: 'error', error: { type: 'api_error', message: 'overloaded' } }]);
  });
});
