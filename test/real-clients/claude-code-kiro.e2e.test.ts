import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from '../helpers/gateway-harness.js';
import { startKiroMock, type KiroMock } from '../mocks/kiro-mock.js';
import { CLAUDE_CODE_VERSION, runClaudeCode } from './claude-code-runner.js';
import { installClaudeCode } from './install-client.js';

describe('Claude Code on claude-kiro-oauth', () => {
  let kiro: KiroMock;
  let gateway: Harness;
  let binary: string;

  beforeAll(async () => {
    binary = await installClaudeCode(CLAUDE_CODE_VERSION);
    kiro = await startKiroMock();
    const directory = await mkdtemp(path.join(tmpdir(), 'cc-kiro-creds-'));
    const credentials = path.join(directory, 'kiro-auth-token.json');
    await writeFile(
      credentials,
      JSON.stringify({
        accessToken: 'access-0',
        refreshToken: 'refresh-0',
        profileArn: 'arn:aws:codewhisperer:us-east-1:111111111111:profile/EXAMPLE',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        authMethod: 'social',
        provider: 'Google',
        region: 'us-east-1',
      }),
    );
    gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'claude-kiro-oauth',
      KIRO_OAUTH_CREDS_FILE_PATH: credentials,
      KIRO_BASE_URL: kiro.chatUrl,
      KIRO_REFRESH_URL: kiro.refreshUrl,
      KIRO_REFRESH_IDC_URL: kiro.idcRefreshUrl,
    });
  }, 300_000);
  afterAll(async () => {
    await gateway?.close(100);
    await kiro?.close();
  });

  it('answers `claude -p` with requests Kiro accepts (its conversationState invariants checked by the mock)', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'claude-code-kiro-'));
    const { code, stdout, stderr } = await runClaudeCode(binary, ['-p', 'say hi', '--output-format', 'json'], {
      cwd,
      env: {
        ANTHROPIC_BASE_URL: gateway.url,
        ANTHROPIC_API_KEY: 'gw-key',
      },
    });
    expect(code, stderr).toBe(0);
    const output = JSON.parse(stdout) as { is_error: boolean; result: string };
    expect(output.is_error).toBe(false);
    expect(output.result).toContain('Hello from kiro-mock!');
    expect(kiro.requests('/generateAssistantResponse').length).toBeGreaterThan(0);
  }, 120_000);
});
