import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import { collectStream } from '../canonical/stream-collect.js';
import { parseSseText } from '../canonical/transcode.js';
import type { CanonicalRequest, StreamEvent } from '../canonical/types.js';
import { claudeCodec } from './index.js';
import { defaultClaudeMaxTokens, mapClaudeStopReason, toClaudeStopReason } from './claude-mappings.js';

const claudeCodeRequest = {
  model: 'claude-sonnet-4-5',
  max_tokens: 32000,
  stream: true,
  system: [
    { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
    { type: 'text', text: 'Be concise.', cache_control: { type: 'ephemeral' } },
  ],
  thinking: { type: 'adaptive' },
  output_config: { effort: 'high' },
  metadata: { user_id: '{"device_id":"abc"}' },
  context_management: { edits: [] },
  tools: [
    {
      name: 'Read',
      description: 'Reads a file',
      input_schema: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { file_path: { type: 'string' } },
        required: ['file_path'],
        additionalProperties: false,
      },
      cache_control: { type: 'ephemeral' },
    },
    { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
  ],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Read a.txt and b.txt' }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I will read both.', signature: 'EqQBCkYIBxgCKkB...sig' },
        { type: 'text', text: 'Reading both files.' },
        { type: 'tool_use', id: 'toolu_01A', name: 'Read', input: { file_path: 'a.txt' } },
        { type: 'tool_use', id: 'toolu_01B', name: 'Read', input: { file_path: 'b.txt' } },
      ],
    },
    { role: 'system', content: 'Reminder: stay in the repo.' },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'alpha' },
        {
          type: 'tool_result',
          tool_use_id: 'toolu_01B',
          content: [{ type: 'text', text: 'beta' }],
          is_error: true,
        },
        { type: 'text', text: 'continue', cache_control: { type: 'ephemeral' } },
      ],
    },
  ],
};

describe('claude codec: requests', () => {
  it('decodes a Claude Code request into the canonical form', () => {
    const request = claudeCodec.decodeRequest(claudeCodeRequest, {});
    expect(request.system).toEqual([
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
      { type: 'text', text: 'Be concise.', providerMetadata: { claude: { cacheControl: { type: 'ephemeral' } } } },
    ]);
    expect(request.reasoning).toEqual({ mode: 'adaptive', effort: 'high', includeThoughts: true });
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'system', 'tool', 'user']);
    expect(request.messages[3]?.content).toEqual([
      { type: 'tool-result', toolCallId: 'toolu_01A', toolName: 'Read', content: [{ type: 'text', text: 'alpha' }] },
      {
        type: 'tool-result',
        toolCallId: 'toolu_01B',
        toolName: 'Read',
        content: [{ type: 'text', text: 'beta' }],
        isError: true,
      },
    ]);
    expect(request.messages[1]?.content[0]).toEqual({
      type: 'reasoning',
      text: 'I will read both.',
      providerMetadata: { claude: { signature: 'EqQBCkYIBxgCKkB...sig' } },
    });
    expect(request.tools.map((tool) => tool.kind)).toEqual(['function', 'builtin']);
    expect(request.user).toBe('{"device_id":"abc"}');
    expect(request.stream).toBe(true);
  });

  it('re-encodes the decoded request for Claude: blocks, cache_control, signatures and extras kept', () => {
    const body = claudeCodec.encodeRequest(claudeCodec.decodeRequest(claudeCodeRequest, {}));
    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 32000,
      system: [
        { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
        { type: 'text', text: 'Be concise.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Reminder: stay in the repo.' },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Read a.txt and b.txt' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'I will read both.', signature: 'EqQBCkYIBxgCKkB...sig' },
            { type: 'text', text: 'Reading both files.' },
            { type: 'tool_use', id: 'toolu_01A', name: 'Read', input: { file_path: 'a.txt' } },
            { type: 'tool_use', id: 'toolu_01B', name: 'Read', input: { file_path: 'b.txt' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01A', content: [{ type: 'text', text: 'alpha' }] },
            { type: 'tool_result', tool_use_id: 'toolu_01B', content: [{ type: 'text', text: 'beta' }], is_error: true },
            { type: 'text', text: 'continue', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
      tools: [
        {
          name: 'Read',
          description: 'Reads a file',
          input_schema: claudeCodeRequest.tools[0]?.input_schema,
          cache_control: { type: 'ephemeral' },
        },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
      ],
      thinking: { type: 'adaptive' },
      output_config: { effort: 'high' },
      metadata: { user_id: '{"device_id":"abc"}' },
      context_management: { edits: [] },
      stream: true,
    });
  });

  it.each([
    ['enabled with budget', { type: 'enabled', budget_tokens: 4096 }, { mode: 'enabled', budgetTokens: 4096, includeThoughts: true }],
    ['adaptive', { type: 'adaptive' }, { mode: 'adaptive', includeThoughts: true }],
    ['disabled', { type: 'disabled' }, { mode: 'disabled' }],
  ])('decodes thinking %s', (_name, thinking, expected) => {
    const request = claudeCodec.decodeRequest({ model: 'm', max_tokens: 10, messages: [], thinking }, {});
    expect(request.reasoning).toEqual(expected);
  });

  it('keeps temperature 0 and never injects sampling params', () => {
    const zero = claudeCodec.decodeRequest({ model: 'm', max_tokens: 5, temperature: 0, messages: [] }, {});
    expect(zero.temperature).toBe(0);
    expect(claudeCodec.encodeRequest(zero)).toEqual({ model: 'm', max_tokens: 5, messages: [], temperature: 0 });
    const none = claudeCodec.decodeRequest({ model: 'm', max_tokens: 5, messages: [] }, {});
    expect(Object.keys(claudeCodec.encodeRequest(none))).toEqual(['model', 'max_tokens', 'messages']);
  });

  it.each([
    [{ model: 'm', max_tokens: 1 }, 'messages: field required (an array)'],
    [{ messages: [] }, 'model: field required'],
    ['not an object', 'request body must be a JSON object'],
    [{ model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role: must be "user" or "assistant", got "robot"'],
    [{ model: 'm', messages: [], temperature: 'hot' }, 'temperature must be a number'],
  ])('rejects bad input %j', (body, message) => {
    expect(() => claudeCodec.decodeRequest(body, {})).toThrowError(message);
    try {
      claudeCodec.decodeRequest(body, {});
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).kind).toBe('invalid_request');
    }
  });

  it('ignores unknown fields and blocks', () => {
    const request = claudeCodec.decodeRequest({ model: 'm', max_tokens: 9, foo: 1, messages: [{ role: 'user', content: [{ type: 'mystery' }, 'hi'] }] }, {});
    expect(request.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
  });

  it.each([
    ['claude-3-haiku-20240307', 4096],
    ['claude-3-5-sonnet-20241022', 8192],
    ['claude-opus-4-20250514', 32000],
    ['claude-opus-4-1-20250805', 32000],
    ['claude-sonnet-4-5', 64000],
    ['some-other-model', 32000],
  ])('defaults max_tokens for %s to %i', (model, expected) => expect(defaultClaudeMaxTokens(model)).toBe(expected));

  it('drops unsigned and foreign thinking when encoding for Claude (never invents a signature)', () => {
    const request: CanonicalRequest = {
      protocol: 'openai-chat',
      model: 'claude-sonnet-4-5',
      stream: false,
      system: [],
      tools: [],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'unsigned' },
            { type: 'reasoning', text: 'gemini', providerMetadata: { gemini: { thoughtSignature: 'g' } } },
            { type: 'text', text: 'answer  ' },
          ],
        },
      ],
    };
    expect(claudeCodec.encodeRequest(request).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'answer' }] },
    ]);
  });

  it('fits the thinking budget under max_tokens', () => {
    const base: CanonicalRequest = { protocol: 'openai-chat', model: 'claude-sonnet-4-5', stream: false, system: [], tools: [], messages: [] };
    expect(claudeCodec.encodeRequest({ ...base, maxOutputTokens: 4000, reasoning: { mode: 'enabled', effort: 'high' } })).toMatchObject({
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2976 },
    });
    expect(claudeCodec.encodeRequest({ ...base, reasoning: { mode: 'enabled', effort: 'low' } })).toMatchObject({
      max_tokens: 64000,
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
    expect(claudeCodec.encodeRequest({ ...base, reasoning: { mode: 'disabled', effort: 'none' } }).thinking).toBeUndefined();
    expect(claudeCodec.encodeRequest({ ...base, maxOutputTokens: 1500, reasoning: { mode: 'enabled', effort: 'low' } }).thinking).toBeUndefined();
  });

  it.each([
    ['temperature 0.2', { temperature: 0.2 }, undefined],
    ['temperature 1', { temperature: 1 }, { type: 'enabled', budget_tokens: 8192 }],
    ['forced tool', { toolChoice: { type: 'required' } }, undefined],
  ] as const)('decides thinking a client of another protocol asked for together with %s', (_name, extra, expected) => {
    const base: CanonicalRequest = {
      protocol: 'openai-chat',
      model: 'claude-sonnet-4-5',
      stream: false,
      system: [],
      messages: [],
      tools: [{ kind: 'function', name: 'f', inputSchema: { type: 'object' } }],
      reasoning: { mode: 'enabled', effort: 'medium' },
    };
    const body = claudeCodec.encodeRequest({ ...base, ...extra });
    expect(body.thinking).toEqual(expected);
  });

  it('keeps thinking a Gemini client asked for and leaves its top_k (and a low top_p) out, as Claude requires', () => {
    const body = claudeCodec.encodeRequest({
      protocol: 'gemini',
      model: 'claude-sonnet-4-5',
      stream: false,
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      tools: [],
      topK: 64,
      topP: 0.9,
      reasoning: { mode: 'enabled', effort: 'high', includeThoughts: true },
    });
    expect(body.thinking).toMatchObject({ type: 'enabled' });
    expect(body).not.toHaveProperty('top_k');
    expect(body).not.toHaveProperty('top_p');
  });

  it('drops thinking when an unfinished tool loop lost its signed thinking block (clients of other protocols)', () => {
    const loop = (assistantFirst: object[]) =>
      claudeCodec.encodeRequest({
        protocol: 'openai-chat',
        model: 'claude-sonnet-4-5',
        stream: false,
        system: [],
        tools: [{ kind: 'function', name: 'f', inputSchema: { type: 'object' } }],
        reasoning: { mode: 'enabled', effort: 'low' },
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'go' }] },
          { role: 'assistant', content: [...(assistantFirst as never[]), { type: 'tool-call', toolCallId: 'c', toolName: 'f', input: {} }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c', content: [{ type: 'text', text: 'r' }] }] },
        ],
      }).thinking;
    expect(loop([])).toBeUndefined();
    expect(loop([{ type: 'reasoning', text: 'unsigned' }])).toBeUndefined();
    expect(loop([{ type: 'reasoning', text: 'signed', providerMetadata: { claude: { signature: 'S' } } }])).toEqual({ type: 'enabled', budget_tokens: 2048 });
  });

  it('sends only the temperature when a client of another protocol sent both temperature and top_p', () => {
    const base: CanonicalRequest = { protocol: 'openai-chat', model: 'claude-sonnet-4-5', stream: false, system: [], messages: [], tools: [] };
    expect(claudeCodec.encodeRequest({ ...base, temperature: 0.5, topP: 0.9 })).toMatchObject({ temperature: 0.5 });
    expect(claudeCodec.encodeRequest({ ...base, temperature: 0.5, topP: 0.9 }).top_p).toBeUndefined();
    expect(claudeCodec.encodeRequest({ ...base, topP: 0.9 }).top_p).toBe(0.9);
  });
});

describe('claude codec: responses', () => {
  it.each([
    ['end_turn', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool-calls'],
    ['refusal', 'content-filter'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
  ])('maps Claude stop reason %s to %s', (raw, unified) => expect(mapClaudeStopReason(raw)).toBe(unified));

  it.each([
    [{ unified: 'stop' }, false, undefined, 'end_turn'],
    [{ unified: 'stop' }, false, 'END', 'stop_sequence'],
    [{ unified: 'stop' }, true, undefined, 'tool_use'],
    [{ unified: 'length', raw: 'MAX_TOKENS' }, false, undefined, 'max_tokens'],
    [{ unified: 'content-filter', raw: 'SAFETY' }, false, undefined, 'refusal'],
    [{ unified: 'other', raw: 'OTHER' }, false, undefined, 'end_turn'],
    [{ unified: 'stop', raw: 'pause_turn' }, false, undefined, 'pause_turn'],
  ] as const)('encodes finish %j (tools %s, stop %s) as %s', (finish, tools, stop, expected) => expect(toClaudeStopReason(finish, tools, stop)).toBe(expected));

  it('decodes usage with cache reads and writes into inclusive input tokens and back', () => {
    const response = claudeCodec.decodeResponse({
      id: 'msg_1',
      model: 'claude-x',
      content: [{ type: 'text', text: 'Hello!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 20, cache_read_input_tokens: 80, cache_creation_input_tokens: 5, output_tokens: 7 },
    });
    expect(response.usage).toEqual({ inputTokens: 105, outputTokens: 7, cacheReadTokens: 80, cacheWriteTokens: 5 });
    const request = claudeCodec.decodeRequest({ model: 'claude-x', max_tokens: 10, messages: [] }, {});
    expect(claudeCodec.encodeResponse(response, request)).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [{ type: 'text', text: 'Hello!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 7, cache_creation_input_tokens: 5, cache_read_input_tokens: 80 },
    });
  });
});

const claudeToolStream = [
  'event: message_start',
  'data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_read_input_tokens":100,"output_tokens":1}}}',
  '',
  'event: ping',
  'data: {"type":"ping"}',
  '',
  'event: content_block_start',
  'data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me look."}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"SIG=="}}',
  '',
  'event: content_block_stop',
  'data: {"type":"content_block_stop","index":0}',
  '',
  'event: content_block_start',
  'data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Checking."}}',
  '',
  'event: content_block_stop',
  'data: {"type":"content_block_stop","index":1}',
  '',
  'event: content_block_start',
  'data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": "}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\\"Paris\\"}"}}',
  '',
  'event: content_block_stop',
  'data: {"type":"content_block_stop","index":2}',
  '',
  'event: message_delta',
  'data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":42}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
].join('\n');

function decodeAll(text: string): StreamEvent[] {
  const decoder = claudeCodec.createStreamDecoder({} as CanonicalRequest);
  return [...parseSseText(text).flatMap((frame) => decoder.decode(frame)), ...decoder.end()];
}

describe('claude codec: streams', () => {
  it('decodes a thinking + text + tool_use stream into canonical events', () => {
    expect(decodeAll(claudeToolStream)).toEqual([
      {
        type: 'message-start',
        id: 'msg_01',
        model: 'claude-sonnet-4-5',
        usage: { inputTokens: 112, outputTokens: 1, cacheReadTokens: 100 },
      },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, delta: 'Let me look.' },
      { type: 'reasoning-end', index: 0, providerMetadata: { claude: { signature: 'SIG==' } } },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, delta: 'Checking.' },
      { type: 'text-end', index: 1 },
      { type: 'tool-input-start', index: 2, toolCallId: 'toolu_1', toolName: 'get_weather' },
      { type: 'tool-input-delta', index: 2, delta: '{"city": ' },
      { type: 'tool-input-delta', index: 2, delta: '"Paris"}' },
      { type: 'tool-input-end', index: 2 },
      { type: 'tool-call', index: 2, toolCallId: 'toolu_1', toolName: 'get_weather', input: '{"city": "Paris"}' },
      {
        type: 'finish',
        reason: { unified: 'tool-calls', raw: 'tool_use' },
        usage: { inputTokens: 112, outputTokens: 42, cacheReadTokens: 100 },
      },
    ]);
  });

  it('re-encodes a Claude stream for a Claude client byte-for-byte in meaning', () => {
    const request = claudeCodec.decodeRequest({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [] }, {});
    const encoder = claudeCodec.createStreamEncoder(request);
    const text =
      decodeAll(claudeToolStream)
        .map((event) => encoder.encode(event))
        .join('') + encoder.end();
    const original = parseSseText(claudeToolStream)
      .filter((frame) => frame.event !== 'ping')
      .map((frame) => JSON.parse(frame.data ?? '{}') as Record<string, unknown>)
      // the empty input_json_delta carries nothing and is not repeated
      .filter((data) => !(data.type === 'content_block_delta' && JSON.stringify(data).includes('"partial_json":""')));
    const reencoded = parseSseText(text).map((frame) => JSON.parse(frame.data ?? '{}') as Record<string, unknown>);
    expect(reencoded).toEqual(
      original.map((data) =>
        data.type === 'message_delta'
          ? { ...data, usage: { input_tokens: 12, output_tokens: 42, cache_read_input_tokens: 100 } }
          : data.type === 'message_start'
            ? { ...data, message: { ...(data.message as object), usage: { input_tokens: 12, output_tokens: 1, cache_read_input_tokens: 100 } } }
            : data,
      ),
    );
    expect(parseSseText(text).every((frame) => frame.event === JSON.parse(frame.data ?? '{}').type)).toBe(true);
  });

  it('collects a stream into the same response as the non-stream decode', () => {
    const response = collectStream(decodeAll(claudeToolStream));
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'Let me look.', providerMetadata: { claude: { signature: 'SIG==' } } },
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', toolCallId: 'toolu_1', toolName: 'get_weather', input: { city: 'Paris' } },
    ]);
  });

  it('turns an upstream error event into a canonical error, and a truncated stream into an error', () => {
    const events = decodeAll('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error' });
    const error = (events[0] as Extract<StreamEvent, { type: 'error' }>).error;
    expect([error.kind, error.status, error.detail.upstreamType, error.message]).toEqual(['overloaded', 529, 'overloaded_error', 'Overloaded']);
    const truncated = decodeAll(claudeToolStream.split('event: message_delta')[0] ?? '');
    expect(truncated.at(-1)).toMatchObject({ type: 'error' });
  });

  it('writes an in-stream error as event: error and nothing after it', () => {
    const request = claudeCodec.decodeRequest({ model: 'm', max_tokens: 1, messages: [] }, {});
    const encoder = claudeCodec.createStreamEncoder(request);
    const error = new GatewayError('upstream_error', 'rate_limit', 'Slow down');
    expect(encoder.error(error)).toBe('event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}}\n\n');
    expect(encoder.end()).toBe('');
  });
});
