import { describe, expect, it } from 'vitest';
import {
  normalizeGenerateRequest,
  normalizeModelId,
  prepareGenerateRequest,
  unwrapResponse,
  wrapCountTokensRequest,
  wrapGenerateRequest,
} from './code-assist-envelope.js';

describe('Code Assist envelope', () => {
  it.each([
    ['drops model and internal fields', 'gemini-2.5-flash', { model: 'x', _monitorRequestId: '1', contents: [] }, { contents: [] }],
    [
      'renames system_instruction and gives it a role',
      'gemini-2.5-flash',
      { system_instruction: { parts: [{ text: 's' }] } },
      { systemInstruction: { role: 'user', parts: [{ text: 's' }] } },
    ],
    [
      'turns a string system instruction into content',
      'gemini-2.5-flash',
      { systemInstruction: 'be brief' },
      { systemInstruction: { role: 'user', parts: [{ text: 'be brief' }] } },
    ],
    [
      'gives contents without a role the user role, keeping others',
      'gemini-2.5-flash',
      { contents: [{ parts: [{ text: 'a' }] }, { role: 'model', parts: [{ text: 'b' }] }] },
      {
        contents: [
          { role: 'user', parts: [{ text: 'a' }] },
          { role: 'model', parts: [{ text: 'b' }] },
        ],
      },
    ],
    [
      'asks for thoughts when a thinking level is set on a thinking model',
      'gemini-3-pro-preview',
      { generationConfig: { temperature: 1, thinkingConfig: { thinkingLevel: 'high' } } },
      { generationConfig: { temperature: 1, thinkingConfig: { thinkingLevel: 'high', includeThoughts: true } } },
    ],
    [
      'leaves an explicit includeThoughts and a zero budget alone',
      'gemini-2.5-pro',
      { generationConfig: { thinkingConfig: { thinkingBudget: 0 } } },
      { generationConfig: { thinkingConfig: { thinkingBudget: 0 } } },
    ],
    [
      'does not touch thinking on other models',
      'gemma-3',
      { generationConfig: { thinkingConfig: { thinkingBudget: 100 } } },
      { generationConfig: { thinkingConfig: { thinkingBudget: 100 } } },
    ],
  ])('%s', (_name, model, input, expected) => {
    expect(normalizeGenerateRequest(model, input)).toEqual(expected);
  });

  it('wraps the request as {model, project, user_prompt_id, request}', () => {
    const request = prepareGenerateRequest('gemini-2.5-pro', Buffer.from('{"model":"x","contents":[{"role":"user","parts":[{"text":"Hi"}]}]}'));
    const wrapped = JSON.parse(wrapGenerateRequest('gemini-2.5-pro', 'p1', request));
    expect(wrapped).toEqual({
      model: 'gemini-2.5-pro',
      project: 'p1',
      user_prompt_id: expect.any(String),
      request: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
    });
  });

  it("rejects a body that is not a JSON object as the client's fault", () => {
    expect(() => prepareGenerateRequest('m', Buffer.from('[1]'))).toThrow(expect.objectContaining({ kind: 'invalid_request', status: 400 }));
    expect(() => prepareGenerateRequest('m', Buffer.from('{'))).toThrow(expect.objectContaining({ code: 'invalid_json' }));
  });

  it('wraps countTokens with the models/ prefix, also from a generateContentRequest', () => {
    const contents = [{ role: 'user', parts: [{ text: 'Hi' }] }];
    expect(JSON.parse(wrapCountTokensRequest('m1', Buffer.from(JSON.stringify({ contents }))))).toEqual({ request: { model: 'models/m1', contents } });
    expect(JSON.parse(wrapCountTokensRequest('m1', Buffer.from(JSON.stringify({ generateContentRequest: { model: 'models/m1', contents } }))))).toEqual({
      request: { model: 'models/m1', contents },
    });
  });

  it('unwraps the response, raises an error event, and refuses an envelope without a response', () => {
    expect(unwrapResponse({ response: { candidates: [] }, traceId: 't' })).toEqual({ candidates: [] });
    expect(() => unwrapResponse({ error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } })).toThrow(
      expect.objectContaining({ kind: 'rate_limit', status: 429, message: 'slow down' }),
    );
    expect(() => unwrapResponse({ traceId: 't' })).toThrow(expect.objectContaining({ code: 'upstream_invalid_response', status: 502 }));
  });

  it.each([
    ['models/gemini-2.5-pro', 'gemini-2.5-pro'],
    [' gemini-2.5-flash ', 'gemini-2.5-flash'],
  ])('normalises the model id %j', (input, expected) => expect(normalizeModelId(input)).toBe(expected));
});
