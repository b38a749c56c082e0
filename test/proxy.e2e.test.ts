import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { ANTHROPIC_MOCK_KEY, startAnthropicMock } from './mocks/anthropic-mock.js';
import type { MockServer } from './mocks/mock-server.js';
import { openaiCompletion, startOpenAiMock } from './mocks/openai-mock.js';
import { startHttpProxy, startSocks5Proxy } from './mocks/proxy-servers.js';
import { startQwenMock } from './mocks/qwen-mock.js';
import { PassThrough } from 'node:stream';
import { createQwenDeviceLogin } from '../src/providers/openai-qwen-oauth/qwen-device-login.js';

/** Outbound proxies: PROXY_URL + PROXY_ENABLED_PROVIDERS, a pools entry's own PROXY_URL, HTTP and SOCKS5, with credentials. */
const USER = 'proxy-user';
const PASSWORD = 's3cret-proxy-pass';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function started<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
  const value = await server;
  closers.push(() => value.close());
  return value;
}

async function gateway(config: Record<string, unknown>, pools: Record<string, unknown[]>): Promise<Harness> {
  const harness = await startGateway(
    { MODEL_PROVIDER: 'openai-custom', REQUEST_MAX_RETRIES: 0, ...config, PROVIDER_POOLS_FILE_PATH: 'provider_pools.json' },
    [],
    (cwd) => writeFile(path.join(cwd, 'provider_pools.json'), JSON.stringify(pools)),
  );
  closers.push(() => harness.close(50));
  return harness;
}

const openai = (harness: Harness) => new OpenAI({ apiKey: 'unused', baseURL: `${harness.url}/v1`, maxRetries: 0 });
const hi = [{ role: 'user' as const, content: 'Hi' }];
const port = (mock: MockServer) => new URL(mock.url).port;

function expectNoSecretIn(harness: Harness): void {
  expect(JSON.stringify(harness.logLines)).not.toContain(PASSWORD);
}

describe('outbound proxy', () => {
  it('sends the enabled provider types through an HTTP proxy with credentials, and the others direct', async () => {
    const proxy = await started(startHttpProxy({ user: USER, password: PASSWORD }));
    const openaiMock = await started(startOpenAiMock({ key: 'k-o', name: 'openai' }));
    const claudeMock = await started(startAnthropicMock());
    const harness = await gateway(
      { PROXY_URL: proxy.urlWith(USER, PASSWORD), PROXY_ENABLED_PROVIDERS: ['openai-custom'] },
      {
        'openai-custom': [{ uuid: 'o1', OPENAI_API_KEY: 'k-o', OPENAI_BASE_URL: openaiMock.url }],
        'claude-custom': [{ uuid: 'c1', CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY, CLAUDE_BASE_URL: claudeMock.url }],
      },
    );
    const completion = await openai(harness).chat.completions.create({ model: 'gpt-4o-mini', messages: hi });
    expect(completion.choices[0]?.message.content).toBe('Hello from openai!');
    const stream = await openai(harness).chat.completions.create({ model: 'gpt-4o-mini', messages: hi, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from openai!');
    const claude = new Anthropic({ apiKey: 'unused', baseURL: `${harness.url}/claude-custom`, maxRetries: 0 });
    await claude.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: hi });

    // Plain-HTTP upstreams are forwarded with absolute URIs; claude-custom is not enabled, so it went direct.
    expect(proxy.passed).toEqual([
      `POST http://127.0.0.1:${port(openaiMock)}/v1/chat/completions`,
      `POST http://127.0.0.1:${port(openaiMock)}/v1/chat/completions`,
    ]);
    expect(proxy.credentials).toEqual(Array(2).fill(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`));
    expect(claudeMock.requests).toHaveLength(1);
    expect(harness.logLines.some((line) => line.proxy === `http://***@127.0.0.1:${new URL(proxy.url).port}`)).toBe(true);
    expectNoSecretIn(harness);
  });

  it("lets a pools entry's own PROXY_URL win (here SOCKS5 with credentials) while its siblings use the global one", async () => {
    const httpProxy = await started(startHttpProxy());
    const socks = await started(startSocks5Proxy({ user: USER, password: PASSWORD }));
    const viaGlobal = await started(startOpenAiMock({ key: 'k-a', name: 'a' }));
    const viaOwn = await started(startOpenAiMock({ key: 'k-b', name: 'b' }));
    const harness = await gateway(
      { PROXY_URL: httpProxy.url, PROXY_ENABLED_PROVIDERS: 'openai-custom' },
      {
        'openai-custom': [
          { uuid: 'a', OPENAI_API_KEY: 'k-a', OPENAI_BASE_URL: viaGlobal.url },
          { uuid: 'b', OPENAI_API_KEY: 'k-b', OPENAI_BASE_URL: viaOwn.url, PROXY_URL: socks.urlWith(USER, PASSWORD) },
        ],
      },
    );
    const served = new Set<string>();
    for (let index = 0; index < 4; index += 1) {
      const { data } = await openai(harness).chat.completions.create({ model: 'gpt-4o-mini', messages: hi }).withResponse();
      served.add(data.choices[0]!.message.content!);
    }
    expect([...served].sort()).toEqual(['Hello from a!', 'Hello from b!']);
    expect(httpProxy.passed).toEqual(Array(2).fill(`POST http://127.0.0.1:${port(viaGlobal)}/v1/chat/completions`));
    // Keep-alive: one SOCKS tunnel may carry both of b's requests.
    expect(socks.passed.length).toBeGreaterThanOrEqual(1);
    expect(new Set(socks.passed)).toEqual(new Set([`SOCKS 127.0.0.1:${port(viaOwn)}`]));
    expect(socks.credentials.every((pair) => pair === `${USER}:${PASSWORD}`)).toBe(true);
    expect(viaOwn.requests).toHaveLength(2);
    expectNoSecretIn(harness);
  });

  it('sends OAuth token refreshes through the proxy too (openai-qwen-oauth over SOCKS5)', async () => {
    const socks = await started(startSocks5Proxy());
    const qwen = await started(startQwenMock());
    qwen.grant('old-access', 'old-refresh');
    const directory = await mkdtemp(path.join(tmpdir(), 'qwen-proxy-'));
    const credentials = path.join(directory, 'oauth_creds.json');
    // Expired: the first request refreshes it.
    await writeFile(
      credentials,
      JSON.stringify({ access_token: 'old-access', refresh_token: 'old-refresh', resource_url: qwen.url, expiry_date: Date.now() - 1000 }),
      { mode: 0o600 },
    );
    const harness = await gateway(
      { MODEL_PROVIDER: 'openai-qwen-oauth', PROXY_URL: socks.url, PROXY_ENABLED_PROVIDERS: ['openai-qwen-oauth'], QWEN_OAUTH_BASE_URL: qwen.url },
      { 'openai-qwen-oauth': [{ uuid: 'q1', QWEN_OAUTH_CREDS_FILE_PATH: credentials }] },
    );
    const completion = await openai(harness).chat.completions.create({ model: 'coder-model', messages: hi });
    expect(completion.choices[0]?.message.content).toMatch(/Hello/);
    const paths = qwen.requests.map((request) => request.path);
    expect(paths).toEqual(['/api/v1/oauth2/token', '/v1/chat/completions']);
    // Both the refresh (undici fetch) and the chat went through the proxy: nothing reached the mock directly.
    expect(socks.passed.length).toBeGreaterThanOrEqual(1);
    expect(new Set(socks.passed)).toEqual(new Set([`SOCKS 127.0.0.1:${port(qwen)}`]));
  });

  it('tunnels an https:// upstream through the HTTP proxy with CONNECT, and through SOCKS5 with TLS on top', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'proxy-tls-'));
    const [key, cert] = [path.join(directory, 'key.pem'), path.join(directory, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const upstream = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const text = JSON.stringify(openaiCompletion((JSON.parse(body) as { model: string }).model, 'Hello over TLS!'));
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
    upstream.on('connection', (socket) => closers.push(async () => void socket.destroy()));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    // The self-signed test certificate: trusted for this test only (CONNECT is what is under test, not PKI).
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    closers.push(async () => {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    });
    const proxy = await started(startHttpProxy({ user: USER, password: PASSWORD }));
    const socks = await started(startSocks5Proxy());
    const base = `https://127.0.0.1:${upstreamPort}/v1`;
    const harness = await gateway(
      { PROXY_URL: proxy.urlWith(USER, PASSWORD), PROXY_ENABLED_PROVIDERS: ['openai-custom'] },
      {
        'openai-custom': [
          { uuid: 'o1', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: base },
          { uuid: 'o2', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: base, PROXY_URL: socks.url },
        ],
      },
    );
    for (let index = 0; index < 2; index += 1) {
      const completion = await openai(harness).chat.completions.create({ model: 'gpt-4o-mini', messages: hi });
      expect(completion.choices[0]?.message.content).toBe('Hello over TLS!');
    }
    expect(proxy.passed).toEqual([`CONNECT 127.0.0.1:${upstreamPort}`]);
    expect(socks.passed).toEqual([`SOCKS 127.0.0.1:${upstreamPort}`]);
    expectNoSecretIn(harness);
  });

  it('runs the Qwen device login through the proxy when its type is enabled', async () => {
    const proxy = await started(startHttpProxy({ user: USER, password: PASSWORD }));
    const qwen = await started(startQwenMock());
    const cwd = await mkdtemp(path.join(tmpdir(), 'qwen-login-proxy-'));
    const output = new PassThrough();
    output.resume();
    let now = 1_800_000_000_000;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    await createQwenDeviceLogin(clock).run([], {
      settings: {
        QWEN_OAUTH_BASE_URL: qwen.url,
        QWEN_OAUTH_CREDS_FILE_PATH: 'qwen.json',
        PROXY_URL: proxy.urlWith(USER, PASSWORD),
        PROXY_ENABLED_PROVIDERS: ['openai-qwen-oauth'],
      },
      cwd,
      output,
      signal: new AbortController().signal,
    });
    expect(JSON.parse(await readFile(path.join(cwd, 'qwen.json'), 'utf8'))).toMatchObject({ token_type: 'Bearer' });
    expect(proxy.passed).toEqual([`POST http://127.0.0.1:${port(qwen)}/api/v1/oauth2/device/code`, `POST http://127.0.0.1:${port(qwen)}/api/v1/oauth2/token`]);
  });

  it('answers 502 when the proxy refuses the credentials, without the password in the answer or the logs', async () => {
    const proxy = await started(startHttpProxy({ user: USER, password: 'the-right-one' }));
    const mock = await started(startOpenAiMock({ key: 'k', name: 'm' }));
    const harness = await gateway(
      { PROXY_URL: proxy.urlWith(USER, PASSWORD), PROXY_ENABLED_PROVIDERS: ['openai-custom'] },
      { 'openai-custom': [{ uuid: 'o1', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: mock.url }] },
    );
    const response = await fetch(`${harness.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: hi }),
    });
    const text = await response.text();
    expect(response.status).toBe(502);
    expect(text).toContain('407');
    expect(text).not.toContain(PASSWORD);
    expect(proxy.refused).toBe(1);
    expect(mock.requests).toHaveLength(0);
    expectNoSecretIn(harness);
  });

  it('refuses to start with a PROXY_URL it cannot use, naming the key but not the credentials', async () => {
    await expect(gateway({ PROXY_URL: `ftp://${USER}:${PASSWORD}@127.0.0.1:1` }, {})).rejects.toThrow(/PROXY_URL: has protocol ftp:/);
    await expect(gateway({ PROXY_URL: `ftp://${USER}:${PASSWORD}@127.0.0.1:1` }, {})).rejects.not.toThrow(PASSWORD);
  });
});
