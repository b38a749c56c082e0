import type { ServerResponse } from 'node:http';
import { sendJson, sendSse, startMockServer, type MockServer, type RecordedRequest } from './mock-server.js';

/** OpenAI-compatible upstream per providers.md §7.1, under `/v1`. */
export const OPENAI_MOCK_KEY = 'sk-mock-openai';

export function openaiChunk(model: string, delta: Record<string, unknown>, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;
}

/** Usage the mock reports unless a test gives its own. */
export const OPENAI_MOCK_USAGE = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };

/** The chunk OpenAI sends last when the request had `stream_options.include_usage`: no choices, the usage. */
export function openaiUsageChunk(model: string, usage: Record<string, unknown>): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model, choices: [], usage })}\n\n`;
}

export function openaiTextStream(model: string, texts: readonly string[] = ['Hel', 'lo'], usage?: Record<string, unknown>): string[] {
  return [
    ...texts.map((text, index) => openaiChunk(model, index === 0 ? { role: 'assistant', content: text } : { content: text })),
    openaiChunk(model, {}, 'stop'),
    ...(usage ? [openaiUsageChunk(model, usage)] : []),
    'data: [DONE]\n\n',
  ];
}

export function openaiCompletion(model: string, content = 'Hello!', usage: Record<string, unknown> = OPENAI_MOCK_USAGE): Record<string, unknown> {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1700000000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage,
  };
}

async function handleOpenAi(
  request: RecordedRequest,
  response: ServerResponse,
  key: string,
  name: string,
  usage: Record<string, unknown>,
  rejectStreamOptions = false,
): Promise<void> {
  if (request.headers.authorization !== `Bearer ${key}`) {
    sendJson(response, 401, { error: { message: 'Incorrect API key', type: 'invalid_request_error', code: 'invalid_api_key' } });
    return;
  }
  if (request.method === 'GET' && request.path === '/v1/models') {
    sendJson(response, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', owned_by: name }] });
    return;
  }
  if (request.method !== 'POST' || request.path !== '/v1/chat/completions') {
    sendJson(response, 404, { error: { message: `no route ${request.path}`, type: 'invalid_request_error' } });
    return;
  }
  const body = request.json<{ model: string; stream?: boolean; stream_options?: { include_usage?: boolean } }>();
  // What older OpenAI-compatible servers (and OpenAI before the option existed) answer to it.
  if (rejectStreamOptions && body.stream_options !== undefined) {
    sendJson(response, 400, {
      error: { message: 'Unrecognized request argument supplied: stream_options', type: 'invalid_request_error', param: null, code: null },
    });
    return;
  }
  // The reply names the mock, so tests can tell which upstream served a request.
  const withUsage = body.stream_options?.include_usage === true ? usage : undefined;
  if (body.stream) await sendSse(response, openaiTextStream(body.model, [`Hello from ${name}`, '!'], withUsage));
  else sendJson(response, 200, openaiCompletion(body.model, `Hello from ${name}!`, usage));
}

/** `usage`: what the mock reports (non-streaming, and streaming when the request asks with include_usage). */
/** `rejectStreamOptions`: answer a request carrying `stream_options` with 400, as servers without the option do. */
export function startOpenAiMock(
  options: { key?: string; name?: string; usage?: Record<string, unknown>; rejectStreamOptions?: boolean } = {},
): Promise<MockServer> {
  const key = options.key ?? OPENAI_MOCK_KEY;
  const name = options.name ?? 'openai-mock';
  const usage = options.usage ?? OPENAI_MOCK_USAGE;
  return startMockServer((request, response) => handleOpenAi(request, response, key, name, usage, options.rejectStreamOptions));
}
