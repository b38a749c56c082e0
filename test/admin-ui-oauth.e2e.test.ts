/** Logins the console starts, over its admin API: the new account lands in the pool and serves. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { startGeminiMock } from './mocks/gemini-mock.js';
import { startKiroMock } from './mocks/kiro-mock.js';
import { startHttpProxy } from './mocks/proxy-servers.js';
import { startQwenMock } from './mocks/qwen-mock.js';

const ADMIN_KEY = 'admin-secret-0123456789';
const CLIENT_KEY = 'client-key-0123456789';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(config: Record<string, unknown>): Promise<Harness> {
  const gateway = await startGateway({
    ADMIN_API_KEY: ADMIN_KEY,
    REQUIRED_API_KEY: CLIENT_KEY,
    PROVIDER_POOLS_FILE_PATH: 'configs/provider_pools.json',
    ...config,
  });
  cleanups.push(() => gateway.close(50));
  return gateway;
}

async function admin<T = Record<string, unknown>>(gateway: Harness, method: string, route: string, body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${gateway.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T };
}

describe('console logins', () => {
  it('Qwen device code: shows the code and link, polls until approved, adds the account, which serves', async () => {
    const qwen = await startQwenMock();
    cleanups.push(() => qwen.close());
    qwen.state.interval = 1;
    qwen.state.pollScript = ['authorization_pending'];
    const gateway = await start({ QWEN_OAUTH_BASE_URL: qwen.url });
    const started = await admin<{ id: string; status: string; userCode: string; verificationUrl: string }>(gateway, 'POST', '/api/oauth/qwen/start', {});
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ status: 'pending', userCode: 'ABCD-EFGH', verificationUrl: `${qwen.url}/authorize?user_code=ABCD-EFGH` });
    expect(JSON.stringify(started.json)).not.toContain('dc1');
    let flow = started.json as { status: string; uuid?: string; message?: string };
    await expect
      .poll(
        async () => {
          flow = (await admin<typeof flow>(gateway, 'GET', `/api/oauth/flows/${encodeURIComponent(started.json.id)}`)).json;
          return flow.status;
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe('done');
    const files = await admin<{ files: Array<{ uuid: string; file: string; exists: boolean; expiresAt?: string }> }>(gateway, 'GET', '/api/oauth/credentials');
    const added = files.json.files.find((file) => file.uuid === flow.uuid);
    expect(added).toMatchObject({ exists: true, expiresAt: expect.any(String) });
    expect((await stat(added!.file)).mode & 0o777).toBe(0o600);
    expect(path.dirname(added!.file)).toBe(path.join(gateway.cwd, 'configs/oauth/qwen'));

    const answer = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, 'model-provider': 'openai-qwen-oauth' },
      body: JSON.stringify({ model: 'qwen3-coder-plus', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-aiclient-instance')).toBe(flow.uuid);
  });

  it('goes through PROXY_URL for the types in PROXY_ENABLED_PROVIDERS (Qwen device code, Gemini code exchange), as the CLI logins do', async () => {
    const qwen = await startQwenMock();
    const gemini = await startGeminiMock();
    const proxy = await startHttpProxy({ user: 'u', password: 'p' });
    cleanups.push(
      () => qwen.close(),
      () => gemini.close(),
      () => proxy.close(),
    );
    qwen.state.interval = 1;
    const gateway = await start({
      QWEN_OAUTH_BASE_URL: qwen.url,
      GEMINI_BASE_URL: gemini.url,
      GEMINI_OAUTH_TOKEN_URL: `${gemini.url}/token`,
      GEMINI_OAUTH_AUTH_URL: `${gemini.url}/o/oauth2/v2/auth`,
      PROXY_URL: proxy.urlWith('u', 'p'),
      PROXY_ENABLED_PROVIDERS: ['openai-qwen-oauth', 'gemini-cli-oauth'],
    });

    const qwenLogin = await admin<{ id: string }>(gateway, 'POST', '/api/oauth/qwen/start', {});
    expect(qwenLogin.status).toBe(200);
    await expect
      .poll(async () => (await admin<{ status: string }>(gateway, 'GET', `/api/oauth/flows/${encodeURIComponent(qwenLogin.json.id)}`)).json.status, {
        timeout: 15_000,
        interval: 250,
      })
      .toBe('done');
    expect(proxy.passed).toContain(`POST ${qwen.url}/api/v1/oauth2/device/code`);
    expect(proxy.passed).toContain(`POST ${qwen.url}/api/v1/oauth2/token`);

    const geminiLogin = await admin<{ authUrl: string }>(gateway, 'POST', '/api/oauth/gemini/start', { mode: 'paste' });
    expect(geminiLogin.status).toBe(200);
    const finalAddress = (await fetch(geminiLogin.json.authUrl, { redirect: 'manual' })).headers.get('location');
    const completed = await admin<{ status: string }>(gateway, 'POST', '/api/oauth/gemini/complete', { url: finalAddress });
    expect(completed).toMatchObject({ status: 200, json: { status: 'done' } });
    expect(proxy.passed).toContain(`POST ${gemini.url}/token`);
    expect(proxy.refused).toBe(0);
  });

  it('Kiro token upload: checks the token, stores it 0600, adds the account, which serves', async () => {
    const kiro = await startKiroMock();
    cleanups.push(() => kiro.close());
    const gateway = await start({
      KIRO_BASE_URL: kiro.chatUrl,
      KIRO_REFRESH_URL: kiro.refreshUrl,
      KIRO_REFRESH_IDC_URL: kiro.idcRefreshUrl,
      REQUEST_MAX_RETRIES: 0,
    });
    const refused = await admin<{ error: { message: string } }>(gateway, 'POST', '/api/oauth/kiro/import', { token: '{"hello": 1}' });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/^token: /);
    const token = {
      accessToken: kiro.state.accessToken,
      refreshToken: kiro.state.refreshToken,
      profileArn: kiro.state.profileArn,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      authMethod: 'social',
      provider: 'Google',
      region: 'us-east-1',
    };
    const imported = await admin<{ uuid: string; file: string; hasRefreshToken: boolean }>(gateway, 'POST', '/api/oauth/kiro/import', {
      token: JSON.stringify(token),
    });
    expect(imported.status).toBe(200);
    expect(imported.json.hasRefreshToken).toBe(true);
    expect(JSON.parse(await readFile(imported.json.file, 'utf8'))).toEqual(token);
    expect(JSON.stringify(imported.json)).not.toContain(token.accessToken);
    const pools = JSON.parse(await readFile(path.join(gateway.cwd, 'configs/provider_pools.json'), 'utf8'));
    expect(pools['claude-kiro-oauth']).toEqual([{ uuid: imported.json.uuid, KIRO_OAUTH_CREDS_FILE_PATH: imported.json.file }]);

    const answer = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01', 'model-provider': 'claude-kiro-oauth' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-aiclient-instance')).toBe(imported.json.uuid);
  });
});
