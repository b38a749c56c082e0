import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import { getCodec } from '../codecs.js';
import { PROTOCOL_IDS } from '../protocol-id.js';

/** Odd values put in every field a client or a backend might send: decoders must never crash on them. */
const oddValues: unknown[] = [null, 0, -1, '', 'x', true, [], [null], [1, 'a'], {}, { type: 'unknown' }, { text: 5 }];

const templates: Record<string, Record<string, unknown>> = {
  'openai-chat': { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [], tool_choice: 'auto', response_format: {}, stop: [] },
  'openai-responses': { model: 'm', input: [{ role: 'user', content: 'hi' }], tools: [], tool_choice: 'auto', reasoning: {}, text: {} },
  claude: { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], system: '', tools: [], tool_choice: {}, thinking: {} },
  gemini: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], tools: [], toolConfig: {}, generationConfig: {}, systemInstruction: {} },
};

function mutations(template: Record<string, unknown>): unknown[] {
  const result: unknown[] = [undefined, null, 'text', [], ...oddValues.map((value) => ({ ...template, extra: value }))];
  for (const key of Object.keys(template)) {
    for (const value of oddValues) result.push({ ...template, [key]: value });
  }
  const listKey = Object.keys(template).find((key) => Array.isArray(template[key]));
  if (listKey) for (const value of oddValues) result.push({ ...template, [listKey]: [value, { role: 'user', content: value, parts: value }] });
  return result;
}

describe('decoders never crash on odd input', () => {
  it.each(PROTOCOL_IDS)('%s: decodeRequest throws only invalid_request GatewayErrors, encoders accept what it returns', (protocol) => {
    const codec = getCodec(protocol);
    for (const body of mutations(templates[protocol] ?? {})) {
      try {
        const request = codec.decodeRequest(body, protocol === 'gemini' ? { model: 'm' } : {});
        for (const target of PROTOCOL_IDS) getCodec(target).encodeRequest(request);
      } catch (error) {
        expect(error, JSON.stringify(body)).toBeInstanceOf(GatewayError);
        expect((error as GatewayError).kind).toBe('invalid_request');
      }
    }
  });

  it.each(PROTOCOL_IDS)('%s: decodeResponse and the stream decoder survive odd upstream bodies', (protocol) => {
    const codec = getCodec(protocol);
    const request = getCodec('claude').decodeRequest({ model: 'm', max_tokens: 1, messages: [] }, {});
    for (const body of [...oddValues, { choices: [null], candidates: [5], content: 'x', output: {} }]) {
      try {
        codec.decodeResponse(body);
      } catch (error) {
        expect(error).toBeInstanceOf(GatewayError);
      }
      const decoder = codec.createStreamDecoder(request);
      for (const data of [JSON.stringify(body), 'not json', '[DONE]', undefined]) {
        expect(() => decoder.decode({ event: 'message_start', data })).not.toThrow();
      }
      expect(() => decoder.end()).not.toThrow();
    }
  });
});
