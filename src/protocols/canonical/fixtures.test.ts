/**
 * The codecs against recorded streams instead of their own output: every protocol's `__fixtures__`
 * holds the documented example streams of its API (text, a tool call, parallel tool calls, thinking
 * with a signature, an error mid-stream) and complete answers. Each decoder must read its own
 * protocol's fixtures to the same conversation; each encoder's output for those conversations is kept
 * as a golden file (`__fixtures__/golden/`), so any change in what clients receive shows in review.
 * Regenerate goldens after an intended change with `npx vitest run -u src/protocols/canonical/fixtures.test.ts`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getCodec } from '../codecs.js';
import type { ProtocolId } from '../protocol-id.js';
import { SseFrameSplitter, parseSseFrame } from '../sse/sse-frame-splitter.js';
import { readSignature } from './signatures.js';
import { collectStream } from './stream-collect.js';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from './types.js';

const PROTOCOLS: readonly ProtocolId[] = ['openai-chat', 'openai-responses', 'claude', 'gemini'];
const SCENARIOS = ['text', 'tools', 'parallel-tools', 'thinking', 'error'] as const;
type Scenario = (typeof SCENARIOS)[number];

const request: CanonicalRequest = {
  protocol: 'openai-chat',
  model: 'test-model',
  stream: true,
  system: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }],
  tools: [{ kind: 'function', name: 'get_weather', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
};

function fixture(protocol: ProtocolId, name: string): string {
  return readFileSync(new URL(`../${protocol}/__fixtures__/${name}`, import.meta.url), 'utf8');
}

/** Feeds the bytes in small pieces through the frame splitter, as they arrive from a socket. */
function decodeStream(protocol: ProtocolId, text: string, pieceSize = 7): StreamEvent[] {
  const decoder = getCodec(protocol).createStreamDecoder(request);
  const splitter = new SseFrameSplitter();
  const events: StreamEvent[] = [];
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; offset += pieceSize) {
    for (const frame of splitter.push(bytes.subarray(offset, offset + pieceSize))) events.push(...decoder.decode(parseSseFrame(frame.toString('utf8'))));
  }
  const rest = splitter.flush();
  if (rest) events.push(...decoder.decode(parseSseFrame(rest.toString('utf8'))));
  events.push(...decoder.end());
  return events;
}

/** What a user would notice of an answer: its text, thinking (with signature), tool calls, finish. */
function summarize(protocol: ProtocolId, response: CanonicalResponse) {
  return {
    text: response.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(''),
    reasoning: response.content.flatMap((part) =>
      part.type === 'reasoning' && part.text !== '' ? [{ text: part.text, signature: readSignature(part.providerMetadata, protocol) }] : [],
    ),
    toolCalls: response.content.flatMap((part) => (part.type === 'tool-call' ? [{ name: part.toolName, input: part.input }] : [])),
    finish: response.finishReason.unified,
  };
}

const SIGNATURES: Partial<Record<ProtocolId, string>> = {
  claude: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
  'openai-responses': 'gAAAAABoIPOEnc2Vb',
};

function expectedSummary(protocol: ProtocolId, scenario: Exclude<Scenario, 'error'>) {
  const paris = { name: 'get_weather', input: { city: 'Paris' } };
  const rome = { name: 'get_weather', input: { city: 'Rome' } };
  switch (scenario) {
    case 'text':
      return { text: 'Hello world', reasoning: [], toolCalls: [], finish: 'stop' };
    case 'tools':
      return { text: 'Let me check.', reasoning: [], toolCalls: [paris], finish: 'tool-calls' };
    case 'parallel-tools':
      return { text: '', reasoning: [], toolCalls: [paris, rome], finish: 'tool-calls' };
    case 'thinking':
      return { text: 'The answer is 4.', reasoning: [{ text: 'Let me think.', signature: SIGNATURES[protocol] }], toolCalls: [], finish: 'stop' };
  }
}

describe.each(PROTOCOLS)('%s stream decoder on recorded streams', (protocol) => {
  it.each(SCENARIOS.filter((scenario) => scenario !== 'error'))('reads %s', (scenario) => {
    const events = decodeStream(protocol, fixture(protocol, `${scenario}.sse`));
    expect(events.filter((event) => event.type === 'error')).toEqual([]);
    expect(summarize(protocol, collectStream(events))).toEqual(expectedSummary(protocol, scenario));
  });

  it('reads the same stream whatever the piece size', () => {
    for (const scenario of SCENARIOS) {
      const whole = decodeStream(protocol, fixture(protocol, `${scenario}.sse`), 1 << 20);
      const bytewise = decodeStream(protocol, fixture(protocol, `${scenario}.sse`), 1);
      expect(strip(bytewise)).toEqual(strip(whole));
    }
  });

  it('turns an error mid-stream into one error event after the text so far, with the upstream message', () => {
    const events = decodeStream(protocol, fixture(protocol, 'error.sse'));
    const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.delta] : [])).join('');
    expect(text).toBe('Hel');
    const errors = events.filter((event) => event.type === 'error');
    expect(errors).toHaveLength(1);
    const { error } = errors[0] as Extract<StreamEvent, { type: 'error' }>;
    expect(error.status).toBeGreaterThanOrEqual(500);
    expect(error.message).toMatch(/overloaded|server had an error/i);
  });

  it('reads the recorded complete answers', () => {
    expect(summarize(protocol, getCodec(protocol).decodeResponse(JSON.parse(fixture(protocol, 'text.json'))))).toEqual(expectedSummary(protocol, 'text'));
    const tools = summarize(protocol, getCodec(protocol).decodeResponse(JSON.parse(fixture(protocol, 'parallel-tools.json'))));
    expect(tools.toolCalls).toEqual(expectedSummary(protocol, 'parallel-tools').toolCalls);
    expect(tools.finish).toBe('tool-calls');
  });
});

/** Events without the ids a decoder may make up, for comparing two decodings. */
function strip(events: StreamEvent[]): unknown[] {
  return JSON.parse(JSON.stringify(events).replace(/"(call|toolu|msg|fc|chatcmpl|gen|resp)[_-][0-9a-f]{16,64}"/g, '"$1-id"'));
}

/** Ids and times the encoders make up, replaced so goldens stay stable. */
function normalize(text: string): string {
  return text.replace(/\b(call|toolu|msg|fc|chatcmpl|gen|resp|rs)([_-])[0-9a-f]{16,64}\b/g, '$1$2<id>').replace(/"(created|created_at)":\d+/g, '"$1":0');
}

describe('stream encoders: golden outputs', () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterAll(() => vi.useRealTimers());

  // The conversations as the Claude fixtures tell them: the richest source (signatures, several blocks).
  describe.each(PROTOCOLS)('%s encoder', (protocol) => {
    it.each(SCENARIOS)('writes %s', async (scenario) => {
      const events = decodeStream('claude', fixture('claude', `${scenario}.sse`));
      const encoder = getCodec(protocol).createStreamEncoder({ ...request, protocol });
      let output = '';
      for (const event of events) output += event.type === 'error' ? encoder.error(event.error) : encoder.encode(event);
      output += encoder.end();
      await expect(normalize(output)).toMatchFileSnapshot(`../${protocol}/__fixtures__/golden/${scenario}.sse`);
      if (scenario !== 'error') {
        // What the encoder wrote reads back, with its own decoder, to the same conversation.
        const again = summarize(protocol, collectStream(decodeStream(protocol, output)));
        const expected = expectedSummary(protocol, scenario);
        expect({ ...again, reasoning: again.reasoning.map((part) => part.text) }).toEqual({
          ...expected,
          reasoning: expected.reasoning.map((part) => part.text),
        });
      }
    });

    it('writes a complete answer with thinking and parallel tool calls', async () => {
      const response = getCodec('claude').decodeResponse(JSON.parse(fixture('claude', 'parallel-tools.json')));
      const body = getCodec(protocol).encodeResponse(response, { ...request, protocol, stream: false });
      await expect(normalize(`${JSON.stringify(body, null, 2)}\n`)).toMatchFileSnapshot(`../${protocol}/__fixtures__/golden/parallel-tools.json`);
    });
  });

  it('writes Gemini streamGenerateContent without alt=sse as one JSON array', async () => {
    const events = decodeStream('claude', fixture('claude', 'tools.sse'));
    const encoder = getCodec('gemini').createStreamEncoder({ ...request, protocol: 'gemini' }, { format: 'json-array' });
    const output = events.map((event) => encoder.encode(event)).join('') + encoder.end();
    expect(JSON.parse(output)).toBeInstanceOf(Array);
    await expect(normalize(output)).toMatchFileSnapshot('../gemini/__fixtures__/golden/tools.json-array.json');
  });
});
