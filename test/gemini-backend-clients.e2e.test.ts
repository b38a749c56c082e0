import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { codeAssistEvent, startGeminiMock, type Envelope, type GeminiMock } from './mocks/gemini-mock.js';
import { geminiGatewaySettings, writeGeminiCredentials } from './mocks/gemini-test-client.js';

/** The Gemini SDK (native protocol) and OpenAI Responses clients on gemini-cli-oauth, with a tool round trip. */
describe('Gemini and Responses clients on gemini-cli-oauth', () => {
  let mock: GeminiMock;
  let gateway: Harness;

  beforeAll(async () => {
    mock = await startGeminiMock();
    const file = await writeGeminiCredentials();
    gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'gemini-cli-oauth',
      ...geminiGatewaySettings(mock, file),
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await mock.close();
  });

  const functionCallChunk = {
    candidates: [
      {
        content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnLWdlbWluaQ==' }] },
        finishReason: 'STOP',
        index: 0,
      },
    ],
    usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
  };

  it('passes Gemini SDK requests through, streaming and not, with thoughtSignature kept byte-exact', async () => {
    const client = new GoogleGenAI({ apiKey: 'gw-key', httpOptions: { baseUrl: gateway.url } });
    const response = await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    expect(response.text).toBe('Hello!');
    let streamed = '';
    for await (const chunk of await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hi' })) streamed += chunk.text ?? '';
    expect(streamed).toBe('Hello!');

    mock.enqueueGeneration((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(codeAssistEvent(functionCallChunk));
    });
    const tools = [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }] }];
    const chunks = [];
    for await (const chunk of await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Weather?', config: { tools } }))
      chunks.push(chunk);
    const part = chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []).find((candidate) => candidate.functionCall);
    expect(part).toMatchObject({ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnLWdlbWluaQ==' });

    await client.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        { role: 'model', parts: [part!] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 21 } } }] },
      ],
      config: { tools },
    });
    const sent = mock.calls('/v1internal:generateContent').at(-1)!.json<Envelope>().request as { contents: Array<{ parts: unknown[] }> };
    expect(sent.contents[1]!.parts[0]).toEqual({ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnLWdlbWluaQ==' });
  });

  it('serves OpenAI Responses (Codex) with a function call and its output on the next turn', async () => {
    const client = new OpenAI({ apiKey: 'gw-key', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const plain = await client.responses.create({ model: 'gemini-2.5-flash', input: 'Hi' });
    expect(plain.output_text).toBe('Hello!');

    mock.enqueueGeneration((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(codeAssistEvent(functionCallChunk));
    });
    const tools: OpenAI.Responses.Tool[] = [
      { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false },
    ];
    const stream = await client.responses.create({ model: 'gemini-2.5-flash', input: 'Weather in Paris?', tools, stream: true, store: false });
    const done: OpenAI.Responses.ResponseOutputItem[] = [];
    let completed = false;
    for await (const event of stream) {
      if (event.type === 'response.output_item.done') done.push(event.item);
      if (event.type === 'response.completed') completed = true;
    }
    expect(completed).toBe(true);
    const call = done.find((item) => item.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ name: 'get_weather', arguments: JSON.stringify({ city: 'Paris' }) });

    const next = await client.responses.create({
      model: 'gemini-2.5-flash',
      tools,
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: call.call_id, name: 'get_weather', arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: '{"temperature":21}' },
      ],
    });
    expect(next.output_text).toBe('Hello!');
    const sent = mock.calls('/v1internal:generateContent').at(-1)!.json<Envelope>().request as {
      contents: Array<{ role: string; parts: Array<Record<string, any>> }>;
    };
    expect(sent.contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
    expect(sent.contents[2]!.parts[0]!.functionResponse).toMatchObject({ name: 'get_weather' });
  });
});
