/**
 * The failure paths a user hit before (issue 15), each through the real gateway over HTTP: prompt
 * logging on odd list entries, Gemini model names with escapes, a pools entry whose base URL is not a
 * URL (now refused at load by the account schema), an upstream 200 that is not JSON, and a Gemini string systemInstruction with an appended prompt.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, startAnthropicMock } from './mocks/anthropic-mock.js';
import { startMockServer, type MockServer } from './mocks/mock-server.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';

const KEY = 'client-key';

describe('failure paths answer cleanly', () => {
  let anthropic: MockServer;
  let notJson: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    anthropic = await startAnthropicMock();
    // An OpenAI-compatible upstream that answers 200 with an HTML page (a captive portal, a misrouted proxy).
    notJson = await startMockServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><body>Service temporarily moved</body></html>');
    });
    const promptDir = await mkdtemp(path.join(tmpdir(), 'aiclient2api-failure-'));
    const promptFile = path.join(promptDir, 'system.txt');
    await writeFile(promptFile, 'Answer in French.');
    gateway = await startGateway(
      {
        MODEL_PROVIDER: 'claude-custom',
        REQUIRED_API_KEY: KEY,
        REQUEST_MAX_RETRIES: 0,
        SYSTEM_PROMPT_FILE_PATH: promptFile,
        SYSTEM_PROMPT_MODE: 'append',
        PROMPT_LOG_MODE: 'console',
        PROVIDER_POOLS_FILE_PATH: 'provider_pools.json',
      },
      [],
      async (cwd) => {
        await writeFile(
          path.join(cwd, 'provider_pools.json'),
          JSON.stringify({
            // A uuid in any script: it cannot go into a response header as it is.
            'claude-custom': [{ uuid: 'claude-账户', CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY, CLAUDE_BASE_URL: anthropic.url }],
            'openai-custom': [{ uuid: 'html', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: notJson.url }],
            'openai-custom-broken': [{ uuid: 'broken', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'not a url', concurrencyLimit: 1 }],
          }),
        );
      },
    );
  });
  afterAll(async () => {
    await gateway.close(100);
    await anthropic.close();
    await notJson.close();
  });

  async function post(pathName: string, body: unknown) {
    const response = await fetch(`${gateway.url}${pathName}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text(), instance: response.headers.get('x-aiclient-instance') };
  }

  async function poolItems(): Promise<Array<Record<string, any>>> {
    const response = await fetch(`${gateway.url}/api/pools`, { headers: { authorization: `Bearer ${KEY}` } });
    const json = (await response.json()) as { groups: Array<{ items: Array<Record<string, any>> }> };
    return json.groups.flatMap((group) => group.items);
  }

  function expectNoLeaseHeld(items: Array<Record<string, any>>) {
    for (const item of items) expect({ uuid: item.uuid, inFlight: item.inFlight }).toEqual({ uuid: item.uuid, inFlight: 0 });
  }

  it('keeps a good answer good when prompt logging meets list entries that are not objects', async () => {
    const claude = await post('/v1/messages', {
      model: 'claude-sonnet-4-5',
      max_tokens: 16,
      system: [{ type: 'text', text: 0 }, null],
      messages: [null, { role: 'user', content: [7, null, { type: 'text', text: 'Hi' }] }],
    });
    expect(claude.status).toBe(200);
    expect(claude.instance).toBe('claude-%E8%B4%A6%E6%88%B7');
    expect(JSON.parse(claude.text)).toMatchObject({ content: [{ type: 'text', text: 'Hello from anthropic-mock!' }] });
    const streamed = await post('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 16, stream: true, messages: [1, { role: 'user', content: 'Hi' }] });
    expect(streamed.status).toBe(200);
    expect(streamed.instance).toBe('claude-%E8%B4%A6%E6%88%B7');
    expect(streamed.text).toContain('event: message_stop');
    // A converted client names the bad entry instead of failing after the upstream answered.
    const responses = await post('/v1/responses', { model: 'claude-sonnet-4-5', input: [null, { role: 'user', content: 'Hi' }] });
    expect(responses.status).toBe(400);
    expect(JSON.parse(responses.text).error.message).toContain('input[0]');
    expectNoLeaseHeld(await poolItems());
    expect(gateway.logLines.some((line) => String(line.msg).includes('released twice'))).toBe(false);
    const prompts = gateway.logLines.filter((line) => line.msg === 'prompt log');
    expect(prompts.length).toBeGreaterThanOrEqual(2);
  });

  it('decodes a Gemini model name exactly once', async () => {
    const before = anthropic.requests.length;
    const result = await post('/v1beta/models/claude%25E0:generateContent', { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    expect(result.status).toBe(200);
    expect(anthropic.requests.slice(before).map((request) => request.json().model)).toEqual(['claude%E0']);
  });

  it('skips a pools entry whose base URL is not a URL when the file loads, naming the entry and the field; the rest serves', async () => {
    // The account schema of openai-custom catches it at load (issue 21), before any request could use it.
    const warning = gateway.logLines.find((line) => String(line.msg).includes('uuid broken skipped'));
    expect(warning?.msg).toContain('openai-custom-broken uuid broken skipped: OPENAI_BASE_URL: expected an http:// or https:// URL');
    expect((await poolItems()).map((item) => item.uuid)).not.toContain('broken');
    const result = await post('/openai-custom-broken/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(result.status).toBe(503);
    expect((await post('/claude-custom/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] })).status).toBe(
      200,
    );
  });

  it('answers a converted request whose upstream sent 200 with a non-JSON body with a 502 in the client shape', async () => {
    const result = await post('/openai-custom/v1/messages', { model: 'gpt-4o', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    expect(result.status).toBe(502);
    const body = JSON.parse(result.text);
    expect(body).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(body.error.message).toContain('not JSON');
    const html = (await poolItems()).find((item) => item.uuid === 'html')!;
    expect(html).toMatchObject({ inFlight: 0, errorCount: 1, lastError: { kind: 'upstream', status: 502 } });
  });

  it('keeps a Gemini systemInstruction given as a string when a system prompt is appended', async () => {
    const before = anthropic.requests.length;
    const result = await post('/v1beta/models/claude-sonnet-4-5:generateContent', {
      systemInstruction: 'You are terse.',
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
    });
    expect(result.status).toBe(200);
    const system = JSON.stringify(anthropic.requests.slice(before)[0]!.json().system);
    expect(system).toContain('You are terse.');
    expect(system).toContain('Answer in French.');
    expect(system.indexOf('You are terse.')).toBeLessThan(system.indexOf('Answer in French.'));
  });
});
