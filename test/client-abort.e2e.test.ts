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

  /**
   * The mocks below never end their answers on their own within UPSTREAM_HOLDS_MS, so an upstream
   * request that closes within CLOSE_BOUND_MS was closed by the gateway, on behalf of the client.
   */
  const UPSTREAM_HOLDS_MS = 30_000;
  const CLOSE_BOUND_MS = 3000;

  async function closedInTime(closed: Promise<void>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_BOUND_MS)));
    const result = await Promise.race([closed.then(() => true), bound]);
    clearTimeout(timer);
    return result;
  }

  /** Holds an answer open until the connection goes away or UPSTREAM_HOLDS_MS pass. */
  async function holdOpen(closed: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, UPSTREAM_HOLDS_MS)))]);
    clearTimeout(timer);
  }

  it('stops the upstream request the moment the client goes away mid-stream', async () => {
    upstream.enqueue(async (request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const frames = claudeTextStream('m');
      response.write(frames[0]);
      response.write(frames[3]);
      await holdOpen(request.closed);
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
    expect(await closedInTime(upstream.requests.at(-1)!.closed)).toBe(true);
    await pause(20);
    const line = gateway.logLines.filter((entry) => entry.msg === 'request').at(-1)!;
    expect(line).toMatchObject({ provider: 'claude-custom', aborted: true });
  });

  it('stops the upstream request when the client goes away before the answer', async () => {
    upstream.enqueue(async (request, response) => {
      await holdOpen(request.closed);
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
    expect(await closedInTime(seen.closed)).toBe(true);
  });
});
