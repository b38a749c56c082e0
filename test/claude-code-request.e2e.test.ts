import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { startGeminiMock, type Envelope, type GeminiMock } from './mocks/gemini-mock.js';
import type { MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, startOpenAiMock } from './mocks/openai-mock.js';
import { geminiGatewaySettings, writeGeminiCredentials } from './mocks/gemini-test-client.js';

/** A request shaped like Claude Code's: cached system blocks, 24 tools, adaptive thinking, echoed signatures. */
function claudeCodeRequest(model: string): Record<string, unknown> {
  const tools = Array.from({ length: 24 }, (_, index) => ({
    name: index === 0 ? 'Bash' : `Tool${index}`,
    description: `Tool number ${index}`,
    input_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: {
        command: { type: 'string', description: 'what to run' },
        timeout: { type: 'number', exclusiveMinimum: 0, maximum: 600000 },
        mode: { const: 'fast' },
      },
      required: ['command'],
    },
  }));
  return {
    model,
    max_tokens: 32000,
    stream: true,
    system: [
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Work in /tmp/project.', cache_control: { type: 'ephemeral' } },
    ],
    tools,
    thinking: { type: 'adaptive' },
    output_config: { effort: 'high' },
    context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    metadata: { user_id: JSON.stringify({ device_id: 'd', session_id: 's' }) },
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>Be careful.</system-reminder>' },
          { type: 'text', text: 'List the files', cache_control: { type: 'ephemeral' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'I should run ls.', signature: 'EqQBCkgIBRABGAIiQL+signature+bytes==' },
          { type: 'text', text: 'Running ls.' },
          { type: 'tool_use', id: 'toolu_01', name: 'Bash', input: { command: 'ls' } },
          { type: 'tool_use', id: 'toolu_02', name: 'Bash', input: { command: 'pwd' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01', content: 'a.txt\nb.txt' },
          { type: 'tool_result', tool_use_id: 'toolu_02', content: [{ type: 'text', text: '/tmp/project' }] },
        ],
      },
      { role: 'system', content: 'The user switched to plan mode.' },
      { role: 'user', content: 'Now summarise.' },
    ],
  };
}

async function streamEvents(url: string, body: unknown): Promise<{ status: number; events: Array<{ event: string; data: Record<string, any> }> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'gw-key',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const events = text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, any>;
      return { event, data };
    });
  return { status: response.status, events };
}

function expectWellFormedClaudeStream(events: Array<{ event: string; data: Record<string, any> }>, text: string): void {
  expect(events[0]!.event).toBe('message_start');
  expect(events[0]!.data.message.usage).toBeDefined();
  expect(events.at(-1)!.event).toBe('message_stop');
  expect(events.filter((entry) => entry.event === 'message_stop')).toHaveLength(1);
  for (const entry of events) expect(entry.data.type).toBe(entry.event);
  const streamed = events
    .filter((entry) => entry.event === 'content_block_delta' && entry.data.delta.type === 'text_delta')
    .map((entry) => entry.data.delta.text)
    .join('');
  expect(streamed).toBe(text);
  expect(events.find((entry) => entry.event === 'message_delta')!.data.delta.stop_reason).toBe('end_turn');
}

describe('a Claude Code request on non-Claude backends', () => {
  let openaiUpstream: MockServer;
  let geminiUpstream: GeminiMock;
  let gateway: Harness;

  beforeAll(async () => {
    openaiUpstream = await startOpenAiMock();
    geminiUpstream = await startGeminiMock();
    const credentials = await writeGeminiCredentials();
    gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'openai-custom',
      OPENAI_API_KEY: OPENAI_MOCK_KEY,
      OPENAI_BASE_URL: openaiUpstream.url,
      ...geminiGatewaySettings(geminiUpstream, credentials),
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await openaiUpstream.close();
    await geminiUpstream.close();
  });

  it('works on an OpenAI-compatible backend, tools and tool results paired by id', async () => {
    const { status, events } = await streamEvents(`${gateway.url}/openai-custom/v1/messages?beta=true`, claudeCodeRequest('gpt-4o-mini'));
    expect(status).toBe(200);
    expectWellFormedClaudeStream(events, 'Hello from openai-mock!');
    const sent = openaiUpstream.requests.at(-1)!.json<{ messages: Array<Record<string, any>>; tools: unknown[]; temperature?: number }>();
    expect(sent.tools).toHaveLength(24);
    expect(sent.messages[0]).toMatchObject({ role: 'system' });
    expect(JSON.stringify(sent.messages[0])).toContain("You are Claude Code, Anthropic's official CLI for Claude.");
    const assistant = sent.messages.find((message) => message.role === 'assistant')!;
    expect(assistant.tool_calls.map((call: { id: string }) => call.id)).toEqual(['toolu_01', 'toolu_02']);
    expect(sent.messages.filter((message) => message.role === 'tool').map((message) => message.tool_call_id)).toEqual(['toolu_01', 'toolu_02']);
    expect(JSON.stringify(sent.messages)).toContain('The user switched to plan mode.');
    expect(sent).not.toHaveProperty('temperature');
    // A Claude signature means nothing to OpenAI: it is not sent there.
    expect(JSON.stringify(sent)).not.toContain('EqQBCkgI');
  });

  it('works on a Gemini backend with schemas cleaned for Gemini and tool calls paired', async () => {
    const { status, events } = await streamEvents(`${gateway.url}/gemini-cli-oauth/v1/messages?beta=true`, claudeCodeRequest('gemini-2.5-pro'));
    expect(status).toBe(200);
    expectWellFormedClaudeStream(events, 'Hello!');
    const envelope = geminiUpstream.calls('/v1internal:streamGenerateContent').at(-1)!.json<Envelope>();
    const request = envelope.request as Record<string, any>;
    expect(envelope.model).toBe('gemini-2.5-pro');
    const declarations = request.tools.flatMap((tool: { functionDeclarations?: unknown[] }) => tool.functionDeclarations ?? []);
    expect(declarations).toHaveLength(24);
    const schemaText = JSON.stringify(declarations);
    for (const rejected of ['$schema', 'additionalProperties', 'exclusiveMinimum', '"const"']) expect(schemaText).not.toContain(rejected);
    expect(JSON.stringify(request.systemInstruction)).toContain('You are Claude Code');
    const parts = request.contents.flatMap((content: { parts: Array<Record<string, any>> }) => content.parts);
    const calls = parts.filter((part: Record<string, any>) => part.functionCall).map((part: Record<string, any>) => part.functionCall);
    const results = parts.filter((part: Record<string, any>) => part.functionResponse).map((part: Record<string, any>) => part.functionResponse);
    expect(calls.map((call: { name: string }) => call.name)).toEqual(['Bash', 'Bash']);
    expect(results.map((result: { name: string }) => result.name)).toEqual(['Bash', 'Bash']);
    expect(JSON.stringify(request)).not.toContain('EqQBCkgI');
  });
});
