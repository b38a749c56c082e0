import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { codeAssistEvent, startGeminiMock, type Envelope, type GeminiMock } from './mocks/gemini-mock.js';
import { sendJson } from './mocks/mock-server.js';
import { geminiGatewaySettings, writeGeminiCredentials } from './mocks/gemini-test-client.js';

/** The OpenAI and Anthropic SDKs through the gateway (protocol conversion) to gemini-cli-oauth. */
describe('SDK clients through the gateway to gemini-cli-oauth', () => {
  let mock: GeminiMock;
  let gateway: Harness;
  let openai: OpenAI;
  let anthropic: Anthropic;

  beforeAll(async () => {
    mock = await startGeminiMock();
    const file = await writeGeminiCredentials();
    gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'gemini-cli-oauth',
      ...geminiGatewaySettings(mock, file),
    });
    openai = new OpenAI({ apiKey: 'gw-key', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: 'gw-key', baseURL: gateway.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close(100);
    await mock.close();
  });

  it('answers an OpenAI chat, streaming and not', async () => {
    const completion = await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello!');
    const stream = await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello!');
    const envelope = mock.calls('/v1internal:streamGenerateContent').at(-1)!.json<Envelope>();
    expect(envelope.request.contents).toEqual([{ role: 'user', parts: [{ text: 'Hi' }] }]);
  });

  it('answers a Claude message with a tool call, and sends the tool result back', async () => {
    mock.enqueueGeneration((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(
        codeAssistEvent({
          candidates: [
            { content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] }, finishReason: 'STOP', index: 0 },
          ],
          usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 5, totalTokenCount: 14 },
        }),
      );
    });
    const tools = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }];
    const stream = anthropic.messages.stream({ model: 'gemini-2.5-flash', max_tokens: 256, tools, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    const message = await stream.finalMessage();
    const toolUse = message.content.find((block) => block.type === 'tool_use');
    expect(toolUse).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    expect(message.stop_reason).toBe('tool_use');

    mock.enqueueGeneration((_request, response) =>
      sendJson(response, 200, { response: { candidates: [{ content: { role: 'model', parts: [{ text: '21 °C' }] }, finishReason: 'STOP' }] } }),
    );
    const answer = await anthropic.messages.create({
      model: 'gemini-2.5-flash',
      max_tokens: 256,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: message.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: (toolUse as { id: string }).id, content: '{"temperature":21}' }] },
      ],
    });
    expect(answer.content[0]).toMatchObject({ type: 'text', text: '21 °C' });
    const sent = mock.calls('/v1internal:generateContent').at(-1)!.json<Envelope>().request as {
      contents: Array<{ role: string; parts: Array<Record<string, unknown>> }>;
    };
    expect(sent.contents.at(-1)!.parts[0]).toMatchObject({ functionResponse: { name: 'get_weather' } });
  });

  it('turns Gemini thought parts into Claude thinking with the signature kept', async () => {
    const signature = `EtsBCkgIBRABGAIiQ${'x'.repeat(120)}+/=`;
    mock.enqueueGeneration((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(
        codeAssistEvent({
          candidates: [{ content: { role: 'model', parts: [{ text: 'Let me think.', thought: true, thoughtSignature: signature }] }, index: 0 }],
        }) +
          codeAssistEvent({
            candidates: [{ content: { role: 'model', parts: [{ text: 'Answer.' }] }, finishReason: 'STOP', index: 0 }],
            usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, thoughtsTokenCount: 3, totalTokenCount: 9 },
          }),
      );
    });
    const message = await anthropic.messages
      .stream({ model: 'gemini-2.5-pro', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'Think' }] })
      .finalMessage();
    const thinking = message.content.find((block) => block.type === 'thinking') as { thinking: string; signature: string };
    expect(thinking.thinking).toBe('Let me think.');
    expect(thinking.signature).toContain(signature); // the codec may tag it with its origin
    expect(message.content.find((block) => block.type === 'text')).toMatchObject({ text: 'Answer.' });
    const request = mock.calls('/v1internal:streamGenerateContent').at(-1)!.json<Envelope>().request as {
      generationConfig?: { thinkingConfig?: Record<string, unknown> };
    };
    expect(request.generationConfig?.thinkingConfig).toMatchObject({ thinkingBudget: 1024, includeThoughts: true });

    // Next turn: the thinking block goes back, and Google gets its own signature byte for byte.
    await anthropic.messages.create({
      model: 'gemini-2.5-pro',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: 'Think' },
        { role: 'assistant', content: message.content },
        { role: 'user', content: 'And now?' },
      ],
    });
    const next = mock.calls('/v1internal:generateContent').at(-1)!.json<Envelope>().request as {
      contents: Array<{ role: string; parts: Array<Record<string, unknown>> }>;
    };
    const modelTurn = next.contents.find((content) => content.role === 'model')!;
    expect(modelTurn.parts.some((part) => part.thoughtSignature === signature)).toBe(true);
  });
});
