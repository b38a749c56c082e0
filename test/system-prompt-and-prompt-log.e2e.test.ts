import { readdir, readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, startAnthropicMock } from './mocks/anthropic-mock.js';
import type { MockServer } from './mocks/mock-server.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

describe('system prompt override and prompt logs', () => {
  let upstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    upstream = await startAnthropicMock();
    const promptDir = await mkdtemp(path.join(tmpdir(), 'aiclient2api-prompt-'));
    const promptFile = path.join(promptDir, 'system.txt');
    await writeFile(promptFile, 'Always answer in French.');
    gateway = await startGateway({
      MODEL_PROVIDER: 'claude-custom',
      CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
      CLAUDE_BASE_URL: upstream.url,
      SYSTEM_PROMPT_FILE_PATH: promptFile,
      SYSTEM_PROMPT_MODE: 'append',
      SYSTEM_PROMPT_REPLACEMENTS: [{ old: 'Claude Code', new: 'a coding assistant' }],
      PROMPT_LOG_MODE: 'file',
      PROMPT_LOG_BASE_NAME: 'prompts',
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  it('appends the configured system prompt, applies replacements, and logs input and output to a file', async () => {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 16,
        stream: true,
        system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: 'Bonjour?' }],
      }),
    });
    await response.text();
    expect(upstream.requests.at(-1)!.json()).toMatchObject({
      system: [
        { type: 'text', text: 'You are a coding assistant.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Always answer in French.' },
      ],
    });
    await gateway.close(100);
    const files = (await readdir(gateway.cwd)).filter((name) => /^prompts-\d{8}-\d{6}\.log$/.test(name));
    expect(files).toHaveLength(1);
    const log = await readFile(path.join(gateway.cwd, files[0]!), 'utf8');
    expect(log).toContain('[user] Bonjour?');
    expect(log).toContain('Hello from anthropic-mock!');
    expect(log).not.toContain(ANTHROPIC_MOCK_KEY);
  });
});
