/**
 * Fuzz test through the real gateway: thousands of requests built from valid seeds by structural
 * mutation, plus random JSON and non-JSON bodies, random Gemini model names with escapes, odd query
 * strings and headers, sent to every client route, passthrough and converted, on a gateway with prompt
 * logging and an appended system prompt and on a plain one. Every answer must be a clean non-5xx in
 * time, without exception text, and afterwards the gateway must serve and hold no lease.
 *
 * Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> npx vitest run test/fuzz
 * (FUZZ_CASES=<n> changes the count, FUZZ_DEBUG=1 prints the most frequent error answers).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeMessage, claudeTextStream } from '../mocks/anthropic-mock.js';
import { startGeminiMock, type GeminiMock } from '../mocks/gemini-mock.js';
import { geminiGatewaySettings, writeGeminiCredentials } from '../mocks/gemini-test-client.js';
import { sendJson, startMockServer, type MockServer, type RecordedRequest } from '../mocks/mock-server.js';
import { openaiCompletion, openaiTextStream } from '../mocks/openai-mock.js';
import { startGateway, type Harness } from '../helpers/gateway-harness.js';
import { type JsonValue, mutate, mutationArb } from './mutations.js';
import { chatSeeds, claudeSeeds, geminiSeeds, responsesSeeds } from './seeds.js';

const KEY = 'fuzz-key';
const CASES = Number(process.env.FUZZ_CASES ?? 2100);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const CONCURRENCY = 4;
const ANSWER_WITHIN_MS = 5000;
const EXCEPTION_TEXT =
  /TypeError|ReferenceError|RangeError|SyntaxError|Cannot read propert|is not a function|is not iterable|undefined is not|\n\s+at .+[(:]\d+|internal_error|Internal gateway error/;

type Protocol = 'chat' | 'responses' | 'claude' | 'count_tokens' | 'gemini';
type Backend = 'openai-custom' | 'claude-custom' | 'gemini-cli-oauth';

/** Client routes and the backends that serve them (the route's own protocol = passthrough). */
const ROUTES: ReadonlyArray<{ protocol: Protocol; backends: ReadonlyArray<Backend | ''>; action?: string; query?: string }> = [
  { protocol: 'chat', backends: ['openai-custom', 'claude-custom', 'gemini-cli-oauth', ''] },
  { protocol: 'responses', backends: ['openai-custom', 'claude-custom', 'gemini-cli-oauth'] },
  { protocol: 'claude', backends: ['claude-custom', 'openai-custom', 'gemini-cli-oauth', ''] },
  { protocol: 'count_tokens', backends: [''] },
  { protocol: 'gemini', action: 'generateContent', backends: ['gemini-cli-oauth', 'claude-custom', 'openai-custom'] },
  { protocol: 'gemini', action: 'streamGenerateContent', query: 'alt=sse', backends: ['gemini-cli-oauth', 'claude-custom', 'openai-custom'] },
  { protocol: 'gemini', action: 'streamGenerateContent', backends: ['gemini-cli-oauth', 'claude-custom'] },
  { protocol: 'gemini', action: 'countTokens', backends: ['gemini-cli-oauth', ''] },
];

const SEEDS: Record<Protocol, Array<Record<string, unknown>>> = {
  chat: chatSeeds,
  responses: responsesSeeds,
  claude: claudeSeeds,
  count_tokens: claudeSeeds,
  gemini: geminiSeeds,
};

const PATHS: Record<Exclude<Protocol, 'gemini'>, string> = {
  chat: '/v1/chat/completions',
  responses: '/v1/responses',
  claude: '/v1/messages',
  count_tokens: '/v1/messages/count_tokens',
};

/** A model name with escapes: valid, double-encoded, malformed, or with path characters. */
const modelNameArb = fc
  .oneof(
    fc.constantFrom(
      'gemini-2.5-flash',
      'gpt%25E0',
      '%E0%A4%A',
      '%',
      '%%',
      'a%2Fb',
      'a%3Ab',
      'claude-custom:m',
      'openai-custom%3Am',
      '..%2F..',
      '%00',
      'm%20x',
      '%C0%AF',
      'x'.repeat(300),
    ),
    fc
      .array(
        fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 6 }), fc.constantFrom('%', '%2', '%25', '%E0', '%zz', '%3A', ':', '%2F', 'é', '\u{1F600}')),
        { maxLength: 6 },
      )
      .map((pieces) => pieces.join('')),
  )
  .map((name) => name.replace(/[?#/\\]/g, (char) => encodeURIComponent(char)));

const headerValueArb = fc.string({ unit: 'grapheme-ascii', maxLength: 30 });
const headersArb = fc.record(
  {
    'model-provider': fc.oneof(
      fc.constantFrom('openai-custom', 'claude-custom', 'gemini-cli-oauth', 'openai-qwen-oauth', 'claude-kiro-oauth', 'auto', 'AUTO', ''),
      headerValueArb,
    ),
    'content-type': fc.constantFrom(
      'text/plain',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '*/*',
      '',
    ),
    'anthropic-version': headerValueArb,
    'anthropic-beta': headerValueArb,
    'x-goog-api-client': headerValueArb,
    'user-agent': headerValueArb,
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity', 'x'),
    accept: fc.constantFrom('text/event-stream', '*/*', 'application/json', 'x/y'),
  },
  { requiredKeys: [] },
);

const queryArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('alt=sse', 'alt=json', 'beta=true', 'key=%E0', '%zz=1', 'alt=sse&alt=sse', 'alt[]=sse', 'a=%', '=', '&&') },
);

type Body = { kind: 'json'; value: JsonValue } | { kind: 'raw'; text: string };

const bodyArb = (protocol: Protocol): fc.Arbitrary<Body> =>
  fc.oneof(
    {
      weight: 14,
      arbitrary: fc
        .tuple(fc.constantFrom(...SEEDS[protocol]), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
        .map(([seed, mutations]): Body => ({ kind: 'json', value: mutate(seed as JsonValue, mutations) })),
    },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 })).map((value): Body => ({ kind: 'json', value: value as JsonValue })),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value): Body => ({ kind: 'json', value: value as JsonValue })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('', '{', '{"model":', 'null', '[]', '\u0000', '{"a":1}{"b":2}', '\uFEFF{}'))
        .map((text): Body => ({ kind: 'raw', text })),
    },
  );

interface FuzzCase {
  readonly gateway: 'on' | 'off';
  readonly route: number;
  readonly backend: number;
  readonly model: string;
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly body: Body;
  readonly authHeader: 'bearer' | 'x-api-key' | 'x-goog-api-key';
}

const caseArb: fc.Arbitrary<FuzzCase> = fc.tuple(fc.nat({ max: ROUTES.length - 1 }), fc.nat()).chain(([route, backend]) =>
  fc.record({
    gateway: fc.constantFrom<'on' | 'off'>('on', 'off'),
    route: fc.constant(route),
    backend: fc.constant(backend),
    model: modelNameArb,
    query: queryArb,
    headers: fc.oneof({ weight: 2, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: headersArb as fc.Arbitrary<Record<string, string>> }),
    body: bodyArb(ROUTES[route]!.protocol),
    authHeader: fc.constantFrom<FuzzCase['authHeader']>('bearer', 'x-api-key', 'x-goog-api-key'),
  }),
);

function requestOf(fuzz: FuzzCase): { path: string; init: RequestInit } {
  const route = ROUTES[fuzz.route]!;
  const backend = route.backends[fuzz.backend % route.backends.length]!;
  const prefix = backend === '' ? '' : `/${backend}`;
  const basePath = route.protocol === 'gemini' ? `/v1beta/models/${fuzz.model}:${route.action}` : PATHS[route.protocol];
  const query = [route.query, fuzz.query].filter(Boolean).join('&');
  const headers: Record<string, string> = { 'content-type': 'application/json', ...fuzz.headers };
  headers[fuzz.authHeader === 'bearer' ? 'authorization' : fuzz.authHeader] = fuzz.authHeader === 'bearer' ? `Bearer ${KEY}` : KEY;
  const body = fuzz.body.kind === 'raw' ? fuzz.body.text : JSON.stringify(fuzz.body.value);
  return { path: `${prefix}${basePath}${query ? `?${query}` : ''}`, init: { method: 'POST', headers, body } };
}

/** OpenAI and Anthropic upstreams that answer whatever they are sent, at once, like a healthy backend. */
function answerOpenAi(request: RecordedRequest, response: ServerResponse): void {
  const body = safeJson(request.body);
  const model = typeof body.model === 'string' ? body.model : 'm';
  if (body.stream === true) {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(openaiTextStream(model, ['Hel', 'lo']).join(''));
  } else sendJson(response, 200, openaiCompletion(model));
}

function answerClaude(request: RecordedRequest, response: ServerResponse): void {
  const body = safeJson(request.body);
  const model = typeof body.model === 'string' ? body.model : 'm';
  if (body.stream === true) {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(claudeTextStream(model, ['Hel', 'lo']).join(''));
  } else sendJson(response, 200, claudeMessage(model));
}

function safeJson(bytes: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

describe('gateway fuzz', () => {
  let openai: MockServer;
  let anthropic: MockServer;
  let gemini: GeminiMock;
  const gateways: Record<'on' | 'off', Harness> = {} as never;

  beforeAll(async () => {
    openai = await startMockServer(answerOpenAi);
    anthropic = await startMockServer(answerClaude);
    gemini = await startGeminiMock();
    const credentials = await writeGeminiCredentials();
    const promptDir = await mkdtemp(path.join(tmpdir(), 'aiclient2api-fuzz-'));
    const promptFile = path.join(promptDir, 'system.txt');
    await writeFile(promptFile, 'Answer in French.');
    const pools = {
      'openai-custom': [{ uuid: 'openai-1', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: openai.url }],
      'claude-custom': [{ uuid: 'claude-1', CLAUDE_API_KEY: 'k', CLAUDE_BASE_URL: anthropic.url }],
      'gemini-cli-oauth': [{ uuid: 'gemini-1', ...geminiGatewaySettings(gemini, credentials) }],
    };
    const start = (extra: Record<string, unknown>) =>
      startGateway(
        {
          MODEL_PROVIDER: 'openai-custom',
          REQUIRED_API_KEY: KEY,
          REQUEST_MAX_RETRIES: 0,
          LOG_LEVEL: 'warn',
          PROVIDER_POOLS_FILE_PATH: 'provider_pools.json',
          ...extra,
        },
        [],
        async (cwd) => writeFile(path.join(cwd, 'provider_pools.json'), JSON.stringify(pools)),
      );
    gateways.on = await start({
      SYSTEM_PROMPT_FILE_PATH: promptFile,
      SYSTEM_PROMPT_MODE: 'append',
      SYSTEM_PROMPT_REPLACEMENTS: [{ old: 'Claude', new: 'an assistant' }],
      PROMPT_LOG_MODE: 'file',
    });
    gateways.off = await start({});
  });
  afterAll(async () => {
    await Promise.all(Object.values(gateways).map((gateway) => gateway?.close(100)));
    await Promise.all([openai?.close(), anthropic?.close(), gemini?.close()]);
  });

  it(`answers ${CASES} mutated, random and odd requests cleanly (seed ${SEED})`, { timeout: 120_000 }, async () => {
    const cpuAtStart = process.cpuUsage();
    const cases = fc.sample(caseArb, { seed: SEED, numRuns: CASES });
    const cpuForCases = process.cpuUsage(cpuAtStart);
    const failures: string[] = [];
    /** Cases that timed out among the others: sent again alone at the end (a machine starved by other work is not a hang). */
    const slow: number[] = [];
    const statuses = new Map<number, number>();
    const messages = new Map<string, number>();
    const send = async (index: number): Promise<{ problem?: string; timedOut?: boolean }> => {
      const fuzz = cases[index]!;
      const { path: pathName, init } = requestOf(fuzz);
      const describeCase = () =>
        `case ${index} (${fuzz.gateway}) POST ${pathName} body=${String(init.body).slice(0, 300)}\n  headers=${JSON.stringify(init.headers)}\n  -> `;
      try {
        const response = await fetch(`${gateways[fuzz.gateway].url}${pathName}`, { ...init, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (process.env.FUZZ_DEBUG && response.status >= 400) {
          const key = `${response.status} ${text.match(/"message":"([^"]{0,60})/)?.[1] ?? text.slice(0, 60)}`;
          messages.set(key, (messages.get(key) ?? 0) + 1);
        }
        if (response.status >= 500) return { problem: `${describeCase()}status ${response.status}: ${text.slice(0, 400)}` };
        if (EXCEPTION_TEXT.test(text)) return { problem: `${describeCase()}exception text in the body: ${text.slice(0, 400)}` };
        return {};
      } catch (error) {
        return { problem: `${describeCase()}no answer within ${ANSWER_WITHIN_MS} ms (${(error as Error).message})`, timedOut: true };
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < cases.length && failures.length < 5 && slow.length <= 20) {
        const index = next++;
        const { problem, timedOut } = await send(index);
        if (timedOut) slow.push(index);
        else if (problem) failures.push(problem);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (slow.length > 20) failures.push(`${slow.length} answers came later than ${ANSWER_WITHIN_MS} ms (cases ${slow.join(', ')}): not a busy machine`);
    for (const index of slow.slice(0, 20)) {
      const { problem } = await send(index);
      if (problem) failures.push(problem);
    }
    if (slow.length > 0) console.warn(`fuzz seed ${SEED}: ${slow.length} case(s) answered late among the others, then in time alone: ${slow.join(', ')}`);
    const cpu = process.cpuUsage(cpuAtStart);
    const seconds = (usage: NodeJS.CpuUsage) => ((usage.user + usage.system) / 1e6).toFixed(1);
    console.log(
      `fuzz seed ${SEED}: ${cases.length} cases, CPU ${seconds(cpu)} s (generating ${seconds(cpuForCases)} s), statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    if (process.env.FUZZ_DEBUG)
      console.log(
        [...messages]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 40)
          .map(([m, n]) => `${n} ${m}`)
          .join('\n'),
      );
    if (failures.length > 0) {
      console.error(`fuzz failed with FUZZ_SEED=${SEED}:\n${failures.join('\n')}`);
      throw new Error(`fuzz failed with FUZZ_SEED=${SEED} (reproduce: FUZZ_SEED=${SEED} npx vitest run test/fuzz)\n${failures.join('\n')}`);
    }
    // The mix reached the upstreams and produced answers of both kinds.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(CASES / 20);
    expect([...statuses.keys()].some((status) => status >= 400 && status < 500)).toBe(true);

    for (const gateway of Object.values(gateways)) {
      const health = await fetch(`${gateway.url}/health`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(health.status).toBe(200);
      const served = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(served.status).toBe(200);
      const pools = (await (await fetch(`${gateway.url}/api/pools`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as {
        groups: Array<{ items: Array<{ uuid: string; inFlight: number }> }>;
      };
      const held = pools.groups.flatMap((group) => group.items).filter((item) => item.inFlight !== 0);
      expect(held, `leases held after the fuzz run (FUZZ_SEED=${SEED})`).toEqual([]);
    }
  });
});
