import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, claudeEvent, claudeTextStream, startAnthropicMock } from './mocks/anthropic-mock.js';
import { pause, sendJson, type MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, openaiChunk, startOpenAiMock } from './mocks/openai-mock.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

describe("errors in each protocol's shape", () => {
  let openaiUpstream: MockServer;
  let claudeUpstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    openaiUpstream = await startOpenAiMock();
    claudeUpstream = await startAnthropicMock();
    gateway = await startGateway({
      MODEL_PROVIDER: 'openai-custom',
      OPENAI_API_KEY: OPENAI_MOCK_KEY,
      OPENAI_BASE_URL: openaiUpstream.url,
      CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
      CLAUDE_BASE_URL: claudeUpstream.url,
      REQUEST_MAX_RETRIES: 2,
      REQUEST_BASE_DELAY: 5,
      REQUEST_BODY_LIMIT_MB: 1,
      UPSTREAM_HEADERS_TIMEOUT_MS: 300,
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await openaiUpstream.close();
    await claudeUpstream.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const chat = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], ...extra });
  const message = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }], ...extra });

  it("answers malformed JSON with 400 in the route's protocol", async () => {
    const openai = await post('/v1/chat/completions', '{"model": ');
    expect(openai.status).toBe(400);
    expect(((await openai.json()) as { error: { type: string; message: string } }).error).toMatchObject({ type: 'invalid_request_error' });
    const claude = await post('/claude-custom/v1/messages', '{oops}');
    expect(claude.status).toBe(400);
    expect(await claude.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('answers a body that is not an object with 400', async () => {
    const response = await post('/v1/chat/completions', '[1,2]');
    expect(response.status).toBe(400);
  });

  it('answers a body over the limit with 413', async () => {
    const big = chat({ padding: 'x'.repeat(1024 * 1024 + 10) });
    const openai = await post('/v1/chat/completions', big);
    expect(openai.status).toBe(413);
    expect(((await openai.json()) as { error: { message: string } }).error.message).toContain('REQUEST_BODY_LIMIT_MB');
    const claude = await post('/claude-custom/v1/messages', big);
    expect(claude.status).toBe(413);
    expect(await claude.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });

  it('passes an upstream 429 through with its message and Retry-After', async () => {
    // Its own gateway: the Retry-After takes the only account out for 7 s, which other tests must not inherit.
    const limited = await startGateway({ MODEL_PROVIDER: 'openai-custom', OPENAI_API_KEY: OPENAI_MOCK_KEY, OPENAI_BASE_URL: openaiUpstream.url });
    try {
      openaiUpstream.enqueue((_request, response) =>
        sendJson(
          response,
          429,
          { error: { message: 'Rate limit reached for gpt-4o-mini', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
          { 'retry-after': '7' },
        ),
      );
      const response = await fetch(`${limited.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat() });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      expect(await response.json()).toEqual({
        error: { message: 'Rate limit reached for gpt-4o-mini', type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null },
      });
    } finally {
      await limited.close(50);
    }
  });

  it('retries 503 and reset connections before the first byte, then succeeds', async () => {
    const before = openaiUpstream.requests.length;
    openaiUpstream.enqueue(
      (_request, response) => sendJson(response, 503, { error: { message: 'busy' } }),
      (_request, response) => {
        response.socket?.destroy();
      },
    );
    const response = await post('/v1/chat/completions', chat());
    expect(response.status).toBe(200);
    expect(openaiUpstream.requests.length - before).toBe(3);
  });

  it('gives up after REQUEST_MAX_RETRIES and reports the upstream 503', async () => {
    const busy = (_request: unknown, response: Parameters<typeof sendJson>[0]) => sendJson(response, 503, { error: { message: 'still busy' } });
    openaiUpstream.enqueue(busy, busy, busy);
    const response = await post('/v1/chat/completions', chat());
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe('still busy');
  });

  it('answers an unreachable upstream with 502 and a slow one with 504', async () => {
    const unreachable = await startGateway({
      MODEL_PROVIDER: 'openai-custom',
      OPENAI_API_KEY: 'k',
      OPENAI_BASE_URL: 'http://127.0.0.1:9',
      REQUEST_MAX_RETRIES: 1,
      REQUEST_BASE_DELAY: 1,
    });
    try {
      const response = await fetch(`${unreachable.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat() });
      expect(response.status).toBe(502);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain('unreachable');
    } finally {
      await unreachable.close(50);
    }
    openaiUpstream.enqueue(async (_request, response) => {
      await pause(1000);
      sendJson(response, 200, {});
    });
    const slow = await post('/v1/chat/completions', chat());
    expect(slow.status).toBe(504);
    expect(((await slow.json()) as { error: { type: string } }).error.type).toBe('timeout_error');
  });

  it('turns a Claude stream cut mid-way into an error event and a clean end', async () => {
    claudeUpstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const frame of claudeTextStream('claude-sonnet-4-5').slice(0, 4)) response.write(frame);
      await pause(20);
      response.socket?.destroy();
    });
    const response = await post('/claude-custom/v1/messages', message({ stream: true }));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('event: content_block_delta');
    expect(text.trimEnd().split('\n\n').at(-1)).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":".+"\}\}$/);
  });

  it('forwards an upstream error event in a Claude stream as it is', async () => {
    claudeUpstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(claudeTextStream('m')[0]);
      response.end(claudeEvent('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }));
    });
    const text = await (await post('/claude-custom/v1/messages', message({ stream: true }))).text();
    expect(text.match(/event: error/g)).toHaveLength(1);
    expect(text).toContain('"overloaded_error"');
  });

  it('turns an OpenAI stream cut mid-way into a data error the SDK raises', async () => {
    openaiUpstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(openaiChunk('gpt-4o-mini', { role: 'assistant', content: 'partial' }));
      await pause(20);
      response.socket?.destroy();
    });
    const client = new OpenAI({ apiKey: 'x', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow(/upstream/);
    expect(text).toBe('partial');
  });

  it('adds the missing [DONE] when an OpenAI-compatible upstream finished without it', async () => {
    openaiUpstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(openaiChunk('m', { role: 'assistant', content: 'ok' }));
      response.end(openaiChunk('m', {}, 'stop'));
    });
    const text = await (await post('/v1/chat/completions', chat({ stream: true }))).text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(text).not.toContain('error');
  });

  it('forwards each upstream chunk as soon as it arrives (no buffering)', async () => {
    // The upstream sends the rest only after the client has seen the first chunk: a buffering gateway deadlocks here.
    let clientSawFirst!: () => void;
    const firstSeen = new Promise<void>((resolve) => (clientSawFirst = resolve));
    openaiUpstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(openaiChunk('m', { role: 'assistant', content: 'first' }));
      await firstSeen;
      response.write(openaiChunk('m', {}, 'stop'));
      response.end('data: [DONE]\n\n');
    });
    const response = await post('/v1/chat/completions', chat({ stream: true }));
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toContain('first');
    clientSawFirst();
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) rest += Buffer.from(part.value).toString();
    expect(rest).toContain('[DONE]');
  });
});
