import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson } from '../mocks/mock-server.js';
import type { Harness } from '../helpers/gateway-harness.js';
import { ANTHROPIC_MOCK_KEY } from '../mocks/anthropic-mock.js';
import { OPENAI_MOCK_KEY } from '../mocks/openai-mock.js';
import { installGeminiCli } from './install-client.js';
import { removeScratchDirs, report, runCli, scratchDir, type CliResult } from './run-cli.js';
import { startTwoBackendGateway, firstToolCallId, toolResults, expectResumedHistory, type BackendName, type TwoBackendSetup } from './scripted-mocks.js';

const GEMINI_CLI_VERSION = '0.61.0'; // engines: node >=20
const GATEWAY_KEY = 'gw-key';
const RUN_TIMEOUT_MS = 90_000;

/** ~/.gemini/settings.json: API-key auth pinned (required with a base URL), nothing phoning home. */
const SETTINGS = {
  security: { auth: { selectedType: 'gemini-api-key' } },
  telemetry: { enabled: false },
  privacy: { usageStatisticsEnabled: false },
  general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
};

type Provider = BackendName;

describe('Gemini CLI (`gemini -p`) through the gateway', () => {
  let setup: TwoBackendSetup;
  let upstreams: TwoBackendSetup['upstreams'];
  let gateway: Harness;
  let script: string;

  beforeAll(async () => {
    script = await installGeminiCli(GEMINI_CLI_VERSION);
    setup = await startTwoBackendGateway(GATEWAY_KEY);
    ({ upstreams, gateway } = setup);
  }, 300_000);
  afterAll(async () => {
    await setup?.close();
    await removeScratchDirs();
  });

  /** Runs `gemini -p PROMPT` in a scratch HOME and cwd (with `files`), the gateway as its Gemini API under /PROVIDER. */
  async function runGemini(
    provider: Provider,
    prompt: string,
    files: Record<string, string> = {},
    /** model: pick the backend by a model prefix (`-m PROVIDER:model`); session: reuse an earlier run's HOME and cwd; args: more CLI arguments. */
    options: { model?: string; session?: { home: string; cwd: string }; args?: string[] } = {},
  ) {
    const upstream = upstreams[provider];
    const before = upstream.requests.length;
    const logBefore = gateway.logLines.length;
    const home = options.session?.home ?? (await scratchDir('gemini-home'));
    const cwd = options.session?.cwd ?? (await scratchDir('gemini-cwd'));
    await mkdir(path.join(home, '.gemini'), { recursive: true });
    await writeFile(path.join(home, '.gemini', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(cwd, name), text);
    const result: CliResult = await runCli(
      process.execPath,
      [script, ...(options.model ? ['-m', `${provider}:${options.model}`] : []), ...(options.args ?? []), '-p', prompt],
      {
        cwd,
        timeoutMs: RUN_TIMEOUT_MS,
        env: {
          HOME: home,
          // The backend by path prefix, or (with options.model) by a model prefix.
          GOOGLE_GEMINI_BASE_URL: options.model ? gateway.url : `${gateway.url}/${provider}`,
          GEMINI_API_KEY: GATEWAY_KEY,
          GEMINI_CLI_TRUST_WORKSPACE: 'true',
          GEMINI_CLI_NO_RELAUNCH: 'true',
          NO_COLOR: '1',
        },
      },
    );
    const details = report(result, upstream, before, gateway.logLines.slice(logBefore));
    if (process.env.DEBUG_REAL_CLIENTS) console.log(details);
    const calls = upstream.requests.slice(before);
    for (const call of calls) {
      if (provider === 'openai-custom') expect(call.headers.authorization, details).toBe(`Bearer ${OPENAI_MOCK_KEY}`);
      else expect(call.headers['x-api-key'], details).toBe(ANTHROPIC_MOCK_KEY);
    }
    const structured = calls.filter((call) => upstream.structuredRequests.includes(call));
    const main = calls.filter((call) => !upstream.structuredRequests.includes(call));
    return { result, details, structured, main, session: { home, cwd } };
  }

  it.each([
    ['openai-custom', 'Hello from openai-mock!'],
    ['claude-custom', 'Hello from anthropic-mock!'],
  ] as const)(
    'answers `gemini -p "say hi"` on %s (provider by path prefix)',
    async (provider, expected) => {
      const { result, details, structured, main } = await runGemini(provider, 'say hi');
      expect(result.code, details).toBe(0);
      expect(result.stdout, details).toContain(expected);
      // The router's generateContent + responseJsonSchema reached the backend as its structured-output
      // format, and its JSON answer made it back intact: the router picked the flash model for the main
      // call (a "complex" answer picks the pro model; a non-JSON one makes the CLI retry until killed).
      expect(structured.length, details).toBeGreaterThan(0);
      expect(main.length, details).toBeGreaterThan(0);
      for (const call of main) expect(call.json<{ model: string }>().model, details).toMatch(/flash/);
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it.each([
    ['openai-custom', 'Hello from openai-mock!'],
    ['claude-custom', 'Hello from anthropic-mock!'],
  ] as const)(
    'runs a read_file tool call and answers on %s',
    async (provider, expected) => {
      const upstream = upstreams[provider];
      upstream.toolCall = { name: 'read_file', input: { file_path: 'hello.txt' } };
      try {
        const { result, details, main } = await runGemini(provider, 'what does hello.txt say?', { 'hello.txt': 'The secret word is banana.\n' });
        expect(result.code, details).toBe(0);
        expect(result.stdout, details).toContain(expected);
        // First main call answered with the tool call; the next one carries the file as its result.
        expect(main.length, details).toBeGreaterThanOrEqual(2);
        const results = toolResults(main[main.length - 1]!);
        expect(results.length, details).toBe(1);
        expect(results[0]!.id, details).toBe(firstToolCallId(provider));
        expect(results[0]!.text, details).toContain('The secret word is banana.');
      } finally {
        upstream.toolCall = undefined;
      }
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it.each([
    ['openai-custom', 'gpt-4o-mini', 'Hello from openai-mock!'],
    ['claude-custom', 'claude-sonnet-4-5', 'Hello from anthropic-mock!'],
  ] as const)(
    'answers `gemini -m %s:%s -p "say hi"` (provider by model prefix)',
    async (provider, model, expected) => {
      const { result, details, main } = await runGemini(provider, 'say hi', {}, { model });
      expect(result.code, details).toBe(0);
      expect(result.stdout, details).toContain(expected);
      expect(main.length, details).toBeGreaterThan(0);
      for (const call of main) expect(call.json<{ model: string }>().model, details).toBe(model);
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it.each([
    ['openai-custom', 'Hello from openai-mock!'],
    ['claude-custom', 'Hello from anthropic-mock!'],
  ] as const)(
    'resumes the session with its full history (`gemini --resume latest`) on %s',
    async (provider, expected) => {
      const upstream = upstreams[provider];
      upstream.toolCall = { name: 'read_file', input: { file_path: 'hello.txt' } };
      let session: { home: string; cwd: string };
      try {
        const first = await runGemini(provider, 'what does hello.txt say?', { 'hello.txt': 'The secret word is banana.\n' });
        expect(first.result.code, first.details).toBe(0);
        session = first.session;
      } finally {
        upstream.toolCall = undefined;
      }
      const second = await runGemini(provider, 'thanks', {}, { session, args: ['--resume', 'latest'] });
      expect(second.result.code, second.details).toBe(0);
      expect(second.result.stdout, second.details).toContain(expected);
      expect(second.main.length, second.details).toBe(1);
      // The new turn carries the whole first one: prompt, tool call, its result, the answer, then the new prompt.
      const history = JSON.stringify(second.main[0]!.json<{ messages: unknown[] }>().messages);
      expectResumedHistory(history, provider, expected, second.details);
      // Gemini CLI 0.61 itself sends the restored functionResponse TWICE (same id, same content) in the
      // resumed history; the backend must get exactly one result for the call (Anthropic rejects repeats).
      const results = toolResults(second.main[0]!);
      expect(results.length, second.details).toBe(1);
    },
    2 * RUN_TIMEOUT_MS + 30_000,
  );

  it.each([
    ['openai-custom', { error: { message: 'mock-upstream-refusal: invalid value', type: 'invalid_request_error', code: 'invalid_value' } }],
    ['claude-custom', { type: 'error', error: { type: 'invalid_request_error', message: 'mock-upstream-refusal: prompt is too long' } }],
  ] as const)(
    'reports a backend 400 and exits non-zero on %s',
    async (provider, errorBody) => {
      const upstream = upstreams[provider];
      upstream.override = (_request, response) => sendJson(response, 400, errorBody);
      try {
        const { result, details, main } = await runGemini(provider, 'say hi');
        expect(result.timedOut, details).toBe(false);
        expect(main.length, details).toBeGreaterThan(0);
        expect(result.code, details).not.toBe(0);
        // The backend's own message reaches the user.
        expect(result.stdout + result.stderr, details).toContain('mock-upstream-refusal');
      } finally {
        upstream.override = undefined;
      }
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});
