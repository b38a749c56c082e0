import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson } from '../mocks/mock-server.js';
import type { Harness } from '../helpers/gateway-harness.js';
import { ANTHROPIC_MOCK_KEY } from '../mocks/anthropic-mock.js';
import { OPENAI_MOCK_KEY } from '../mocks/openai-mock.js';
import { installCodex } from './install-client.js';
import { removeScratchDirs, report, runCli, scratchDir } from './run-cli.js';
import {
  MOCK_THINKING,
  startTwoBackendGateway,
  thinkingBlocks,
  firstToolCallId,
  toolResults,
  expectResumedHistory,
  type BackendName,
  type TwoBackendSetup,
} from './scripted-mocks.js';

const CODEX_VERSION = '0.169.0';
const GATEWAY_KEY = 'gw-key';
const RUN_TIMEOUT_MS = 90_000;

type Provider = BackendName;
const MODEL: Record<Provider, string> = { 'openai-custom': 'gpt-5.1-codex', 'claude-custom': 'claude-sonnet-4-5' };
const EXPECTED: Record<Provider, string> = { 'openai-custom': 'Hello from openai-mock!', 'claude-custom': 'Hello from anthropic-mock!' };

/** CODEX_HOME/config.toml as a user pointing Codex at the gateway writes it (real-clients.md). */
function codexConfig(baseUrl: string, model: string, extra: string[] = []): string {
  return [
    `model = "${model}"`,
    'model_provider = "gw"',
    'check_for_update_on_startup = false',
    ...extra,
    '',
    '[model_providers.gw]',
    'name = "AIClient-2-API gateway"',
    `base_url = "${baseUrl}"`,
    'env_key = "GW_KEY"',
    'wire_api = "responses"',
    // No retries: a gateway error fails fast and visibly, not after minutes of backoff.
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
    '[features]',
    'plugins = false',
    'apps = false',
    'remote_plugin = false',
    '',
  ].join('\n');
}

describe('Codex CLI (`codex exec`) through the gateway', () => {
  let setup: TwoBackendSetup;
  let upstreams: TwoBackendSetup['upstreams'];
  let gateway: Harness;
  let codex: { binary: string; pathDir: string };

  beforeAll(async () => {
    codex = await installCodex(CODEX_VERSION);
    setup = await startTwoBackendGateway(GATEWAY_KEY);
    ({ upstreams, gateway } = setup);
  }, 300_000);
  afterAll(async () => {
    await setup?.close();
    await removeScratchDirs();
  });

  interface RunOptions {
    files?: Record<string, string>;
    extraConfig?: string[];
    model?: string;
    /** Reuse the HOME/CODEX_HOME and cwd of an earlier run (for `codex exec resume`). */
    session?: { home: string; cwd: string };
    /** Arguments after `exec` (default: `--skip-git-repo-check PROMPT`). */
    args?: string[];
    /** Pick the backend by a model prefix (`PROVIDER:model`, base_url without a provider path) instead of the path. */
    modelPrefix?: boolean;
  }

  /** Runs `codex exec --skip-git-repo-check PROMPT` in a scratch HOME/CODEX_HOME and cwd (with `files`), the gateway under /PROVIDER/v1. */
  async function runCodex(provider: Provider, prompt: string, options: RunOptions = {}) {
    const upstream = upstreams[provider];
    const before = upstream.requests.length;
    const logBefore = gateway.logLines.length;
    const home = options.session?.home ?? (await scratchDir('codex-home'));
    const cwd = options.session?.cwd ?? (await scratchDir('codex-cwd'));
    const codexHome = path.join(home, '.codex');
    await mkdir(codexHome, { recursive: true });
    const model = options.model ?? MODEL[provider];
    const config = options.modelPrefix
      ? codexConfig(`${gateway.url}/v1`, `${provider}:${model}`, options.extraConfig)
      : codexConfig(`${gateway.url}/${provider}/v1`, model, options.extraConfig);
    await writeFile(path.join(codexHome, 'config.toml'), config);
    for (const [name, text] of Object.entries(options.files ?? {})) await writeFile(path.join(cwd, name), text);
    const result = await runCli(codex.binary, ['exec', ...(options.args ?? ['--skip-git-repo-check', prompt])], {
      cwd,
      timeoutMs: RUN_TIMEOUT_MS,
      env: {
        PATH: `${codex.pathDir}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: home,
        CODEX_HOME: codexHome,
        GW_KEY: GATEWAY_KEY,
        NO_COLOR: '1',
        RUST_LOG: 'error',
      },
    });
    const details = report(result, upstream, before, gateway.logLines.slice(logBefore));
    if (process.env.DEBUG_REAL_CLIENTS) console.log(details);
    const calls = upstream.requests.slice(before);
    for (const call of calls) {
      if (provider === 'openai-custom') expect(call.headers.authorization, details).toBe(`Bearer ${OPENAI_MOCK_KEY}`);
      else expect(call.headers['x-api-key'], details).toBe(ANTHROPIC_MOCK_KEY);
      expect(call.json<{ model: string }>().model, details).toBe(model);
    }
    return { result, details, calls, cwd, session: { home, cwd } };
  }

  it.each(['openai-custom', 'claude-custom'] as const)(
    'answers `codex exec "say hi"` on %s (provider by path prefix)',
    async (provider) => {
      const { result, details, calls } = await runCodex(provider, 'say hi');
      expect(result.code, details).toBe(0);
      expect(result.stdout, details).toContain(EXPECTED[provider]);
      expect(calls.length, details).toBeGreaterThan(0);
      // Codex's tools (its shell tool among them) reach the backend in the backend's own shape.
      const tools = calls[0]!.json<{ tools?: Array<{ name?: string; function?: { name?: string } }> }>().tools ?? [];
      expect(
        tools.map((tool) => tool.function?.name ?? tool.name),
        details,
      ).toContain('exec_command');
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it.each(['openai-custom', 'claude-custom'] as const)(
    'answers `codex exec "say hi"` on %s (provider by model prefix)',
    async (provider) => {
      const { result, details, calls } = await runCodex(provider, 'say hi', { modelPrefix: true });
      expect(result.code, details).toBe(0);
      expect(result.stdout, details).toContain(EXPECTED[provider]);
      expect(calls.length, details).toBeGreaterThan(0);
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it.each(['openai-custom', 'claude-custom'] as const)(
    'runs an exec_command tool call and answers on %s',
    async (provider) => {
      const upstream = upstreams[provider];
      upstream.toolCall = { name: 'exec_command', input: { cmd: 'cat hello.txt' } };
      try {
        const { result, details, calls } = await runCodex(provider, 'what does hello.txt say?', {
          files: { 'hello.txt': 'The secret word is banana.\n' },
          // As with `--dangerously-bypass-approvals-and-sandbox`: runs the command without a sandbox
          // (bubblewrap needs user namespaces, which containers often lack) and without asking.
          extraConfig: ['approval_policy = "never"', 'sandbox_mode = "danger-full-access"'],
        });
        expect(result.code, details).toBe(0);
        expect(result.stdout, details).toContain(EXPECTED[provider]);
        // First call answered with the tool call; the next one carries the command's output as its result.
        expect(calls.length, details).toBeGreaterThanOrEqual(2);
        const results = toolResults(calls[calls.length - 1]!);
        expect(results.length, details).toBe(1);
        expect(results[0]!.id, details).toBe(firstToolCallId(provider));
        expect(results[0]!.text, details).toContain('The secret word is banana.');
      } finally {
        upstream.toolCall = undefined;
      }
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  // gpt-5.5 is a model Codex 0.169 knows: for it, Codex declares apply_patch as a `custom` (freeform)
  // tool and expects a `custom_tool_call` back. (For models it does not know, such as
  // claude-sonnet-4-5, it declares no apply_patch at all, even with features.apply_patch_freeform.)
  // The mocks accept any model name, so the same name serves both backends.
  it.each(['openai-custom', 'claude-custom'] as const)(
    'applies a patch with the freeform apply_patch tool on %s (model gpt-5.5)',
    async (provider) => {
      const upstream = upstreams[provider];
      const patch = ['*** Begin Patch', '*** Add File: greeting.txt', '+patched by the mock', '*** End Patch', ''].join('\n');
      // A backend knows the freeform tool as a function with one string parameter, `input`.
      upstream.toolCall = { name: 'apply_patch', input: { input: patch } };
      try {
        const { result, details, calls, cwd } = await runCodex(provider, 'create greeting.txt', {
          model: 'gpt-5.5',
          extraConfig: ['approval_policy = "never"', 'sandbox_mode = "danger-full-access"'],
        });
        const tools = calls[0]?.json<{ tools?: Array<{ name?: string; function?: { name?: string } }> }>().tools ?? [];
        expect(
          tools.map((tool) => tool.function?.name ?? tool.name),
          details,
        ).toContain('apply_patch');
        expect(result.code, details).toBe(0);
        expect(result.stdout, details).toContain(EXPECTED[provider]);
        // Codex got a custom_tool_call with the raw patch, applied it, and sent its output back.
        await expect(readFile(path.join(cwd, 'greeting.txt'), 'utf8'), details).resolves.toBe('patched by the mock\n');
        expect(calls.length, details).toBeGreaterThanOrEqual(2);
        const results = toolResults(calls[calls.length - 1]!);
        expect(results.length, details).toBe(1);
        expect(results[0]!.id, details).toBe(firstToolCallId(provider));
      } finally {
        upstream.toolCall = undefined;
      }
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it.each(['openai-custom', 'claude-custom'] as const)(
    'resumes the session with its full history (`codex exec resume --last`) on %s',
    async (provider) => {
      const upstream = upstreams[provider];
      const extraConfig = ['approval_policy = "never"', 'sandbox_mode = "danger-full-access"'];
      upstream.toolCall = { name: 'exec_command', input: { cmd: 'cat hello.txt' } };
      let session: { home: string; cwd: string };
      try {
        const first = await runCodex(provider, 'what does hello.txt say?', { files: { 'hello.txt': 'The secret word is banana.\n' }, extraConfig });
        expect(first.result.code, first.details).toBe(0);
        session = first.session;
      } finally {
        upstream.toolCall = undefined;
      }
      const second = await runCodex(provider, 'thanks', { session, extraConfig, args: ['resume', '--skip-git-repo-check', '--last', 'thanks'] });
      expect(second.result.code, second.details).toBe(0);
      expect(second.result.stdout, second.details).toContain(EXPECTED[provider]);
      expect(second.calls.length, second.details).toBe(1);
      // The second turn carries the whole first turn: prompt, tool call, its result, the answer, then the new prompt.
      const history = JSON.stringify(second.calls[0]!.json<{ messages: unknown[] }>().messages);
      expectResumedHistory(history, provider, EXPECTED[provider], second.details);
      expect(toolResults(second.calls[0]!).length, second.details).toBe(1);
    },
    2 * RUN_TIMEOUT_MS + 30_000,
  );

  it(
    'keeps Claude thinking blocks and their signatures across tool turns and resumes on claude-custom',
    async () => {
      const upstream = upstreams['claude-custom'];
      const signature = 'EqQBCkYIBxgCKkBmockSignature/+=';
      const extraConfig = ['approval_policy = "never"', 'sandbox_mode = "danger-full-access"'];
      upstream.toolCall = { name: 'exec_command', input: { cmd: 'cat hello.txt' } };
      upstream.thinkingSignature = signature;
      try {
        const first = await runCodex('claude-custom', 'what does hello.txt say?', { files: { 'hello.txt': 'The secret word is banana.\n' }, extraConfig });
        expect(first.result.code, first.details).toBe(0);
        expect(first.result.stdout, first.details).toContain(EXPECTED['claude-custom']);
        // The tool-result turn must give Claude back the thinking block that came with the tool call,
        // byte-exact, before the tool_use (the API rejects a thinking-enabled tool turn without it).
        expect(first.calls.length, first.details).toBe(2);
        // Codex's reasoning effort turned Claude's thinking on (the mock thinks only then).
        expect(first.calls[0]!.json<{ thinking?: { type: string } }>().thinking?.type, first.details).toBe('enabled');
        const firstThinking = thinkingBlocks(first.calls[1]!);
        expect(firstThinking, first.details).toEqual([{ thinking: MOCK_THINKING, signature, before: 'tool_use' }]);
        const second = await runCodex('claude-custom', 'thanks', {
          session: first.session,
          extraConfig,
          args: ['resume', '--skip-git-repo-check', '--last', 'thanks'],
        });
        expect(second.result.code, second.details).toBe(0);
        for (const block of thinkingBlocks(second.calls[0]!)) expect(block, second.details).toMatchObject({ thinking: MOCK_THINKING, signature });
        expect(thinkingBlocks(second.calls[0]!).length, second.details).toBeGreaterThan(0);
      } finally {
        upstream.toolCall = undefined;
        upstream.thinkingSignature = undefined;
      }
    },
    2 * RUN_TIMEOUT_MS + 30_000,
  );

  it.each(['openai-custom', 'claude-custom'] as const)(
    'runs two parallel exec_command calls and answers on %s',
    async (provider) => {
      const upstream = upstreams[provider];
      upstream.toolCall = [
        { name: 'exec_command', input: { cmd: 'cat a.txt' } },
        { name: 'exec_command', input: { cmd: 'cat b.txt' } },
      ];
      try {
        const { result, details, calls } = await runCodex(provider, 'what do a.txt and b.txt say?', {
          files: { 'a.txt': 'alpha-content\n', 'b.txt': 'bravo-content\n' },
          extraConfig: ['approval_policy = "never"', 'sandbox_mode = "danger-full-access"'],
        });
        expect(result.code, details).toBe(0);
        expect(result.stdout, details).toContain(EXPECTED[provider]);
        expect(calls.length, details).toBe(2);
        // Each call's output comes back under its own id.
        const prefix = provider === 'openai-custom' ? 'call_mock_' : 'toolu_mock_';
        const results = toolResults(calls[1]!);
        expect(results.map((entry) => entry.id).sort(), details).toEqual([`${prefix}1`, `${prefix}2`]);
        expect(results.find((entry) => entry.id === `${prefix}1`)?.text, details).toContain('alpha-content');
        expect(results.find((entry) => entry.id === `${prefix}2`)?.text, details).toContain('bravo-content');
      } finally {
        upstream.toolCall = undefined;
      }
    },
    RUN_TIMEOUT_MS + 30_000,
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
        const { result, details, calls } = await runCodex(provider, 'say hi');
        expect(calls.length, details).toBe(1);
        expect(result.timedOut, details).toBe(false);
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
