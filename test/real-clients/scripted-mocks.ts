import type { ServerResponse } from 'node:http';
import { expect } from 'vitest';
import { ANTHROPIC_MOCK_KEY, ANTHROPIC_TOP_LEVEL_KEYS, claudeEvent, claudeMessage, claudeTextStream } from '../mocks/anthropic-mock.js';
import { sendJson, sendSse, startMockServer, type MockHandler, type MockServer, type RecordedRequest } from '../mocks/mock-server.js';
import { OPENAI_MOCK_KEY, openaiChunk, openaiCompletion, openaiTextStream } from '../mocks/openai-mock.js';
import { startGateway, type Harness } from '../helpers/gateway-harness.js';

/**
 * Mock upstreams for driving real CLIs: they answer like test/mocks/openai-mock.ts and
 * test/mocks/anthropic-mock.ts (same keys, same "Hello from NAME!" text), plus scripts the CLIs
 * need:
 * - a request asking for JSON output (OpenAI `response_format`, Anthropic `output_config.format`)
 *   gets `structuredAnswer` (Gemini CLI's model router parses it, and retries until its timeout if
 *   it is not JSON);
 * - with `toolCall` set, a request whose history holds no tool result yet gets that tool call (or,
 *   for a list, those parallel tool calls, ids `..._1`, `..._2`, ...); the request that carries the
 *   tool results gets the text answer;
 * - with `thinkingSignature` set (Anthropic), a request with thinking on gets a signed thinking block first;
 * - with `override` set, every request gets that handler's answer (an upstream error, say).
 */
export interface ScriptedMock extends MockServer {
  /** Requests that asked for JSON output. */
  readonly structuredRequests: RecordedRequest[];
  /** Requests answered with `toolCall`. */
  readonly toolCallRequests: RecordedRequest[];
  /** The JSON text for structured-output requests (default: structuredAnswer()). */
  structuredAnswer: string;
  /** When set, the first turn is answered with this tool call (a list: parallel tool calls). */
  toolCall: ToolCall | ToolCall[] | undefined;
  /** Anthropic only: when set, streamed answers to requests with thinking on start with a thinking block with this signature. */
  thinkingSignature: string | undefined;
  /** When set, answers every request instead of the script (e.g. an upstream error). */
  override: MockHandler | undefined;
}

export const MOCK_THINKING = 'The user wants something simple.';

/**
 * One JSON object that satisfies the structured-output schemas Gemini CLI asks for with
 * `responseJsonSchema`: the classifier router (`reasoning` + `model_choice`), the numerical router
 * (`complexity_*`) and the next-speaker check (`next_speaker`). Its parsers ignore extra keys.
 * `simple` picks the flash model, otherwise pro.
 */
export function structuredAnswer(simple = true): string {
  return JSON.stringify({
    reasoning: simple ? 'A greeting: simple.' : 'Architecture: complex.',
    model_choice: simple ? 'flash' : 'pro',
    complexity_reasoning: simple ? 'A greeting: simple.' : 'Architecture: complex.',
    complexity_score: simple ? 5 : 95,
    next_speaker: 'user',
  });
}

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
}

/** The id of the first scripted tool call; the n-th (from 1) ends in `_n`. */
const TOOL_CALL_ID = { openai: 'call_mock_1', anthropic: 'toolu_mock_1' } as const;
const toolCallId = (kind: 'openai' | 'anthropic', index: number) => TOOL_CALL_ID[kind].replace(/_1$/, `_${index + 1}`);
const asList = (calls: ToolCall | ToolCall[] | undefined): ToolCall[] => (calls === undefined ? [] : Array.isArray(calls) ? calls : [calls]);

function isJsonFormat(format: unknown): boolean {
  const type = (format as { type?: unknown } | undefined)?.type;
  return type === 'json_schema' || type === 'json_object';
}

type Answer = (request: RecordedRequest, response: ServerResponse, mock: ScriptedMock) => Promise<void>;

async function startScripted(answer: Answer): Promise<ScriptedMock> {
  let mock: ScriptedMock | undefined;
  const server = await startMockServer((request, response) => (mock?.override ? mock.override(request, response) : answer(request, response, mock!)));
  // The handler reads these fields per request, so a test can change them between runs.
  mock = Object.assign(server, {
    structuredRequests: [] as RecordedRequest[],
    toolCallRequests: [] as RecordedRequest[],
    structuredAnswer: structuredAnswer(),
    toolCall: undefined as ScriptedMock['toolCall'],
    thinkingSignature: undefined as string | undefined,
    override: undefined as MockHandler | undefined,
  });
  return mock;
}

export function startScriptedOpenAiMock(name = 'openai-mock'): Promise<ScriptedMock> {
  return startScripted(async (request, response, mock) => {
    if (request.headers.authorization !== `Bearer ${OPENAI_MOCK_KEY}`) {
      sendJson(response, 401, { error: { message: 'Incorrect API key', type: 'invalid_request_error', code: 'invalid_api_key' } });
      return;
    }
    if (request.method !== 'POST' || request.path !== '/v1/chat/completions') {
      sendJson(response, 404, { error: { message: `no route ${request.path}`, type: 'invalid_request_error' } });
      return;
    }
    const body = request.json<{ model: string; stream?: boolean; response_format?: unknown; messages: Array<{ role: string }> }>();
    const structured = isJsonFormat(body.response_format);
    if (structured) mock.structuredRequests.push(request);
    const toolCalls = !structured && !body.messages.some((message) => message.role === 'tool') ? asList(mock.toolCall) : [];
    if (toolCalls.length > 0) {
      mock.toolCallRequests.push(request);
      const calls = toolCalls.map((toolCall, index) => ({
        id: toolCallId('openai', index),
        type: 'function',
        function: { name: toolCall.name, arguments: JSON.stringify(toolCall.input) },
      }));
      if (!body.stream) {
        const completion = openaiCompletion(body.model, '') as { choices: Array<Record<string, unknown>> };
        completion.choices = [{ index: 0, message: { role: 'assistant', content: null, tool_calls: calls }, finish_reason: 'tool_calls' }];
        sendJson(response, 200, completion);
        return;
      }
      const frames = calls.flatMap((call, index) => {
        const args = call.function.arguments;
        const half = Math.ceil(args.length / 2);
        return [
          openaiChunk(body.model, {
            ...(index === 0 ? { role: 'assistant', content: null } : {}),
            tool_calls: [{ index, ...call, function: { name: call.function.name, arguments: '' } }],
          }),
          openaiChunk(body.model, { tool_calls: [{ index, function: { arguments: args.slice(0, half) } }] }),
          openaiChunk(body.model, { tool_calls: [{ index, function: { arguments: args.slice(half) } }] }),
        ];
      });
      await sendSse(response, [...frames, openaiChunk(body.model, {}, 'tool_calls'), 'data: [DONE]\n\n']);
      return;
    }
    const text = structured ? mock.structuredAnswer : `Hello from ${name}!`;
    if (body.stream) await sendSse(response, openaiTextStream(body.model, structured ? [text] : [`Hello from ${name}`, '!']));
    else sendJson(response, 200, openaiCompletion(body.model, text));
  });
}

export function startScriptedAnthropicMock(name = 'anthropic-mock'): Promise<ScriptedMock> {
  return startScripted(async (request, response, mock) => {
    const invalid = (status: number, type: string, message: string) => sendJson(response, status, { type: 'error', error: { type, message } });
    if (request.headers['x-api-key'] !== ANTHROPIC_MOCK_KEY) return invalid(401, 'authentication_error', 'invalid x-api-key');
    if (!request.headers['anthropic-version']) return invalid(400, 'invalid_request_error', 'anthropic-version: header is required');
    if (request.method !== 'POST' || request.path !== '/v1/messages') return invalid(404, 'not_found_error', `no route ${request.path}`);
    const body = request.json<{
      model: string;
      stream?: boolean;
      max_tokens?: unknown;
      output_config?: { format?: unknown };
      thinking?: { type?: string };
      messages: Array<{ content: unknown }>;
    }>();
    for (const field of Object.keys(body))
      if (!ANTHROPIC_TOP_LEVEL_KEYS.has(field)) return invalid(400, 'invalid_request_error', `${field}: Extra inputs are not permitted`);
    if (typeof body.max_tokens !== 'number') return invalid(400, 'invalid_request_error', 'max_tokens: Field required');
    const structured = isJsonFormat(body.output_config?.format);
    if (structured) mock.structuredRequests.push(request);
    // Like Claude: thinking only when the request turns it on.
    const signature = body.thinking?.type === 'enabled' || body.thinking?.type === 'adaptive' ? mock.thinkingSignature : undefined;
    const hasToolResult = body.messages.some(
      (message) => Array.isArray(message.content) && message.content.some((block: { type?: string }) => block.type === 'tool_result'),
    );
    const toolCalls = !structured && !hasToolResult ? asList(mock.toolCall) : [];
    if (toolCalls.length > 0) {
      mock.toolCallRequests.push(request);
      const blocks = toolCalls.map((toolCall, index) => ({ type: 'tool_use', id: toolCallId('anthropic', index), name: toolCall.name, input: toolCall.input }));
      if (body.stream !== true) {
        sendJson(response, 200, { ...claudeMessage(body.model), content: blocks, stop_reason: 'tool_use' });
        return;
      }
      const first = signature ? 1 : 0;
      const frames = blocks.flatMap((block, index) => {
        const args = JSON.stringify(block.input);
        const half = Math.ceil(args.length / 2);
        const at = first + index;
        return [
          claudeEvent('content_block_start', { index: at, content_block: { ...block, input: {} } }),
          claudeEvent('content_block_delta', { index: at, delta: { type: 'input_json_delta', partial_json: args.slice(0, half) } }),
          claudeEvent('content_block_delta', { index: at, delta: { type: 'input_json_delta', partial_json: args.slice(half) } }),
          claudeEvent('content_block_stop', { index: at }),
        ];
      });
      await sendSse(response, [
        claudeEvent('message_start', {
          message: {
            id: 'msg_2',
            type: 'message',
            role: 'assistant',
            model: body.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 5, output_tokens: 1 },
          },
        }),
        ...thinkingEvents(signature),
        ...frames,
        claudeEvent('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 9 } }),
        claudeEvent('message_stop', {}),
      ]);
      return;
    }
    const text = structured ? mock.structuredAnswer : `Hello from ${name}!`;
    if (body.stream === true && !structured && signature) {
      // The text block moves to index 1, after the thinking block.
      const [start, ...rest] = claudeTextStream(body.model, [`Hello from ${name}`, '!']);
      const shifted = rest.map((frame) => frame.replace('"index":0', '"index":1'));
      await sendSse(response, [start!, ...thinkingEvents(signature), ...shifted]);
    } else if (body.stream === true) await sendSse(response, claudeTextStream(body.model, structured ? [text] : [`Hello from ${name}`, '!']));
    else sendJson(response, 200, claudeMessage(body.model, text));
  });
}

/** A thinking block at index 0, as Claude streams it (text in two deltas, then the signature). */
function thinkingEvents(signature: string | undefined): string[] {
  if (!signature) return [];
  return [
    claudeEvent('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
    claudeEvent('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: MOCK_THINKING.slice(0, 10) } }),
    claudeEvent('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: MOCK_THINKING.slice(10) } }),
    claudeEvent('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature } }),
    claudeEvent('content_block_stop', { index: 0 }),
  ];
}

/** The thinking blocks of the assistant messages a Claude request carries, in order. */
export function thinkingBlocks(request: RecordedRequest): Array<{ thinking: string; signature: string; before: string | undefined }> {
  const body = request.json<{ messages?: Array<{ role?: string; content?: unknown }> }>();
  const blocks: Array<{ thinking: string; signature: string; before: string | undefined }> = [];
  for (const message of body.messages ?? []) {
    if (message.role !== 'assistant' || !Array.isArray(message.content)) continue;
    const content = message.content as Array<{ type?: string; thinking?: string; signature?: string }>;
    content.forEach((block, index) => {
      if (block.type === 'thinking') blocks.push({ thinking: String(block.thinking), signature: String(block.signature), before: content[index + 1]?.type });
    });
  }
  return blocks;
}

/** The tool results a backend request carries, in either protocol: `[{ id, text }]`. */
export function toolResults(request: RecordedRequest): Array<{ id: string; text: string }> {
  const body = request.json<{ messages?: Array<{ role?: string; tool_call_id?: string; content?: unknown }> }>();
  const results: Array<{ id: string; text: string }> = [];
  for (const message of body.messages ?? []) {
    if (message.role === 'tool') results.push({ id: String(message.tool_call_id), text: JSON.stringify(message.content) });
    if (Array.isArray(message.content))
      for (const block of message.content as Array<{ type?: string; tool_use_id?: string; content?: unknown }>)
        if (block.type === 'tool_result') results.push({ id: String(block.tool_use_id), text: JSON.stringify(block.content) });
  }
  return results;
}

export type BackendName = 'openai-custom' | 'claude-custom';

export interface TwoBackendSetup {
  readonly upstreams: Record<BackendName, ScriptedMock>;
  readonly gateway: Harness;
  close(): Promise<void>;
}

/** A gateway (client key `gatewayKey`) with a scripted OpenAI and a scripted Anthropic upstream, both configured. */
export async function startTwoBackendGateway(gatewayKey: string): Promise<TwoBackendSetup> {
  const upstreams: Record<BackendName, ScriptedMock> = {
    'openai-custom': await startScriptedOpenAiMock(),
    'claude-custom': await startScriptedAnthropicMock(),
  };
  const gateway = await startGateway({
    REQUIRED_API_KEY: gatewayKey,
    MODEL_PROVIDER: 'openai-custom,claude-custom',
    OPENAI_API_KEY: OPENAI_MOCK_KEY,
    OPENAI_BASE_URL: `${upstreams['openai-custom'].url}/v1`,
    CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
    CLAUDE_BASE_URL: upstreams['claude-custom'].url,
  });
  return {
    upstreams,
    gateway,
    async close() {
      await gateway.close(100);
      for (const upstream of Object.values(upstreams)) await upstream.close();
    },
  };
}

/** The id the scripted mock gives the first tool call, in the backend's own id format. */
export function firstToolCallId(provider: BackendName): string {
  return provider === 'openai-custom' ? TOOL_CALL_ID.openai : TOOL_CALL_ID.anthropic;
}

/**
 * Asserts what a resumed session's second turn sent the backend (`history`: its messages as JSON):
 * the whole first turn (prompt, the scripted tool call, its result, the answer) and then the new
 * prompt, each present and in that order.
 */
export function expectResumedHistory(history: string, provider: BackendName, answer: string, details: string): void {
  const order = ['what does hello.txt say?', firstToolCallId(provider), 'The secret word is banana.', answer, 'thanks'];
  const positions = order.map((text) => history.indexOf(text));
  expect(
    positions.every((position) => position >= 0),
    `${JSON.stringify(order)} at ${JSON.stringify(positions)}\n${details}`,
  ).toBe(true);
  expect(
    [...positions].sort((a, b) => a - b),
    details,
  ).toEqual(positions);
}
