import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../src/config/load-config.js';
import { startServer, type RunningServer } from '../src/server/start-server.js';
import { startAnthropicMock } from './mocks/anthropic-mock.js';
import { INITIAL_ACCESS_TOKEN, startGeminiMock, VALID_REFRESH_TOKEN, type GeminiMock } from './mocks/gemini-mock.js';
import { startKiroMock, type KiroMock } from './mocks/kiro-mock.js';
import type { MockServer } from './mocks/mock-server.js';
import { startOpenAiMock } from './mocks/openai-mock.js';
import { startQwenMock, type QwenMock } from './mocks/qwen-mock.js';

/**
 * A user of the original AIClient-2-API points the gateway at its own configs/config.json and
 * configs/provider_pools.json, exactly as the original (and its web UI) writes them: null for every
 * optional field, runtime counters inline, entries of backends we do not have, keys for features we
 * lack. Only the upstream URLs are aimed at local mocks.
 */
const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'original');
const POOLS = JSON.parse(await readFile(path.join(FIXTURES, 'provider_pools.json'), 'utf8')) as Record<string, Array<{ uuid: string }>>;
const SUPPORTED = ['openai-custom', 'claude-custom', 'gemini-cli-oauth', 'claude-kiro-oauth', 'openai-qwen-oauth'];
const MODEL_OF: Record<string, string> = {
  'openai-custom': 'gpt-4o-mini',
  'claude-custom': 'claude-sonnet-4-5',
  'gemini-cli-oauth': 'gemini-2.5-flash',
  'claude-kiro-oauth': 'claude-sonnet-4-6',
  'openai-qwen-oauth': 'coder-model',
};

let openaiA: MockServer;
let openaiB: MockServer;
let claude: MockServer;
let gemini: GeminiMock;
let kiro: KiroMock;
let qwen: QwenMock;
let loaded: LoadedConfig & { kind: 'serve' };
let server: RunningServer;
const logLines: Array<Record<string, unknown>> = [];
const originalCwd = process.cwd();

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value, null, 2), { mode: 0o600 });
}

beforeAll(async () => {
  [openaiA, openaiB, claude, gemini, kiro, qwen] = await Promise.all([
    startOpenAiMock({ key: 'k-openai-a', name: 'openai-a' }),
    startOpenAiMock({ key: 'k-openai-b', name: 'openai-b' }),
    startAnthropicMock(),
    startGeminiMock(),
    startKiroMock(),
    startQwenMock(),
  ]);
  const cwd = await mkdtemp(path.join(tmpdir(), 'original-files-'));
  const urls: Record<string, string> = {
    OPENAI_A_URL: openaiA.url,
    OPENAI_B_URL: openaiB.url,
    CLAUDE_URL: claude.url,
    GEMINI_URL: gemini.url,
    KIRO_CHAT_URL: kiro.chatUrl,
    KIRO_REFRESH_URL: kiro.refreshUrl,
    KIRO_IDC_REFRESH_URL: kiro.idcRefreshUrl,
  };
  for (const name of ['config.json', 'provider_pools.json']) {
    const text = await readFile(path.join(FIXTURES, name), 'utf8');
    await mkdir(path.join(cwd, 'configs'), { recursive: true });
    await writeFile(
      path.join(cwd, 'configs', name),
      text.replace(/\{\{(\w+)\}\}/g, (_match, key: string) => urls[key] ?? ''),
    );
  }
  // The credential files the pools entries name, relative to the working directory as in the original.
  await writeJson(path.join(cwd, 'configs/gemini/oauth_creds.json'), {
    access_token: INITIAL_ACCESS_TOKEN,
    refresh_token: VALID_REFRESH_TOKEN,
    expiry_date: Date.now() + 3_600_000,
  });
  await writeJson(path.join(cwd, 'configs/kiro/kiro-auth-token.json'), {
    accessToken: kiro.state.accessToken,
    refreshToken: kiro.state.refreshToken,
    profileArn: kiro.state.profileArn,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    authMethod: 'social',
    provider: 'Google',
    region: 'us-east-1',
  });
  qwen.grant('qwen-access', 'qwen-refresh');
  await writeJson(path.join(cwd, 'configs/qwen/oauth_creds.json'), {
    access_token: 'qwen-access',
    refresh_token: 'qwen-refresh',
    token_type: 'Bearer',
    resource_url: qwen.url,
    expiry_date: Date.now() + 3_600_000,
  });
  // The original runs from its project folder: relative paths (pools file, credential files) are the working directory's.
  process.chdir(cwd);
  // Only where it listens differs: a test binds loopback on a free port.
  const request = await loadConfig(['--port', '0', '--host', '127.0.0.1'], cwd);
  if (request.kind !== 'serve') throw new Error('expected a serve config');
  loaded = request;
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  server = await startServer(loaded, { logger, cwd });
});

afterAll(async () => {
  process.chdir(originalCwd);
  await server?.close(50);
  await Promise.all([openaiA, openaiB, claude, gemini, kiro, qwen].map((mock) => mock?.close()));
});

describe("the original's config.json and provider_pools.json, as they are", () => {
  it('load: null is absent, known keys keep their meaning, keys for features we lack are named once', () => {
    expect(loaded.config).toMatchObject({
      REQUIRED_API_KEY: '123456',
      MODEL_PROVIDER: 'gemini-cli-oauth',
      MAX_ERROR_COUNT: 3,
      SYSTEM_PROMPT_MODE: 'append',
      LOG_OUTPUT_MODE: 'all',
    });
    expect(loaded.config.OPENAI_BASE_URL).toBe('https://api.openai.com/v1');
    expect(loaded.config.PROXY_URL).toBeUndefined();
    const ignored = loaded.warnings.filter((warning) => warning.includes('features this gateway does not have'));
    expect(ignored).toHaveLength(1);
    for (const key of ['TLS_SIDECAR_ENABLED', 'TLS_SIDECAR_PORT', 'GROK_BASE_URL', 'LOG_INCLUDE_REQUEST_ID']) expect(ignored[0]).toContain(key);
    // The admin console exists here: its key is read, not reported.
    expect(ignored[0]).not.toContain('UI_ENABLED');
    expect(loaded.config.UI_ENABLED).toBe(true);
  });

  it('reject no entry of a supported type and skip each unsupported type with one warning', () => {
    const poolWarnings = logLines.filter((line) => String(line.msg).startsWith('provider pools:')).map((line) => String(line.msg));
    expect(poolWarnings.filter((warning) => warning.includes('skipped'))).toEqual([
      expect.stringContaining('"gemini-antigravity" is not supported'),
      expect.stringContaining('"openai-codex-oauth" is not supported'),
      expect.stringContaining('"openaiResponses-custom" is not supported'),
    ]);
    for (const type of SUPPORTED) expect(poolWarnings.join('\n')).not.toContain(type);
  });

  it('serve every entry of every supported type through the OpenAI SDK', async () => {
    const client = new OpenAI({ apiKey: '123456', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const served = new Set<string>();
    for (const type of SUPPORTED) {
      for (const _entry of POOLS[type]!) {
        const { data, response } = await client.chat.completions
          .create({ model: `${type}:${MODEL_OF[type]}`, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
          .withResponse();
        expect(response.headers.get('x-aiclient-provider')).toBe(type);
        expect(data.choices[0]?.message.content).toMatch(/Hello/);
        served.add(response.headers.get('x-aiclient-instance')!);
      }
    }
    const expected = SUPPORTED.flatMap((type) => POOLS[type]!.map((entry) => entry.uuid));
    expect([...served].sort()).toEqual(expected.sort());
  });
});
