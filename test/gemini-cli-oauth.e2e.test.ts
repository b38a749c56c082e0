import { afterEach, describe, expect, it } from 'vitest';
import {
  ASSIGNED_PROJECT,
  codeAssistEvent,
  HELLO_RESPONSE,
  INITIAL_ACCESS_TOKEN,
  ONBOARDED_PROJECT,
  sendChunkedSse,
  textChunk,
  type Envelope,
} from './mocks/gemini-mock.js';
import { generationCalls, HI, sendGemini, setupGeminiClient, type GeminiTestSetup } from './mocks/gemini-test-client.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(options: Parameters<typeof setupGeminiClient>[0] = {}): Promise<GeminiTestSetup> {
  const created = await setupGeminiClient(options);
  cleanups.push(created.close);
  return created;
}
const send = sendGemini;
const generations = generationCalls;

describe('gemini-cli-oauth: generation through Code Assist', () => {
  it('wraps a Gemini request in the Code Assist envelope and returns the unwrapped response', async () => {
    const { mock, client } = await setup();
    const result = await send(client, { model: 'ignored', ...HI, system_instruction: { parts: [{ text: 'Be brief' }] }, _monitorRequestId: 'x' });
    expect(result.status).toBe(200);
    expect(result.contentType).toBe('application/json');
    expect(JSON.parse(result.text)).toEqual(HELLO_RESPONSE);

    const seen = mock.calls('/v1internal:generateContent')[0]!;
    expect(seen.headers.authorization).toBe(`Bearer ${INITIAL_ACCESS_TOKEN}`);
    expect(seen.headers['user-agent']).toMatch(/^GeminiCLI\/0\.31\.0\/gemini-2\.5-flash \(/);
    expect(seen.headers['x-goog-api-client']).toBe('google-genai-sdk/1.41.0 gl-node/v22.19.0');
    const envelope = seen.json<Envelope>();
    expect(envelope).toMatchObject({ model: 'gemini-2.5-flash', project: ASSIGNED_PROJECT });
    expect(typeof envelope.user_prompt_id).toBe('string');
    expect(envelope.request).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      systemInstruction: { role: 'user', parts: [{ text: 'Be brief' }] },
    });

    await send(client, HI, { model: 'models/gemini-2.5-pro' });
    expect(mock.calls('/v1internal:loadCodeAssist')).toHaveLength(1); // the project is cached per instance
    expect(mock.calls('/v1internal:generateContent')[1]!.json<Envelope>().model).toBe('gemini-2.5-pro');
  });

  it('streams Code Assist CRLF events re-emitted as plain Gemini SSE frames', async () => {
    const { mock, client } = await setup();
    const result = await send(client, HI, { stream: true });
    expect(result.contentType).toBe('text/event-stream');
    expect(result.text).toBe(`data: ${JSON.stringify(textChunk('Hel'))}\r\n\r\ndata: ${JSON.stringify(textChunk('lo!', true))}\r\n\r\n`);
    const seen = mock.calls('/v1internal:streamGenerateContent')[0]!;
    expect(seen.query.get('alt')).toBe('sse');
    expect(seen.headers.accept).toBe('text/event-stream');
  });

  it.each([1, 3, 7, 64])('unwraps LF events, one spanning two data lines, cut every %i bytes', async (size) => {
    const { mock, client } = await setup();
    const first = textChunk('Bonjour 🌍 ');
    const last = textChunk('à tous', true);
    const twoLines = `data: {"response":\ndata: ${JSON.stringify(last)},"traceId":"t1"}\n\n`;
    mock.enqueueGeneration((_request, response) => sendChunkedSse(response, `: keep-alive\n\n${codeAssistEvent(first, '\n')}${twoLines}`, size));
    const result = await send(client, HI, { stream: true });
    expect(result.text).toBe(`data: ${JSON.stringify(first)}\n\ndata: ${JSON.stringify(last)}\n\n`);
  });

  it('passes function calls and thought parts with their thoughtSignature through byte-exact', async () => {
    const { mock, client } = await setup();
    const signature = `CiQB0e2Kb+/x9Z==${'A'.repeat(200)}/+=`;
    const thought = {
      candidates: [{ content: { role: 'model', parts: [{ text: 'Checking the weather…', thought: true, thoughtSignature: signature }] }, index: 0 }],
    };
    const call = {
      candidates: [
        {
          content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: `${signature}2` }] },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 5, thoughtsTokenCount: 12, totalTokenCount: 26 },
    };
    mock.enqueueGeneration((_request, response) => sendChunkedSse(response, codeAssistEvent(thought) + codeAssistEvent(call), 5));
    const history = {
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
        {
          role: 'model',
          parts: [{ functionCall: { id: 'c1', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'skip_thought_signature_validator' }],
        },
        { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'get_weather', response: { temperature: 21 } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }] }],
      generationConfig: { thinkingConfig: { thinkingBudget: 1024 } },
    };
    const result = await send(client, history, { stream: true });
    expect(result.text).toContain(`"thoughtSignature":"${signature}"`);
    expect(result.text).toContain(`"thoughtSignature":"${signature}2"`);
    expect(result.text).toBe(`data: ${JSON.stringify(thought)}\r\n\r\ndata: ${JSON.stringify(call)}\r\n\r\n`);

    const request = mock.calls('/v1internal:streamGenerateContent')[0]!.json<Envelope>().request;
    expect(request.contents).toEqual(history.contents);
    expect(request.tools).toEqual(history.tools);
    // A thinking budget on a thinking model asks for the thoughts, as Gemini CLI does.
    expect(request.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } });
  });

  it('uses PROJECT_ID as given, without discovery', async () => {
    const { mock, client } = await setup({ settings: { PROJECT_ID: ONBOARDED_PROJECT } });
    await send(client, HI);
    expect(mock.calls('/v1internal:loadCodeAssist')).toHaveLength(0);
    expect(mock.calls('/v1internal:generateContent')[0]!.json<Envelope>().project).toBe(ONBOARDED_PROJECT);
  });

  it('counts tokens through v1internal:countTokens and lists the models', async () => {
    const { mock, client } = await setup({ settings: { GEMINI_CUSTOM_MODELS: ['gemini-9-ultra'] } });
    expect(await client.countTokens('gemini-2.5-pro', Buffer.from(JSON.stringify(HI)), new AbortController().signal)).toEqual({ totalTokens: 7 });
    expect(mock.calls('/v1internal:countTokens')[0]!.json()).toEqual({ request: { model: 'models/gemini-2.5-pro', contents: HI.contents } });
    const models = await client.listModels(new AbortController().signal);
    expect(models.map((model) => model.id)).toEqual([
      'gemini-2.5-flash',
      'gemini-2.5-flash-lite',
      'gemini-2.5-pro',
      'gemini-3-flash-preview',
      'gemini-3-pro-preview',
      'gemini-3.1-flash-lite-preview',
      'gemini-3.1-pro-preview',
      'gemini-3.5-flash',
      'gemini-9-ultra',
    ]);
    expect(models[0]!.ownedBy).toBe('google');
  });
});

describe('gemini-cli-oauth: project discovery', () => {
  it('onboards an account whose onboarding takes several polls, logging progress, then caches the project', async () => {
    const { mock, client, logs } = await setup({ mock: { scenario: 'onboard', pendingPolls: 2 } });
    await Promise.all([send(client, HI), send(client, HI)]);
    expect(mock.calls('/v1internal:loadCodeAssist')).toHaveLength(1);
    expect(mock.calls('/v1internal:onboardUser')).toHaveLength(3);
    expect(mock.calls('/v1internal:onboardUser')[0]!.json()).toMatchObject({ tierId: 'free-tier', metadata: { pluginType: 'GEMINI' } });
    expect(generations(mock).map((request) => request.json<Envelope>().project)).toEqual([ONBOARDED_PROJECT, ONBOARDED_PROJECT]);
    expect(logs.filter((line) => line.msg === 'gemini-cli-oauth: onboarding in progress, polling again')).toHaveLength(2);
  });

  it('gives up after the configured number of polls when onboarding never completes', async () => {
    const { mock, client } = await setup({ mock: { scenario: 'onboard-never' }, settings: { GEMINI_ONBOARD_MAX_POLLS: 3 } });
    await expect(send(client, HI)).rejects.toMatchObject({ code: 'gemini_onboarding_timeout', detail: { scope: 'account' } });
    expect(mock.calls('/v1internal:onboardUser')).toHaveLength(4);
    expect(generations(mock)).toHaveLength(0);
  });

  it('asks for PROJECT_ID when the account tier needs a project of its own', async () => {
    const { client } = await setup({ mock: { scenario: 'needs-own-project' } });
    await expect(send(client, HI)).rejects.toThrow(/set PROJECT_ID/);
  });

  it('asks again after Google refuses a discovered project', async () => {
    const { mock, client } = await setup({ mock: { allowedProjects: [] } });
    await expect(send(client, HI)).rejects.toMatchObject({ code: 'gemini_project_forbidden', message: expect.stringMatching(/set PROJECT_ID/) });
    await expect(send(client, HI)).rejects.toMatchObject({ code: 'gemini_project_forbidden' });
    expect(mock.calls('/v1internal:loadCodeAssist')).toHaveLength(2);
  });

  it('reads the quota buckets of the discovered project', async () => {
    const { mock, client } = await setup();
    expect(await client.retrieveUserQuota(new AbortController().signal)).toMatchObject({
      project: ASSIGNED_PROJECT,
      buckets: [{ modelId: 'gemini-2.5-flash' }],
    });
    expect(mock.calls('/v1internal:retrieveUserQuota')[0]!.json()).toEqual({ project: ASSIGNED_PROJECT });
  });
});
