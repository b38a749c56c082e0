import type { ServerResponse } from 'node:http';
import { sendJson, sendSse, startMockServer, type MockServer, type RecordedRequest } from './mock-server.js';

/** Anthropic Messages upstream per providers.md §7.2, under `/v1`. */
export const ANTHROPIC_MOCK_KEY = 'sk-ant-mock';

/** Top-level request keys the Messages API accepts; like the real API, the mocks answer any other one 400. */
export const ANTHROPIC_TOP_LEVEL_KEYS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'tools',
  'tool_choice',
  'metadata',
  'thinking',
  'output_config',
  'context_management',
  'service_tier',
  'container',
  'mcp_servers',
]);

export function claudeEvent(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

export function claudeTextStream(model: string, texts: readonly string[] = ['Hel', 'lo']): string[] {
  return [
    claudeEvent('message_start', {
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 5, output_tokens: 1 },
      },
    }),
    claudeEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    claudeEvent('ping', {}),
    ...texts.map((text) => claudeEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text } })),
    claudeEvent('content_block_stop', { index: 0 }),
    claudeEvent('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }),
    claudeEvent('message_stop', {}),
  ];
}

export function claudeMessage(model: string, text = 'Hello!'): Record<string, unknown> {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 2 },
  };
}

function invalid(response: ServerResponse, message: string): void {
  sendJson(response, 400, { type: 'error', error: { type: 'invalid_request_error', message } });
}

async function handleAnthropic(request: RecordedRequest, response: ServerResponse, key: string, name: string): Promise<void> {
  if (request.headers['x-api-key'] !== key) {
    sendJson(response, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
    return;
  }
  if (!request.headers['anthropic-version']) {
    invalid(response, 'anthropic-version: header is required');
    return;
  }
  if (request.method === 'GET' && request.path === '/v1/models') {
    sendJson(response, 200, { data: [{ type: 'model', id: 'claude-sonnet-4-5', display_name: 'Claude Sonnet 4.5' }], has_more: false });
    return;
  }
  if (request.method !== 'POST' || request.path !== '/v1/messages') {
    sendJson(response, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${request.path}` } });
    return;
  }
  const body = request.json<Record<string, unknown>>();
  // Like the real API: unknown top-level keys (leaked gateway fields) and a missing max_tokens are 400s.
  for (const field of Object.keys(body)) if (!ANTHROPIC_TOP_LEVEL_KEYS.has(field)) return invalid(response, `${field}: Extra inputs are not permitted`);
  if (typeof body.max_tokens !== 'number') return invalid(response, 'max_tokens: Field required');
  const model = String(body.model);
  if (body.stream === true) await sendSse(response, claudeTextStream(model, [`Hello from ${name}`, '!']));
  else sendJson(response, 200, claudeMessage(model, `Hello from ${name}!`));
}

export function startAnthropicMock(options: { key?: string; name?: string } = {}): Promise<MockServer> {
  const key = options.key ?? ANTHROPIC_MOCK_KEY;
  const name = options.name ?? 'anthropic-mock';
  return startMockServer((request, response) => handleAnthropic(request, response, key, name));
}
