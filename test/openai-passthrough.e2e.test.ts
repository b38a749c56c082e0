import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, openaiChunk, startOpenAiMock } from './mocks/openai-mock.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

describe('OpenAI SDK through the gateway to openai-custom', () => {
  let upstream: MockServer;
  let gateway: Harness;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startOpenAiMock();
    gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'openai-custom',
      OPENAI_API_KEY: OPENAI_MOCK_KEY,
      // Without /v1: the gateway adds it.
      OPENAI_BASE_URL: upstream.url,
    });
    client = new OpenAI({ apiKey: 'gw-key', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  it('answers a non-streaming chat and forwards the body bytes untouched', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], temperature: 0 });
    expect(completion.choices[0]?.message.content).toBe('Hello from openai-mock!');
    const seen = upstream.requests.at(-1)!;
    expect(seen.path).toBe('/v1/chat/completions');
    expect(seen.headers.authorization).toBe(`Bearer ${OPENAI_MOCK_KEY}`);
    expect(seen.json()).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], temperature: 0 });
  });

  it('streams chunks in order and ends with one [DONE]', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('Hello from openai-mock!');
    expect(finish).toBe('stop');

    const raw = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer gw-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    expect(raw.headers.get('content-type')).toContain('text/event-stream');
    expect(raw.headers.get('x-aiclient-provider')).toBe('openai-custom');
    expect(raw.headers.get('x-request-id')).toBeTruthy();
    const body = await raw.text();
    expect(body.match(/data: \[DONE\]/g)).toHaveLength(1);
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('forwards a complete answer with its length in one piece, and a chunked one chunk by chunk', async () => {
    const ask = () =>
      request(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer gw-key', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
      });
    const sized = await ask();
    const sizedBody = Buffer.from(await sized.body.arrayBuffer());
    expect(sized.headers['transfer-encoding']).toBeUndefined();
    expect(Number(sized.headers['content-length'])).toBe(sizedBody.length);
    expect(JSON.parse(sizedBody.toString('utf8')).choices[0].message.content).toBe('Hello from openai-mock!');

    // An upstream that sends its JSON in two writes without a length: the gateway does not wait for the end.
    upstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id":"chatcmpl-2","object":"chat.completion","choices":[{"index":0,');
      await new Promise((resolve) => setTimeout(resolve, 20));
      response.end('"message":{"role":"assistant","content":"two parts"},"finish_reason":"stop"}]}');
    });
    const chunked = await ask();
    expect(chunked.headers['content-length']).toBeUndefined();
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    expect(((await chunked.body.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('two parts');
  });

  it('sends stream headers at once even when the first event is slow to come', async () => {
    // The upstream holds its first event back until the client has the headers (or gives up after a
    // while): headers that wait for the first event show up as "event written before headers".
    let headersSeen: () => void = () => undefined;
    const clientHasHeaders = new Promise<void>((resolve) => (headersSeen = resolve));
    let eventWritten = false;
    upstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.flushHeaders();
      await Promise.race([clientHasHeaders, new Promise((resolve) => setTimeout(resolve, 3000))]);
      eventWritten = true;
      response.write(openaiChunk('gpt-4o-mini', { content: 'late' }, 'stop'));
      response.end('data: [DONE]\n\n');
    });
    const response = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer gw-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    expect(eventWritten).toBe(false);
    headersSeen();
    expect(response.headers['content-type']).toContain('text/event-stream');
    expect(await response.body.text()).toContain('late');
  });

  it('lists the upstream models in the OpenAI shape', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['gpt-4o-mini']);
  });

  it('strips gateway-internal fields and the model prefix before sending upstream', async () => {
    await client.chat.completions.create({
      model: 'openai-custom:gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      // @ts-expect-error an internal field some pipelines add
      _monitorRequestId: 'x',
    });
    expect(upstream.requests.at(-1)!.json()).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('writes one log line per request with provider, status and bytes, and no keys', async () => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'log me' }] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const line = gateway.logLines.filter((entry) => entry.msg === 'request').at(-1)!;
    expect(line).toMatchObject({ provider: 'openai-custom', instance: 'openai-custom-config', model: 'gpt-4o-mini', status: 200, url: '/v1/chat/completions' });
    expect(line.bytes).toBeGreaterThan(0);
    expect(JSON.stringify(gateway.logLines)).not.toContain(OPENAI_MOCK_KEY);
    expect(JSON.stringify(gateway.logLines)).not.toContain('gw-key');
  });
});
