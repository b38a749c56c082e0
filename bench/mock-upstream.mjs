// Instant mock upstream for the benchmark: OpenAI and Anthropic JSON and SSE on 127.0.0.1.
// Each SSE chunk carries its send time (ms, high resolution) so the client can measure per-chunk delay.
import { createServer } from 'node:http';

const now = () => performance.timeOrigin + performance.now();
const openaiJson = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 },
  }),
);
const claudeJson = Buffer.from(
  JSON.stringify({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [{ type: 'text', text: 'Hello! How can I help you today?' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 9, output_tokens: 9 },
  }),
);

function openaiChunk(text, finish = null) {
  return `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"finish_reason":${finish ? `"${finish}"` : 'null'}}]}\n\n`;
}

function claudeEvent(type, data) {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** Streams `count` chunks, `spacingMs` apart (0: as fast as possible); `hold` keeps the stream open idle. */
async function streamOpenAi(response, count, spacingMs, hold, includeUsage) {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let index = 0; index < count; index += 1) {
    if (response.destroyed) return;
    response.write(openaiChunk(`t=${now().toFixed(3)};`));
    if (spacingMs > 0) await new Promise((resolve) => setTimeout(resolve, spacingMs));
  }
  if (hold) return; // idle open stream: closed by the client
  response.write(openaiChunk('', 'stop'));
  // As OpenAI does when the request asks with stream_options.include_usage (the gateway does, for accounting).
  if (includeUsage)
    response.write(
      `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":${count},"total_tokens":${9 + count}}}\n\n`,
    );
  response.end('data: [DONE]\n\n');
}

function streamClaude(response, count) {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  let body = claudeEvent('message_start', {
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 9, output_tokens: 1 },
    },
  });
  body += claudeEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  for (let index = 0; index < count; index += 1) body += claudeEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'word ' } });
  body += claudeEvent('content_block_stop', { index: 0 });
  body += claudeEvent('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: count } });
  response.end(body + claudeEvent('message_stop', {}));
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const url = request.url ?? '/';
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","owned_by":"bench"}]}');
      return;
    }
    let body = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      /* bench bodies are JSON */
    }
    // Stream shape rides in the model name (`m@chunks=200,spacing=1,hold=1`): it survives every gateway path.
    const options = Object.fromEntries(
      String(body.model ?? '')
        .split('@')[1]
        ?.split(',')
        .map((pair) => pair.split('=')) ?? [],
    );
    const chunksWanted = Number(options.chunks ?? 200);
    const spacing = Number(options.spacing ?? 0);
    const hold = options.hold === '1';
    if (url.startsWith('/v1/messages')) {
      if (body.stream) streamClaude(response, chunksWanted);
      else {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': claudeJson.length });
        response.end(claudeJson);
      }
      return;
    }
    if (body.stream) void streamOpenAi(response, chunksWanted, spacing, hold, body.stream_options?.include_usage === true);
    else {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': openaiJson.length });
      response.end(openaiJson);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
