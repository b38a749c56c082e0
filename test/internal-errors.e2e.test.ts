import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import type { MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, startOpenAiMock } from './mocks/openai-mock.js';

/**
 * A bug in gateway code (not an upstream failure) is injected into the real modules the gateway uses:
 * the switches below make them throw a TypeError the way a real slip would. Everything else is real:
 * the gateway over HTTP, a mock upstream over HTTP, the pool's bookkeeping.
 */
const bug = vi.hoisted(() => ({ inConversion: false, midStream: false }));

function slip(): never {
  const nothing = undefined as unknown as { field: string };
  return nothing.field as never; // TypeError: Cannot read properties of undefined
}

vi.mock('../src/gateway/conversion.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/gateway/conversion.js')>();
  return {
    ...original,
    convertResponse: (...args: Parameters<typeof original.convertResponse>) => (bug.inConversion ? slip() : original.convertResponse(...args)),
  };
});

vi.mock('../src/gateway/passthrough-stream.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/gateway/passthrough-stream.js')>();
  return {
    ...original,
    async *passthroughFrames(...args: Parameters<typeof original.passthroughFrames>) {
      for await (const frame of original.passthroughFrames(...args)) {
        yield frame;
        if (bug.midStream) slip();
      }
    },
  };
});

describe('a bug in gateway code', () => {
  let upstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    upstream = await startOpenAiMock();
    // One counted failure would take the only account out of rotation.
    gateway = await startGateway({
      MODEL_PROVIDER: 'openai-custom',
      OPENAI_API_KEY: OPENAI_MOCK_KEY,
      OPENAI_BASE_URL: upstream.url,
      MAX_ERROR_COUNT: 1,
      ADMIN_API_KEY: 'admin',
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  const chat = (stream: boolean) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: 'Hi' }] }),
    });
  const claudeMessage = () =>
    fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }),
    });
  const account = async () => {
    const pools = (await (await fetch(`${gateway.url}/api/pools`, { headers: { authorization: 'Bearer admin' } })).json()) as {
      groups: Array<{ items: Array<Record<string, unknown>> }>;
    };
    return pools.groups[0]!.items[0]!;
  };
  const internalLogs = () => gateway.logLines.filter((line) => line.msg === 'internal error');

  it('answers 500 "internal error" with the request id in the client\'s protocol, logs the stack, and keeps the account healthy', async () => {
    bug.inConversion = true;
    const responses = [await claudeMessage(), await claudeMessage()];
    bug.inConversion = false;
    for (const response of responses) {
      expect(response.status).toBe(500);
      const requestId = response.headers.get('x-request-id')!;
      const body = (await response.json()) as { type: string; error: { type: string; message: string } };
      expect(body).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      expect(body.error.message).toBe(`internal error (request id ${requestId})`);
      expect(body.error.message).not.toContain('Cannot read');
    }
    const logged = internalLogs();
    expect(logged).toHaveLength(2);
    expect((logged[0]!.err as { stack: string }).stack).toContain('TypeError');
    expect(await account()).toMatchObject({ healthy: true, available: true, errorCount: 0, consecutiveErrors: 0 });
    expect(await account()).not.toHaveProperty('lastError');
    expect((await claudeMessage()).status).toBe(200);
  });

  it("ends a stream it broke with the protocol's error event and still keeps the account healthy", async () => {
    bug.midStream = true;
    const response = await chat(true);
    const text = await response.text();
    bug.midStream = false;
    expect(response.status).toBe(200);
    expect(text).toContain('Hello from openai-mock');
    expect(text).toContain(`"message":"internal error (request id ${response.headers.get('x-request-id')})"`);
    expect(internalLogs().at(-1)!.requestId).toBe(response.headers.get('x-request-id'));
    expect(await account()).toMatchObject({ healthy: true, available: true, errorCount: 0, consecutiveErrors: 0, inFlight: 0 });
    const after = await chat(false);
    expect(after.status).toBe(200);
  });
});
