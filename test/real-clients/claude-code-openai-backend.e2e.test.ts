import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from '../helpers/gateway-harness.js';
import { sendSse, startMockServer, type MockServer } from '../mocks/mock-server.js';
import { openaiChunk } from '../mocks/openai-mock.js';
import { CLAUDE_CODE_VERSION, runClaudeCode } from './claude-code-runner.js';
import { installClaudeCode } from './install-client.js';

interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown[];
}

/**
 * An OpenAI-compatible upstream that behaves like a model using tools: asked with the Bash tool and no
 * tool result yet, it streams a Bash call; once the result is in the conversation, it answers with text
 * quoting what the tool printed.
 */
function startToolUsingModel(): Promise<MockServer> {
  return startMockServer(async (request, response) => {
    const body = request.json<{ model: string; stream?: boolean; messages: ChatMessage[]; tools?: Array<{ function: { name: string } }> }>();
    const toolResult = body.messages.filter((message) => message.role === 'tool').at(-1);
    const hasBash = body.tools?.some((tool) => tool.function.name === 'Bash') ?? false;
    const frames =
      hasBash && !toolResult
        ? [
            openaiChunk(body.model, { role: 'assistant', content: '' }),
            openaiChunk(body.model, { tool_calls: [{ index: 0, id: 'call_ls', type: 'function', function: { name: 'Bash', arguments: '{"command":' } }] }),
            openaiChunk(body.model, { tool_calls: [{ index: 0, function: { arguments: '"ls","description":"List files"}' } }] }),
            openaiChunk(body.model, {}, 'tool_calls'),
          ]
        : [
            openaiChunk(body.model, {
              role: 'assistant',
              content: toolResult ? `The folder holds: ${JSON.stringify(toolResult.content)}` : 'Hello from the OpenAI backend!',
            }),
            openaiChunk(body.model, {}, 'stop'),
          ];
    await sendSse(response, [...frames, 'data: [DONE]\n\n']);
  });
}

describe('Claude Code on an OpenAI-compatible backend (protocol conversion), with a real tool round trip', () => {
  let upstream: MockServer;
  let gateway: Harness;
  let binary: string;

  beforeAll(async () => {
    binary = await installClaudeCode(CLAUDE_CODE_VERSION);
    upstream = await startToolUsingModel();
    gateway = await startGateway({ REQUIRED_API_KEY: 'gw-key', MODEL_PROVIDER: 'openai-custom', OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: upstream.url });
  }, 300_000);
  afterAll(async () => {
    await gateway?.close(100);
    await upstream?.close();
  });

  it('runs Bash through the tool call the backend asked for and reports its output', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'claude-code-tools-'));
    await writeFile(path.join(cwd, 'marker-file.txt'), 'x');
    const { code, stdout, stderr } = await runClaudeCode(binary, ['-p', 'list the files here', '--output-format', 'json', '--allowedTools', 'Bash(ls:*)'], {
      cwd,
      env: {
        ANTHROPIC_BASE_URL: gateway.url,
        ANTHROPIC_API_KEY: 'gw-key',
        // Claude Code warns about model names it does not know; the gateway routes by provider, so the
        // Claude name goes to the OpenAI-compatible backend as it is.
        ANTHROPIC_MODEL: 'claude-sonnet-4-5',
      },
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const output = JSON.parse(stdout) as { is_error: boolean; result: string; num_turns: number };
    expect(output.is_error).toBe(false);
    expect(output.num_turns).toBeGreaterThanOrEqual(2);
    // The answer quotes what Claude Code's Bash tool really printed in the scratch folder.
    expect(output.result).toContain('marker-file.txt');
    const withResult = upstream.requests.find((request) => request.json<{ messages: ChatMessage[] }>().messages.some((message) => message.role === 'tool'));
    expect(withResult).toBeDefined();
    const messages = withResult!.json<{ messages: Array<ChatMessage & { tool_call_id?: string }> }>().messages;
    expect(messages.find((message) => message.role === 'tool')!.tool_call_id).toBe('call_ls');
  }, 120_000);
});
