/** The console's server side over plain HTTP: sessions, the login limit, the page's caching, the admin guard. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { ensureUiBuilt } from './ui/browser.js';

const ADMIN_KEY = 'admin-secret-0123456789';
const running: Harness[] = [];
afterEach(async () => {
  for (const gateway of running.splice(0)) await gateway.close(50);
});

async function start(config: Record<string, unknown> = {}): Promise<Harness> {
  ensureUiBuilt();
  const gateway = await startGateway({
    ADMIN_API_KEY: ADMIN_KEY,
    REQUIRED_API_KEY: 'client-key-0123456789',
    OPENAI_API_KEY: 'sk-config-secret-9876',
    ...config,
  });
  running.push(gateway);
  return gateway;
}

async function login(gateway: Harness, password: string) {
  return fetch(`${gateway.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
}

describe('admin console server', () => {
  it('keeps HEAD / and the JSON of GET / for clients, and sends a browser to /ui/', async () => {
    const gateway = await start();
    expect((await fetch(`${gateway.url}/`, { method: 'HEAD' })).status).toBe(200);
    expect(await (await fetch(`${gateway.url}/`)).json()).toEqual({ name: 'aiclient2api', status: 'ok' });
    const browser = await fetch(`${gateway.url}/`, { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/ui/');
  });

  it('serves index.html with a short cache and hashed assets with a long one, gzipped, under a strict CSP', async () => {
    const gateway = await start();
    const index = await fetch(`${gateway.url}/ui/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    const script = /src="(\/ui\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${gateway.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${gateway.url}/ui/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${gateway.url}/ui/providers`)).headers.get('content-type')).toContain('text/html');
  });

  it('issues an HttpOnly SameSite=Strict session for the admin key; the session opens the admin API until logout', async () => {
    const gateway = await start();
    expect((await fetch(`${gateway.url}/api/pools`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/api/config`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/api/pool-entries`)).status).toBe(401);
    const response = await login(gateway, ADMIN_KEY);
    expect(response.status).toBe(200);
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^aiclient_session=[\w.-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const cookie = setCookie.split(';')[0] as string;
    expect((await fetch(`${gateway.url}/api/pools`, { headers: { cookie } })).status).toBe(200);
    expect(await (await fetch(`${gateway.url}/api/session`, { headers: { cookie } })).json()).toMatchObject({
      authenticated: true,
      version: expect.any(String),
    });
    expect((await fetch(`${gateway.url}/api/pools`, { headers: { cookie: 'aiclient_session=forged' } })).status).toBe(401);
    // The admin key itself still works for scripts.
    expect((await fetch(`${gateway.url}/api/pools`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(200);
    await fetch(`${gateway.url}/api/session`, { method: 'DELETE', headers: { cookie } });
    expect((await fetch(`${gateway.url}/api/pools`, { headers: { cookie } })).status).toBe(401);
  });

  it('refuses wrong keys and, after ten (wrong header keys count too), makes the address wait even with the right one', async () => {
    const gateway = await start();
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await login(gateway, `wrong-${attempt}`)).status).toBe(401);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await fetch(`${gateway.url}/api/pools`, { headers: { authorization: `Bearer wrong-${attempt}` } })).status).toBe(401);
    }
    const limited = await login(gateway, ADMIN_KEY);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { message: string } }).error.message).toContain('Too many failed authentication attempts');
  });

  it('keeps a session valid on another gateway process with the same admin key and after a restart; a new admin key ends it', async () => {
    const first = await start();
    const cookie = ((await login(first, ADMIN_KEY)).headers.get('set-cookie') as string).split(';')[0] as string;
    await first.close(50);
    running.splice(running.indexOf(first), 1);
    const second = await start();
    expect((await fetch(`${second.url}/api/pools`, { headers: { cookie } })).status).toBe(200);
    const rekeyed = await start({ ADMIN_API_KEY: 'another-admin-secret-0123' });
    expect((await fetch(`${rekeyed.url}/api/pools`, { headers: { cookie } })).status).toBe(401);
    // A token changed by one character is refused.
    const forged = cookie.slice(0, -1) + (cookie.endsWith('A') ? 'B' : 'A');
    expect((await fetch(`${second.url}/api/pools`, { headers: { cookie: forged } })).status).toBe(401);
  });

  it('shows the effective config with secrets masked', async () => {
    const gateway = await start({ GEMINI_OAUTH_TOKEN_URL: 'http://127.0.0.1:9/token', CLAUDE_BASE_URL: 'https://me:base-url-pass-42@claude.example' });
    const answer = (await (await fetch(`${gateway.url}/api/config`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
      config: Record<string, unknown>;
    };
    expect(answer.config.OPENAI_API_KEY).toBe('sk-…9876');
    expect(answer.config.ADMIN_API_KEY).toBe('adm…6789');
    expect(answer.config.UI_ENABLED).toBe(true);
    expect(answer.config.OPENAI_BASE_URL).toBe('https://api.openai.com/v1');
    expect(answer.config.GEMINI_OAUTH_TOKEN_URL).toBe('http://127.0.0.1:9/token');
    // A password inside a URL (REDIS_URL, a base URL) is hidden, the rest of the URL shown.
    expect(answer.config.CLAUDE_BASE_URL).toBe('https://me:***@claude.example');
    expect(JSON.stringify(answer)).not.toContain('base-url-pass-42');
    expect(JSON.stringify(answer)).not.toContain('sk-config-secret-9876');
  });

  it('refuses a pools entry the gateway would skip, naming the field, and writes nothing', async () => {
    const gateway = await start({ PROVIDER_POOLS_FILE_PATH: 'pools.json' });
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const badType = await fetch(`${gateway.url}/api/pool-entries`, { method: 'POST', headers, body: JSON.stringify({ group: 'no-such-type', entry: {} }) });
    expect(badType.status).toBe(400);
    expect(((await badType.json()) as { error: { message: string } }).error.message).toContain('group: "no-such-type" is not a provider type');
    const badWeight = await fetch(`${gateway.url}/api/pool-entries`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ group: 'openai-custom', entry: { weight: 0, OPENAI_API_KEY: 'k' } }),
    });
    expect(badWeight.status).toBe(400);
    expect(((await badWeight.json()) as { error: { message: string } }).error.message).toContain('weight');
    // A provider field its backend's account schema refuses: the loader would skip the entry.
    const badUrl = await fetch(`${gateway.url}/api/pool-entries`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ group: 'openai-custom', entry: { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'api.openai.com/v1' } }),
    });
    expect(badUrl.status).toBe(400);
    expect(((await badUrl.json()) as { error: { message: string } }).error.message).toContain('OPENAI_BASE_URL: expected an http:// or https:// URL');
    await expect(readFile(path.join(gateway.cwd, 'pools.json'), 'utf8')).rejects.toThrow();
  });

  it('never stores a secret sent back masked, and keeps one left out', async () => {
    const gateway = await start({ PROVIDER_POOLS_FILE_PATH: 'pools.json' });
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const created = await fetch(`${gateway.url}/api/pool-entries`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ group: 'openai-custom', entry: { uuid: 'k1', OPENAI_API_KEY: 'sk-real-secret-c0de', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } }),
    });
    expect(await created.json()).toMatchObject({ uuid: 'k1', OPENAI_API_KEY: 'sk-…c0de' });
    const stored = async () => JSON.parse(await readFile(path.join(gateway.cwd, 'pools.json'), 'utf8'))['openai-custom'][0];
    await fetch(`${gateway.url}/api/pool-entries/k1`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ entry: { OPENAI_API_KEY: 'sk-…c0de', customName: 'one' } }),
    });
    expect(await stored()).toMatchObject({ uuid: 'k1', OPENAI_API_KEY: 'sk-real-secret-c0de', customName: 'one' });
    await fetch(`${gateway.url}/api/pool-entries/k1`, { method: 'PUT', headers, body: JSON.stringify({ entry: { customName: 'two' } }) });
    expect(await stored()).toEqual({ uuid: 'k1', OPENAI_API_KEY: 'sk-real-secret-c0de', customName: 'two' });
    const listed = await (await fetch(`${gateway.url}/api/pool-entries`, { headers })).text();
    expect(listed).not.toContain('sk-real-secret-c0de');
  });

  it('masks what the account schemas mark secret though its name does not say so (a proxy URL with its password)', async () => {
    const gateway = await start({ PROVIDER_POOLS_FILE_PATH: 'pools.json', PROXY_URL: 'http://user:global-pass-1234@127.0.0.1:9' });
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const config = await (await fetch(`${gateway.url}/api/config`, { headers })).text();
    expect(config).not.toContain('global-pass-1234');
    const proxy = 'socks5://user:entry-pass-5678@127.0.0.1:9';
    const created = await fetch(`${gateway.url}/api/pool-entries`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ group: 'openai-custom', entry: { uuid: 'p1', OPENAI_API_KEY: 'sk-real-secret-c0de', PROXY_URL: proxy } }),
    });
    const shown = (await created.json()) as Record<string, string>;
    expect(shown.PROXY_URL).toBe('soc….1:9');
    await fetch(`${gateway.url}/api/pool-entries/p1`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ entry: { OPENAI_API_KEY: 'sk-…c0de', PROXY_URL: shown.PROXY_URL, customName: 'one' } }),
    });
    const stored = JSON.parse(await readFile(path.join(gateway.cwd, 'pools.json'), 'utf8'))['openai-custom'][0];
    expect(stored).toEqual({ uuid: 'p1', OPENAI_API_KEY: 'sk-real-secret-c0de', PROXY_URL: proxy, customName: 'one' });
    expect(await (await fetch(`${gateway.url}/api/pool-entries`, { headers })).text()).not.toContain('entry-pass-5678');
  });

  it('with UI_ENABLED false serves no console and no session routes', async () => {
    const gateway = await start({ UI_ENABLED: false });
    expect((await fetch(`${gateway.url}/ui/`)).status).toBe(404);
    expect((await login(gateway, ADMIN_KEY)).status).toBe(404);
    expect(await (await fetch(`${gateway.url}/`, { headers: { accept: 'text/html' } })).json()).toEqual({ name: 'aiclient2api', status: 'ok' });
  });
});
