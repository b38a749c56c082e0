import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from '../helpers/gateway-harness.js';
import { codeAssistEvent, startGeminiMock, type GeminiMock } from '../mocks/gemini-mock.js';
import { CLAUDE_CODE_VERSION, runClaudeCode } from './claude-code-runner.js';
import { installClaudeCode } from './install-client.js';
import { geminiGatewaySettings, writeGeminiCredentials } from '../mocks/gemini-test-client.js';

type Part = { text?: string; functionCall?: unknown; functionResponse?: { name: string; response: unknown } };

describe('Claude Code on gemini-cli-oauth (protocol conversion), with a real tool round trip', () => {
  let mock: GeminiMock;
  let gateway: Harness;
  let binary: string;

  beforeAll(async () => {
    binary = await installClaudeCode(CLAUDE_CODE_VERSION);
    // A model that calls Bash when it may, then answers quoting the tool's output.
    mock = await startGeminiMock({
      generate: (_request, response, envelope) => {
        const request = envelope.request as { contents: Array<{ parts: Part[] }>; tools?: Array<{ functionDeclarations?: Array<{ name: string }> }> };
        const result = request.contents.flatMap((content) => content.parts).find((part) => part.functionResponse);
        const hasBash = request.tools?.some((tool) => tool.functionDeclarations?.some((declaration) => declaration.name === 'Bash')) ?? false;
        const parts: Part[] = result
          ? [{ text: `The folder holds: ${JSON.stringify(result.functionResponse!.response)}` }]
          : hasBash
            ? [{ functionCall: { name: 'Bash', args: { command: 'ls', description: 'List files' } } }]
            : [{ text: 'Hello from Gemini!' }];
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(
          codeAssistEvent({
            candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
            usageMetadata: { promptTokenCount: 50, candidatesTokenCount: 10, totalTokenCount: 60 },
          }),
        );
      },
    });
    const credentials = await writeGeminiCredentials();
    gateway = await startGateway({
      REQUIRED_API_KEY: 'gw-key',
      MODEL_PROVIDER: 'gemini-cli-oauth',
      ...geminiGatewaySettings(mock, credentials),
    });
  }, 300_000);
  afterAll(async () => {
    await gateway?.close(100);
    await mock?.close();
  });

  it('runs Bash through the function call Gemini asked for and reports its output', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'claude-code-gemini-'));
    await writeFile(path.join(cwd, 'gemini-marker.txt'), 'x');
    const { code, stdout, stderr } = await runClaudeCode(binary, ['-p', 'list the files here', '--output-format', 'json', '--allowedTools', 'Bash(ls:*)'], {
      cwd,
      env: {
        ANTHROPIC_BASE_URL: gateway.url,
        ANTHROPIC_API_KEY: 'gw-key',
        // A model prefix picks the backend and its model.
        ANTHROPIC_MODEL: 'gemini-cli-oauth:gemini-2.5-pro',
        ANTHROPIC_SMALL_FAST_MODEL: 'gemini-cli-oauth:gemini-2.5-flash',
      },
    });
    expect(code, stderr).toBe(0);
    const output = JSON.parse(stdout) as { is_error: boolean; result: string; num_turns: number };
    expect(output.is_error).toBe(false);
    expect(output.result).toContain('gemini-marker.txt');
    const calls = mock.calls('/v1internal:streamGenerateContent').map((request) => request.json<{ model: string }>().model);
    expect(calls).toContain('gemini-2.5-pro');
  }, 120_000);
});
