import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_429, INITIAL_ACCESS_TOKEN, VALID_REFRESH_TOKEN } from './mocks/gemini-mock.js';
import { generationCalls, HI, sendGemini, setupGeminiClient, type GeminiTestSetup } from './mocks/gemini-test-client.js';
import { sendJson } from './mocks/mock-server.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(options: Parameters<typeof setupGeminiClient>[0] = {}): Promise<GeminiTestSetup> {
  const created = await setupGeminiClient(options);
  cleanups.push(created.close);
  return created;
}
const send = sendGemini;
const generations = generationCalls;

describe('gemini-cli-oauth: tokens', () => {
  it('refreshes an expired token before the first request and writes the file atomically, keeping unknown fields', async () => {
    const { mock, client, file, directory } = await setup({ credentials: { access_token: 'ya29.expired', expiry_date: Date.now() - 60_000 } });
    await send(client, HI);
    expect(mock.calls('/token')).toHaveLength(1);
    const form = new URLSearchParams(mock.calls('/token')[0]!.body.toString());
    expect(form.get('grant_type')).toBe('refresh_token');
    expect(form.get('refresh_token')).toBe(VALID_REFRESH_TOKEN);
    expect(mock.requests.filter((request) => request.headers.authorization === 'Bearer ya29.expired')).toHaveLength(0);
    expect(generations(mock)[0]!.headers.authorization).toBe('Bearer ya29.new-1');

    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({
      access_token: 'ya29.new-1',
      refresh_token: VALID_REFRESH_TOKEN,
      written_by: { tool: 'gemini-cli', keep: true },
      token_type: 'Bearer',
    });
    expect(saved.expires_in).toBeUndefined();
    expect(saved.expiry_date as number).toBeGreaterThan(Date.now() + 3_000_000);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(directory)).toEqual(['oauth_creds.json']);
  });

  it('refreshes once and retries the same request after a 401 mid-session', async () => {
    const { mock, client } = await setup();
    await send(client, HI, { stream: true });
    mock.accessTokens.delete(INITIAL_ACCESS_TOKEN); // Google revokes the token
    const result = await send(client, HI, { stream: true });
    expect(result.text).toContain('lo!');
    expect(mock.calls('/token')).toHaveLength(1);
    expect(generations(mock).map((request) => request.headers.authorization)).toEqual([
      `Bearer ${INITIAL_ACCESS_TOKEN}`,
      `Bearer ${INITIAL_ACCESS_TOKEN}`,
      'Bearer ya29.new-1',
    ]);
  });

  it('adopts a token another process (Gemini CLI) wrote to the file instead of refreshing', async () => {
    const { mock, client, file } = await setup();
    await send(client, HI);
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...saved, access_token: 'ya29.from-gemini-cli', expiry_date: Date.now() + 3_600_000 }));
    mock.accessTokens.add('ya29.from-gemini-cli');
    mock.accessTokens.delete(INITIAL_ACCESS_TOKEN);
    await send(client, HI);
    expect(mock.calls('/token')).toHaveLength(0);
    expect(generations(mock).at(-1)!.headers.authorization).toBe('Bearer ya29.from-gemini-cli');
  });

  it('shares one refresh between 100 concurrent requests with an expiring token', async () => {
    const { mock, client } = await setup({ mock: { tokenDelayMs: 50 }, credentials: { expiry_date: Date.now() + 60_000 } });
    const results = await Promise.all(Array.from({ length: 100 }, (_, index) => send(client, HI, { stream: index % 2 === 0 })));
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(mock.calls('/token')).toHaveLength(1);
    expect(new Set(generations(mock).map((request) => request.headers.authorization))).toEqual(new Set(['Bearer ya29.new-1']));
  });

  it('surfaces a revoked refresh token as oauth_refresh_failed and leaves the file untouched', async () => {
    const { client, file } = await setup({ credentials: { refresh_token: '1//revoked', expiry_date: Date.now() - 1000 } });
    const before = await readFile(file);
    const { mtimeMs } = await stat(file);
    const error = await send(client, HI).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'oauth_refresh_failed', kind: 'auth', detail: { scope: 'account' } });
    expect((error as Error).message).toMatch(/invalid_grant/);
    expect((error as Error).message).toMatch(/aiclient2api auth gemini/);
    expect((error as Error).message).not.toContain('1//revoked');
    expect(await readFile(file)).toEqual(before);
    expect((await stat(file)).mtimeMs).toBe(mtimeMs);
  });

  it('does not send a refused refresh token again on every request', async () => {
    const { mock, client } = await setup({ credentials: { refresh_token: '1//revoked', expiry_date: Date.now() - 1000 } });
    for (let attempt = 0; attempt < 3; attempt += 1) await expect(send(client, HI)).rejects.toMatchObject({ code: 'oauth_refresh_failed' });
    expect(mock.calls('/token')).toHaveLength(1);
  });

  it('keeps refreshed base64 credentials in memory only', async () => {
    const credentials = { access_token: 'ya29.expired', refresh_token: VALID_REFRESH_TOKEN, expiry_date: 1 };
    const { mock, client, directory } = await setup({
      settings: { GEMINI_OAUTH_CREDS_BASE64: Buffer.from(JSON.stringify(credentials)).toString('base64'), GEMINI_OAUTH_CREDS_FILE_PATH: undefined },
    });
    await send(client, HI);
    await send(client, HI);
    expect(mock.calls('/token')).toHaveLength(1);
    expect(await readdir(directory)).toEqual(['oauth_creds.json']);
  });
});

describe('gemini-cli-oauth: errors for the pool', () => {
  it('classifies 403 PERMISSION_DENIED as auth with a wrong-project message', async () => {
    const { client } = await setup({ settings: { PROJECT_ID: 'not-my-project' } });
    const error = await send(client, HI).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      kind: 'auth',
      status: 403,
      code: 'gemini_project_forbidden',
      detail: { scope: 'account', upstreamType: 'PERMISSION_DENIED' },
    });
    expect((error as Error).message).toMatch(/not-my-project/);
    expect((error as Error).message).toMatch(/PROJECT_ID/);
  });

  it.each([false, true])('reports 429 RESOURCE_EXHAUSTED with its retryDelay as rate_limit (stream: %s)', async (stream) => {
    const { mock, client } = await setup();
    mock.enqueueGeneration((_request, response) => sendJson(response, 429, ERROR_429));
    await expect(send(client, HI, { stream })).rejects.toMatchObject({ kind: 'rate_limit', status: 429, detail: { retryAfterMs: 30_000, scope: 'model' } });
  });

  it('reports a second 401 after a successful refresh as auth, without looping', async () => {
    const { mock, client } = await setup();
    mock.enqueueGeneration(
      (_request, response) => sendJson(response, 401, { error: { code: 401, message: 'nope', status: 'UNAUTHENTICATED' } }),
      (_request, response) => sendJson(response, 401, { error: { code: 401, message: 'still no', status: 'UNAUTHENTICATED' } }),
    );
    await expect(send(client, HI)).rejects.toMatchObject({ kind: 'auth', status: 401 });
    expect(mock.calls('/token')).toHaveLength(1);
    expect(generations(mock)).toHaveLength(2);
  });
});
