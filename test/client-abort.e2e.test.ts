import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, claudeTextStream, startAnthropicMock } from './mocks/anthropic-mock.js';
import { pause, type MockServer } from './mocks/mock-server.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

describe('client disconnects', () => {
  let upstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    upstream = await startAnthropicMock();
    gateway = await startGateway({ MODEL_PROVIDER: 'claude-custom', CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY, CLAUDE_BASE_URL: upstream.url });
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  it('stops the upstream request the moment the client goes away mid-stream', async () => {
    let upstreamClosed = false;
    upstream.enqueue(async (request, response) => {
      void request.closed.then(() => (upstreamClosed = true));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const frames = claudeTextStream('m');
      response.write(frames[0]);
      // An endless stream: only a disconnect ends it.
      for (let index = 0; index < 500 && !response.destroyed; index += 1) {
        response.write(frames[3]);
        await pause(10);
      }
      response.end();
    });
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await upstream.requests.at(-1)!.closed;
    expect(upstreamClosed).toBe(true);
    await pause(20);
    const line = gateway.logLines.filter((entry) => entry.msg === 'request').at(-1)!;
    expect(line).toMatchObject({ provider: 'claude-custom', aborted: true });
  });

  it('stops the upstream request when the client goes away before the answer', async () => {
    upstream.enqueue(async (_request, response) => {
      await pause(5000);
      response.end();
    });
    const controller = new AbortController();
    const pending = fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    while (upstream.requests.length === 0 || upstream.requests.at(-1)!.body.length === 0) await pause(5);
    const seen = upstream.requests.at(-1)!;
    controller.abort();
    await pending;
    await seen.closed;
  });
});
