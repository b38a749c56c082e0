import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_MOCK_KEY, startAnthropicMock } from './mocks/anthropic-mock.js';
import { sendJson, startMockServer, type MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, startOpenAiMock } from './mocks/openai-mock.js';
import { adminHeaders, startGateway, type Harness } from './helpers/gateway-harness.js';

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
const claudeBody = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });

/** One request through undici, which (unlike a browser) lets the test set Host and Origin as an attacker would. */
async function send(
  gateway: Harness,
  pathName: string,
  options: { method?: 'GET' | 'POST' | 'OPTIONS'; headers?: Record<string, string>; body?: string } = {},
) {
  const response = await request(`${gateway.url}${pathName}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: options.headers,
    body: options.body,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, any> };
}

describe('a keyless gateway on loopback', () => {
  let upstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    upstream = await startOpenAiMock();
    gateway = await startGateway({
      MODEL_PROVIDER: 'openai-custom',
      OPENAI_API_KEY: OPENAI_MOCK_KEY,
      OPENAI_BASE_URL: upstream.url,
      CORS_ALLOWED_ORIGINS: ['https://app.example'],
      ALLOWED_HOSTS: 'gateway.lan',
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  it('refuses a simple cross-site POST from a foreign page before reading it, and never calls the upstream', async () => {
    const before = upstream.requests.length;
    for (const [contentType, body] of [
      ['text/plain', chatBody],
      ['application/x-www-form-urlencoded', 'a=1'],
      ['application/json', chatBody],
    ]) {
      const response = await send(gateway, '/v1/chat/completions', {
        headers: { origin: 'https://evil.example', 'content-type': contentType as string },
        body: body as string,
      });
      expect(response.status).toBe(403);
      expect(response.json().error).toMatchObject({ type: 'permission_error', message: expect.stringContaining('CORS_ALLOWED_ORIGINS') });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
    for (const origin of ['null', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example:3000']) {
      expect((await send(gateway, '/v1/models', { headers: { origin } })).status).toBe(403);
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('denies the CORS preflight of a foreign page and grants it to loopback pages and CORS_ALLOWED_ORIGINS', async () => {
    const preflight = (origin: string) =>
      send(gateway, '/v1/chat/completions', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization,x-stainless-os' },
      });
    const foreign = await preflight('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8080', 'http://[::1]:3000', 'https://app.example']) {
      const granted = await preflight(origin);
      expect(granted.status).toBe(204);
      expect(granted.headers['access-control-allow-origin']).toBe(origin);
      expect(granted.headers['access-control-allow-headers']).toContain('x-stainless-os');
    }
  });

  it('serves loopback pages and listed origins, echoing their origin for CORS', async () => {
    for (const origin of ['http://localhost:5173', 'https://app.example']) {
      const response = await send(gateway, '/v1/chat/completions', { headers: { origin, 'content-type': 'application/json' }, body: chatBody });
      expect(response.status).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe(origin);
    }
  });

  it('answers a text/plain or form body with 415 in the protocol shape, without parsing it', async () => {
    const before = upstream.requests.length;
    const openai = await send(gateway, '/v1/chat/completions', { headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: chatBody });
    expect(openai.status).toBe(415);
    expect(openai.json().error).toMatchObject({ type: 'invalid_request_error', param: 'content-type', message: expect.stringContaining('application/json') });
    const claude = await send(gateway, '/v1/messages', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: claudeBody });
    expect(claude.status).toBe(415);
    expect(claude.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const gemini = await send(gateway, '/v1beta/models/gemini-2.5-flash:generateContent', { headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(gemini.status).toBe(415);
    expect(gemini.json()).toMatchObject({ error: { code: 415 } });
    // Not even a malformed body is looked at.
    expect((await send(gateway, '/v1/chat/completions', { headers: { 'content-type': 'text/plain' }, body: '{oops' })).status).toBe(415);
    expect(upstream.requests.length).toBe(before);
    const withCharset = await send(gateway, '/v1/chat/completions', { headers: { 'content-type': 'Application/JSON; charset=utf-8' }, body: chatBody });
    expect(withCharset.status).toBe(200);
  });

  it('refuses a DNS-rebound Host name and answers to loopback names and ALLOWED_HOSTS', async () => {
    const port = String(gateway.port);
    const rebound = await send(gateway, '/v1/chat/completions', {
      headers: { host: `rebind.attacker.example:${port}`, 'content-type': 'application/json' },
      body: chatBody,
    });
    expect(rebound.status).toBe(403);
    expect(rebound.json().error).toMatchObject({ type: 'permission_error', message: expect.stringContaining('ALLOWED_HOSTS') });
    expect((await send(gateway, '/api/pools', { headers: { host: `rebind.attacker.example:${port}`, ...adminHeaders(gateway) } })).status).toBe(403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `gateway.lan:${port}`, 'GATEWAY.LAN']) {
      expect((await send(gateway, '/v1/models', { headers: { host } })).status).toBe(200);
    }
  });

  it('keeps the admin API closed without the generated admin password', async () => {
    const list = await send(gateway, '/api/pools');
    expect(list.status).toBe(401);
    expect(list.text).not.toContain(OPENAI_MOCK_KEY);
    expect((await send(gateway, '/provider_health')).status).toBe(401);
    const uuid = ((await send(gateway, '/api/pools', { headers: adminHeaders(gateway) })).json().groups[0].items[0] as { uuid: string }).uuid;
    const disable = await send(gateway, `/api/pools/${uuid}/disable`, { method: 'POST' });
    expect(disable.status).toBe(401);
    const pools = await send(gateway, '/api/pools', { headers: adminHeaders(gateway) });
    expect(pools.status).toBe(200);
    expect(pools.json().groups[0].items[0]).toMatchObject({ uuid, disabled: false });

    expect(gateway.adminSecret).toMatchObject({ source: 'generated', created: true });
    const file = path.join(gateway.cwd, 'admin_password');
    expect(gateway.adminSecret.file).toBe(file);
    expect((await readFile(file, 'utf8')).trim()).toBe(gateway.adminSecret.value);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(gateway.adminSecret.value.length).toBeGreaterThanOrEqual(20);
  });

  it('lets the console log in with the generated password, and its session passes the same admin check', async () => {
    const wrong = await send(gateway, '/api/session', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'admin123' }) });
    expect(wrong.status).toBe(401);
    const login = await send(gateway, '/api/session', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: gateway.adminSecret.value }),
    });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect((await send(gateway, '/api/pools', { headers: { cookie } })).status).toBe(200);
    expect((await send(gateway, '/provider_health', { headers: { cookie } })).status).toBe(200);
  });
});

describe('the generated admin password', () => {
  it('is reused on the next start and differs between installations', async () => {
    const first = await startGateway({});
    const second = await startGateway({});
    await first.close(100);
    await second.close(100);
    expect(first.adminSecret.value).not.toBe(second.adminSecret.value);
    // The same config file again: its directory holds the password.
    const again = await startGateway({}, ['--config', path.join(first.cwd, 'config.json')]);
    await again.close(100);
    expect(again.adminSecret).toMatchObject({ source: 'generated', created: false, value: first.adminSecret.value });
  });
});

describe('a gateway with a client key and ADMIN_API_KEY', () => {
  let upstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    upstream = await startAnthropicMock();
    gateway = await startGateway({
      MODEL_PROVIDER: 'claude-custom',
      CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
      CLAUDE_BASE_URL: upstream.url,
      REQUIRED_API_KEY: 'client-key',
      ADMIN_API_KEY: 'admin-key',
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  it('serves browser apps holding the client key from any origin', async () => {
    const response = await send(gateway, '/v1/messages', {
      headers: { origin: 'https://my-app.example', 'x-api-key': 'client-key', 'content-type': 'application/json' },
      body: claudeBody,
    });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('https://my-app.example');
  });

  it('does not take the client key as an admin key', async () => {
    expect((await send(gateway, '/api/pools', { headers: { authorization: 'Bearer client-key' } })).status).toBe(401);
    expect((await send(gateway, '/api/pools', { headers: { authorization: 'Bearer admin-key' } })).status).toBe(200);
    expect((await send(gateway, '/api/pools', { headers: { 'x-api-key': 'admin-key' } })).status).toBe(200);
  });
});

describe('failed authentications', () => {
  it('slows key guessing: after 10 failures a minute the address gets 429 with Retry-After, even with the right key', async () => {
    const gateway = await startGateway({ REQUIRED_API_KEY: 'client-key', ADMIN_API_KEY: 'admin-key' });
    const lines = gateway.logLines.length;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const headers: Record<string, string> = attempt % 2 === 0 ? { authorization: `Bearer guess-${attempt}` } : { 'x-api-key': `guess-${attempt}` };
      const path = attempt % 2 === 0 ? '/api/pools' : '/v1/models';
      expect((await send(gateway, path, { headers })).status).toBe(401);
    }
    for (const headers of [{ authorization: 'Bearer admin-key' }, { 'x-api-key': 'client-key', 'anthropic-version': '2023-06-01' }] as Array<
      Record<string, string>
    >) {
      const throttled = await send(gateway, headers.authorization ? '/api/pools' : '/v1/models', { headers });
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    const logged = gateway.logLines.slice(lines);
    expect(logged.filter((line) => line.msg === 'authentication failed')).toHaveLength(9);
    expect(logged.some((line) => String(line.msg).startsWith('authentication failures') && line.failures === 10)).toBe(true);
    expect(JSON.stringify(logged)).not.toMatch(/guess-/);
    await gateway.close(100);
  });
});

describe('a gateway with a client key and no ADMIN_API_KEY', () => {
  it('takes the client key for the admin API and writes no password file', async () => {
    const gateway = await startGateway({ REQUIRED_API_KEY: 'only-key' });
    try {
      expect(gateway.adminSecret).toMatchObject({ source: 'REQUIRED_API_KEY', created: false });
      expect((await send(gateway, '/api/pools', { headers: { authorization: 'Bearer only-key' } })).status).toBe(200);
      expect((await send(gateway, '/api/pools')).status).toBe(401);
      await expect(stat(path.join(gateway.cwd, 'admin_password'))).rejects.toThrow();
    } finally {
      await gateway.close(100);
    }
  });
});

describe('secrets in answers, logs and the state file', () => {
  it('masks an upstream key the upstream echoes, everywhere the error goes', async () => {
    const key = 'sk-live-0123456789abcdefSECRET';
    const upstream = await startMockServer((request, response) =>
      sendJson(response, 401, {
        error: { message: `Incorrect API key provided: ${String(request.headers.authorization).slice(7)}`, type: 'invalid_request_error' },
      }),
    );
    const pools = { 'openai-custom': [{ uuid: 'leaky', customName: 'leaky', OPENAI_API_KEY: key, OPENAI_BASE_URL: upstream.url }] };
    const gateway = await startGateway({ MODEL_PROVIDER: 'openai-custom', PROVIDER_POOLS_FILE_PATH: 'provider_pools.json' }, [], async (cwd) => {
      await writeFile(path.join(cwd, 'provider_pools.json'), JSON.stringify(pools));
    });
    try {
      const answer = await send(gateway, '/v1/chat/completions', { headers: { 'content-type': 'application/json' }, body: chatBody });
      expect(answer.status).toBe(401);
      expect(answer.json().error.message).toContain('Incorrect API key provided: sk-***CRET');
      const seen = [
        answer.text,
        (await send(gateway, '/api/pools', { headers: adminHeaders(gateway) })).text,
        (await send(gateway, '/provider_health', { headers: adminHeaders(gateway) })).text,
      ];
      expect(seen[1]).toContain('Incorrect API key provided');
      await gateway.close(100);
      const stateFile = path.join(gateway.cwd, 'provider_pools.state.json');
      expect((await stat(stateFile)).mode & 0o777).toBe(0o600);
      seen.push(await readFile(stateFile, 'utf8'), JSON.stringify(gateway.logLines));
      expect(seen[3]).toContain('Incorrect API key provided');
      for (const text of seen) expect(text).not.toContain('0123456789abcdef');
    } finally {
      await gateway.close(100);
      await upstream.close();
    }
  });
});
