import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, startAnthropicMock } from '../mocks/anthropic-mock.js';
import type { MockServer } from '../mocks/mock-server.js';
import { startGateway, type Harness } from '../helpers/gateway-harness.js';
import { CLAUDE_CODE_VERSION, runClaudeCode } from './claude-code-runner.js';
import { installClaudeCode } from './install-client.js';

async function runClaude(binary: string, args: string[], env: Record<string, string>) {
  return runClaudeCode(binary, args, { cwd: await mkdtemp(path.join(tmpdir(), 'claude-code-run-')), env });
}

describe('Claude Code through the gateway to claude-custom', () => {
  let upstream: MockServer;
  let gateway: Harness;
  let binary: string;

  beforeAll(async () => {
    binary = await installClaudeCode(CLAUDE_CODE_VERSION);
    upstream = await startAnthropicMock();
    gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'openai-custom,claude-custom',
      CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
      CLAUDE_BASE_URL: upstream.url,
    });
  }, 300_000);
  afterAll(async () => {
    await gateway?.close(100);
    await upstream?.close();
  });

  it.each([
    ['x-api-key, provider by path prefix', (url: string) => ({ ANTHROPIC_BASE_URL: `${url}/claude-custom`, ANTHROPIC_API_KEY: 'gw-key' })],
    [
      'Bearer token, provider by model prefix',
      (url: string) => ({
        ANTHROPIC_BASE_URL: url,
        ANTHROPIC_AUTH_TOKEN: 'gw-key',
        ANTHROPIC_MODEL: 'claude-custom:claude-sonnet-4-5',
        ANTHROPIC_SMALL_FAST_MODEL: 'claude-custom:claude-haiku-4-5',
      }),
    ],
  ])(
    'answers `claude -p` (%s)',
    async (_name, envFor) => {
      const before = upstream.requests.length;
      const result = await runClaude(binary, ['-p', 'say hi', '--output-format', 'json'], envFor(gateway.url));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const output = JSON.parse(result.stdout) as { is_error: boolean; result: string };
      expect(output.is_error).toBe(false);
      expect(output.result).toContain('Hello from anthropic-mock!');
      const calls = upstream.requests.slice(before);
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) {
        expect(call.headers['x-api-key']).toBe(ANTHROPIC_MOCK_KEY);
        expect(call.json<{ model: string }>().model).not.toContain('claude-custom:');
      }
    },
    120_000,
  );
});
