import { createHash } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAuth } from '../../../cli/auth.js';
import { startGeminiMock, type GeminiMock } from '../../../../test/mocks/gemini-mock.js';
import { geminiCliOAuthAdapter } from '../index.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface LoginRun {
  mock: GeminiMock;
  file: string;
  done: Promise<void>;
  output: () => string;
  /** The URL the person is told to open, once printed. */
  authUrl: () => Promise<URL>;
  controller: AbortController;
}

async function startLogin(extraArgs: string[] = []): Promise<LoginRun> {
  const mock = await startGeminiMock();
  cleanups.push(() => mock.close());
  const directory = await mkdtemp(path.join(tmpdir(), 'gemini-login-'));
  const file = path.join(directory, 'nested', 'oauth_creds.json');
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const controller = new AbortController();
  const done = geminiCliOAuthAdapter.login!.run(['--port', '0', '--output', file, ...extraArgs], {
    settings: { GEMINI_OAUTH_AUTH_URL: `${mock.url}/o/oauth2/v2/auth`, GEMINI_OAUTH_TOKEN_URL: `${mock.url}/token` },
    cwd: directory,
    output: stream,
    signal: controller.signal,
  });
  done.catch(() => undefined);
  const authUrl = async () => {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const match = /(http:\/\/127\.0\.0\.1:\d+\/o\/oauth2\/v2\/auth\?\S+)/.exec(text);
      if (match?.[1]) return new URL(match[1]);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no URL printed: ${text}`);
  };
  return { mock, file, done, output: () => text, authUrl, controller };
}

/** What the browser does: open the URL, consent (the mock approves at once), follow the redirect. */
async function consent(url: URL): Promise<string> {
  const approval = await fetch(url, { redirect: 'manual' });
  expect(approval.status).toBe(302);
  return approval.headers.get('location')!;
}

describe('aiclient2api auth gemini', () => {
  it('runs the loopback flow with PKCE and state, and writes the credential file (0600)', async () => {
    const login = await startLogin();
    const url = await login.authUrl();
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      access_type: 'offline',
      code_challenge_method: 'S256',
      scope: 'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email',
    });
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/oauth2callback$/);
    expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);

    const page = await fetch(await consent(url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Signed in');
    await login.done;

    const saved = JSON.parse(await readFile(login.file, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ access_token: 'ya29.new-1', refresh_token: '1//login-1', token_type: 'Bearer', id_token: 'x.y.z' });
    expect(saved.expiry_date as number).toBeGreaterThan(Date.now() + 3_000_000);
    expect((await stat(login.file)).mode & 0o777).toBe(0o600);
    expect(login.output()).toContain(`Saved Gemini credentials to ${login.file}`);

    const exchange = new URLSearchParams(login.mock.calls('/token')[0]!.body.toString());
    expect(exchange.get('grant_type')).toBe('authorization_code');
    expect(exchange.get('redirect_uri')).toBe(url.searchParams.get('redirect_uri'));
    expect(createHash('sha256').update(exchange.get('code_verifier')!).digest('base64url')).toBe(url.searchParams.get('code_challenge'));
  });

  it('refuses a redirect with a wrong state and keeps waiting for the real one', async () => {
    const login = await startLogin();
    const location = new URL(await consent(await login.authUrl()));
    const forged = new URL(location);
    forged.searchParams.set('state', 'forged');
    expect((await fetch(forged)).status).toBe(400);
    expect((await fetch(location)).status).toBe(200);
    await login.done;
    expect(login.mock.calls('/token')).toHaveLength(1);
  });

  it('fails clearly when the person denies access, writing nothing', async () => {
    const login = await startLogin();
    const url = await login.authUrl();
    const redirect = new URL(url.searchParams.get('redirect_uri')!);
    redirect.searchParams.set('error', 'access_denied');
    redirect.searchParams.set('state', url.searchParams.get('state')!);
    expect((await fetch(redirect)).status).toBe(400);
    await expect(login.done).rejects.toMatchObject({ code: 'oauth_login_failed', message: expect.stringMatching(/access_denied/) });
    await expect(stat(login.file)).rejects.toThrow();
  });

  it('stops when cancelled, and rejects unknown options', async () => {
    const login = await startLogin();
    await login.authUrl();
    login.controller.abort();
    await expect(login.done).rejects.toThrow(/login cancelled/);
    const bad = await startLogin(['--bogus']);
    await expect(bad.done).rejects.toThrow(/Unknown option "--bogus"/);
  });

  it('is what `aiclient2api auth gemini --config FILE` runs, with paths from the config', async () => {
    const mock = await startGeminiMock();
    cleanups.push(() => mock.close());
    const directory = await mkdtemp(path.join(tmpdir(), 'gemini-cli-auth-'));
    const config = path.join(directory, 'config.json');
    const file = path.join(directory, 'creds', 'gemini.json');
    await writeFile(
      config,
      JSON.stringify({
        GEMINI_OAUTH_CREDS_FILE_PATH: file,
        GEMINI_OAUTH_AUTH_URL: `${mock.url}/o/oauth2/v2/auth`,
        GEMINI_OAUTH_TOKEN_URL: `${mock.url}/token`,
        GEMINI_OAUTH_CALLBACK_PORT: 0,
      }),
    );
    let printed = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed += chunk.toString();
      return true;
    });
    cleanups.push(async () => void spy.mockRestore());
    const done = runAuth(['gemini', '--config', config], directory);
    let url: string | undefined;
    for (let attempt = 0; attempt < 200 && !url; attempt += 1) {
      url = /(http:\/\/127\.0\.0\.1:\d+\/o\/oauth2\/v2\/auth\?\S+)/.exec(printed)?.[1];
      if (!url) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await fetch(await consent(new URL(url!)))).status).toBe(200);
    await done;
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ access_token: 'ya29.new-1', refresh_token: '1//login-1' });
    expect(printed).toContain(`Saved Gemini credentials to ${file}`);
  });
});
