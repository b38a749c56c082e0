import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, startAnthropicMock } from './mocks/anthropic-mock.js';
import type { MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, startOpenAiMock } from './mocks/openai-mock.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

/** About `bytes` of conversation with escapes, non-ASCII text and nested tool blocks, as a coding agent sends. */
function conversation(bytes: number): Array<Record<string, unknown>> {
  const messages: Array<Record<string, unknown>> = [];
  const text = 'const path = "C:\\\\src\\\\app.ts"; // naïve café 東京 😀\n\t"quoted"\n'.repeat(50);
  for (let length = 0; length < bytes; length += text.length + 200) {
    messages.push({ role: 'user', content: [{ type: 'text', text }] });
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `t${length}`, name: 'read', input: { nested: { deep: [1, { x: null }] } } }] });
  }
  return messages;
}

async function post(url: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('large request bodies through passthrough', () => {
  let openai: MockServer;
  let anthropic: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    openai = await startOpenAiMock();
    anthropic = await startAnthropicMock();
    const dir = await mkdtemp(path.join(tmpdir(), 'aiclient2api-large-'));
    const promptFile = path.join(dir, 'system.txt');
    await writeFile(promptFile, 'Answer briefly.');
    gateway = await startGateway({
      MODEL_PROVIDER: 'openai-custom',
      OPENAI_API_KEY: OPENAI_MOCK_KEY,
      OPENAI_BASE_URL: openai.url,
      CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
      CLAUDE_BASE_URL: anthropic.url,
      SYSTEM_PROMPT_FILE_PATH: promptFile,
      SYSTEM_PROMPT_MODE: 'overwrite',
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await openai.close();
    await anthropic.close();
  });

  it('forwards a 1 MB Claude body with the model prefix removed, internal fields dropped and the system prompt set, the rest byte for byte', async () => {
    const messages = conversation(1_000_000);
    const messagesText = JSON.stringify(messages);
    // Duplicate keys and odd spacing: the last `model` counts, as in JSON.parse.
    const body = `{"model":"ignored", "_trace" : {"a":1},\n "model" : "claude-custom:claude-sonnet-4-5","system":"You are Claude Code.","max_tokens":64,"messages":${messagesText}}`;
    expect(body.length).toBeGreaterThan(1_000_000);
    const { status, json } = await post(`${gateway.url}/v1/messages`, body);
    expect(status).toBe(200);
    expect(json.type).toBe('message');
    const sent = anthropic.requests.at(-1)!;
    expect(sent.json()).toEqual({ model: 'claude-sonnet-4-5', system: 'Answer briefly.', max_tokens: 64, messages });
    // The conversation is not re-serialised: its bytes reach the upstream as the client wrote them.
    expect(sent.body.toString('utf8')).toContain(`"messages":${messagesText}`);
  });

  it('replaces the system messages of a large OpenAI body and keeps every other message as sent', async () => {
    const turns = conversation(300_000).map((message) => ({ role: message.role, content: JSON.stringify(message.content) }));
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'old' }, ...turns, { role: 'developer', content: 'also old' }], _meta: 1 };
    const { status } = await post(`${gateway.url}/v1/chat/completions`, JSON.stringify(body));
    expect(status).toBe(200);
    const sent = openai.requests.at(-1)!;
    expect(sent.json()).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Answer briefly.' }, ...turns] });
    expect(sent.body.toString('utf8')).toContain(JSON.stringify(turns).slice(1, -1));
  });

  it('answers a large body with a syntax error with 400 in the client protocol, naming the problem', async () => {
    const body = `{"model":"gpt-4o-mini","messages":${JSON.stringify(conversation(500_000))},"temperature":0.}`;
    const before = openai.requests.length;
    const { status, json } = await post(`${gateway.url}/v1/chat/completions`, body);
    expect(status).toBe(400);
    expect((json.error as Record<string, unknown>).message).toMatch(/^Malformed JSON in request body: /);
    expect(openai.requests.length).toBe(before);
  });

  it('answers a raw control character inside a string with 400, as JSON.parse would', async () => {
    const { status, json } = await post(
      `${gateway.url}/v1/messages`,
      '{"model":"claude-custom:claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"a\u0001b"}]}',
    );
    expect(status).toBe(400);
    expect(json.type).toBe('error');
  });
});
