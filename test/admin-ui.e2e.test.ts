/**
 * The admin console in a real browser (Debian's chromium, headless, through playwright-core) against
 * the real gateway and loopback mock upstreams: what an operator does, checked the way they see it.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { startGeminiMock, type GeminiMock } from './mocks/gemini-mock.js';
import type { MockServer } from './mocks/mock-server.js';
import { startOpenAiMock } from './mocks/openai-mock.js';
import { ensureUiBuilt, launchChromium, screenshotAllVariants } from './ui/browser.js';

const ADMIN_KEY = 'admin-secret-0123456789';
/** What each mock upstream reports per request, distinct so the usage page's sums can be traced back. */
const USAGE = {
  a: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
  b: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
  c: { prompt_tokens: 13, completion_tokens: 5, total_tokens: 18 },
} as const;
const CLIENT_KEY = 'client-key-0123456789';

let gateway: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let gemini: GeminiMock;
const mocks: Record<string, MockServer> = {};

async function chat(provider = 'openai-custom'): Promise<{ status: number; instance: string | null; text: string }> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, 'model-provider': provider },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
  });
  return { status: response.status, instance: response.headers.get('x-aiclient-instance'), text: await response.text() };
}

function row(uuid: string) {
  return page.locator(`tr[data-uuid="${uuid}"]`);
}

beforeAll(async () => {
  ensureUiBuilt();
  mocks.a = await startOpenAiMock({ key: 'k-a', name: 'a', usage: USAGE.a });
  mocks.b = await startOpenAiMock({ key: 'k-b', name: 'b', usage: USAGE.b });
  mocks.c = await startOpenAiMock({ key: 'sk-new-account-c0de', name: 'c', usage: USAGE.c });
  gemini = await startGeminiMock();
  gateway = await startGateway(
    {
      MODEL_PROVIDER: 'openai-custom',
      REQUIRED_API_KEY: CLIENT_KEY,
      ADMIN_API_KEY: ADMIN_KEY,
      PROVIDER_POOLS_FILE_PATH: 'configs/provider_pools.json',
      GEMINI_BASE_URL: gemini.url,
      GEMINI_OAUTH_TOKEN_URL: `${gemini.url}/token`,
      GEMINI_OAUTH_AUTH_URL: `${gemini.url}/o/oauth2/v2/auth`,
    },
    [],
    async (cwd) => {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(path.join(cwd, 'configs'));
      await writeFile(
        path.join(cwd, 'configs/provider_pools.json'),
        JSON.stringify({
          'openai-custom': [
            { uuid: 'inst-a', customName: 'account a', OPENAI_API_KEY: 'k-a', OPENAI_BASE_URL: `${mocks.a!.url}/v1` },
            { uuid: 'inst-b', customName: 'account b', OPENAI_API_KEY: 'k-b', OPENAI_BASE_URL: `${mocks.b!.url}/v1` },
          ],
        }),
      );
    },
  );
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close(50);
  for (const mock of Object.values(mocks)) await mock.close();
  await gemini?.close();
});

describe('admin console in Chromium', () => {
  it('sends a browser from / to the console, refuses a wrong admin key and keeps the admin API closed', async () => {
    await page.goto(`${gateway.url}/`);
    expect(new URL(page.url()).pathname).toBe('/ui/');
    await page.getByLabel('Admin key').fill('not-the-key');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong admin key');
    const status = await page.evaluate(async () => (await fetch('/api/pools')).status);
    expect(status).toBe(401);
  });

  it('logs in and shows every pool with its instances and their health in words', async () => {
    await page.getByLabel('Admin key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    const cookie = (await context.cookies()).find((item) => item.name === 'aiclient_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.getByRole('link', { name: 'Providers' }).click();
    await row('inst-a').waitFor();
    await expect.poll(() => row('inst-a').textContent()).toContain('healthy');
    expect(await row('inst-b').textContent()).toContain('account b');
    expect(await page.getByRole('heading', { name: /openai-custom/ }).textContent()).toContain('2 of 2 healthy');
  });

  it('disables an instance from the console and requests then avoid it', async () => {
    await row('inst-a').getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => row('inst-a').textContent()).toContain('disabled');
    const before = mocks.a!.requests.length;
    for (let index = 0; index < 4; index += 1) {
      const answer = await chat();
      expect(answer.status).toBe(200);
      expect(answer.instance).toBe('inst-b');
    }
    expect(mocks.a!.requests.length).toBe(before);
    await row('inst-a').getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => row('inst-a').textContent()).toContain('healthy');
  });

  it('adds an openai-custom instance that then serves, and keeps its secret out of the page', async () => {
    await page.getByRole('button', { name: 'Add instance' }).click();
    // The form is the backend's account schema (GET /api/providers): its fields, defaults and secrets.
    await page.getByLabel('Provider type or group').fill('claude-kiro-oauth');
    expect(await page.getByLabel('KIRO_CLIENT_VERSION').getAttribute('placeholder')).toBe('0.11.63');
    expect(await page.locator('#entry-KIRO_OAUTH_CREDS_BASE64').getAttribute('type')).toBe('password');
    expect(await page.locator('#entry-PROXY_URL').getAttribute('type')).toBe('password');
    await page.getByLabel('Provider type or group').fill('openai-custom');
    expect(await page.locator('#entry-KIRO_CLIENT_VERSION').count()).toBe(0);
    expect(await page.getByLabel('OPENAI_BASE_URL').getAttribute('placeholder')).toBe('https://api.openai.com/v1');
    await page.getByLabel('OPENAI_BASE_URL').fill('not a url');
    await expect.poll(() => page.locator('#entry-OPENAI_BASE_URL-hint').textContent()).toContain('an http(s) URL');
    await page.getByLabel('OPENAI_BASE_URL').fill(`${mocks.c!.url}/v1`);
    await page.getByLabel('OPENAI_API_KEY').fill('sk-new-account-c0de');
    await page.getByLabel('customName').fill('account c');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const added = page.locator('tr', { hasText: 'account c' }).first();
    await added.waitFor();
    const uuid = await added.getAttribute('data-uuid');
    expect(uuid).toBeTruthy();

    const poolsFile = path.join(gateway.cwd, 'configs/provider_pools.json');
    const written = JSON.parse(await readFile(poolsFile, 'utf8')) as Record<string, Array<Record<string, unknown>>>;
    expect(written['openai-custom']!.find((entry) => entry.uuid === uuid)).toMatchObject({ OPENAI_API_KEY: 'sk-new-account-c0de', customName: 'account c' });
    expect((await stat(poolsFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(`${poolsFile}.bak`, 'utf8'))['openai-custom']).toHaveLength(2);

    // Edit the name only: the key field stays empty (the mask is a placeholder) and the real key survives.
    await row(uuid!).getByRole('button', { name: 'Edit' }).click();
    expect(await page.getByLabel('OPENAI_API_KEY').getAttribute('placeholder')).toBe('sk-…c0de (unchanged)');
    await page.getByLabel('customName').fill('account c renamed');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row(uuid!).textContent()).toContain('account c renamed');
    const edited = JSON.parse(await readFile(poolsFile, 'utf8'))['openai-custom'].find((entry: { uuid: string }) => entry.uuid === uuid);
    expect(edited.OPENAI_API_KEY).toBe('sk-new-account-c0de');
    expect(await page.content()).not.toContain('sk-new-account-c0de');

    // Only the new account left enabled: the playground's answer comes from it, and says so.
    await row('inst-a').getByRole('button', { name: 'Disable' }).click();
    await row('inst-b').getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => row('inst-b').textContent()).toContain('disabled');
    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByLabel('Provider').selectOption('openai-custom');
    await page.getByLabel('Model').fill('gpt-4o-mini');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.locator('pre.answer').textContent()).toBe('Hello from c!');
    expect(await page.locator('.served-instance').textContent()).toBe(uuid);
    await page.getByLabel('Client protocol').selectOption('claude');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.locator('pre.answer').textContent()).toBe('Hello from c!');
  });

  it('shows an external edit of the pools file', async () => {
    const poolsFile = path.join(gateway.cwd, 'configs/provider_pools.json');
    const document = JSON.parse(await readFile(poolsFile, 'utf8'));
    document['openai-custom'].push({ uuid: 'inst-hand', customName: 'added by hand', OPENAI_API_KEY: 'k-a', OPENAI_BASE_URL: `${mocks.a!.url}/v1` });
    await writeFile(poolsFile, JSON.stringify(document));
    await page.getByRole('link', { name: 'Providers' }).click();
    await expect.poll(() => row('inst-hand').count(), { timeout: 10_000 }).toBe(1);
    expect(await row('inst-hand').textContent()).toContain('added by hand');
  });

  it('signs in to Gemini by pasting the final redirect address, adds the account, and it serves', async () => {
    await page.getByRole('link', { name: 'OAuth' }).click();
    await page.getByLabel(/another machine/).check();
    await page.getByRole('button', { name: 'Sign in with Google' }).click();
    const authUrl = await page.locator('a.auth-url').getAttribute('href');
    expect(authUrl).toContain(`${gemini.url}/o/oauth2/v2/auth`);
    // The person signs in at "Google" elsewhere; the browser ends on the loopback address, which they copy.
    const consent = await fetch(authUrl!, { redirect: 'manual' });
    const finalAddress = consent.headers.get('location');
    expect(finalAddress).toMatch(/^http:\/\/localhost:8085\/oauth2callback\?/);
    await page.getByLabel('Final address').fill(finalAddress!);
    await page.getByRole('button', { name: 'Complete sign-in' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('account added to gemini-cli-oauth');
    await expect.poll(() => page.locator('table').last().textContent()).toContain('gemini-cli-oauth');

    const pools = (await (await fetch(`${gateway.url}/api/pools?group=gemini-cli-oauth`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
      groups: Array<{ items: Array<{ uuid: string }> }>;
    };
    expect(pools.groups[0]!.items).toHaveLength(1);
    const response = await fetch(`${gateway.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': CLIENT_KEY, 'model-provider': 'gemini-cli-oauth' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-aiclient-instance')).toBe(pools.groups[0]!.items[0]!.uuid);
  });

  it('signs in to Gemini with the redirect back to the gateway, in a new tab', async () => {
    await page.getByRole('link', { name: 'OAuth' }).click();
    await page.getByLabel(/On this computer/).check();
    const [signIn] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Sign in with Google' }).click()]);
    // Google (the mock) approves at once and sends the tab back to the gateway, which finishes the login.
    await signIn.waitForURL(/\/ui\/#\/oauth\?login=done/, { timeout: 15_000 });
    await expect.poll(() => signIn.getByRole('status').first().textContent()).toContain('Signed in; account added to gemini-cli-oauth');
    await signIn.close();
    const pools = (await (await fetch(`${gateway.url}/api/pools?group=gemini-cli-oauth`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
      groups: Array<{ items: unknown[] }>;
    };
    expect(pools.groups[0]!.items).toHaveLength(2);
  });

  it('shows a new request on the logs page live, with its details', async () => {
    await page.getByRole('link', { name: 'Logs' }).click();
    await expect.poll(() => page.locator('.live').textContent(), { timeout: 10_000 }).toContain('live');
    const answer = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, 'model-provider': 'openai-custom' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'live?' }] }),
    });
    expect(answer.status).toBe(200);
    const requestId = answer.headers.get('x-request-id') as string;
    const logRow = page.locator(`tr[data-request-id="${requestId}"]`);
    await logRow.waitFor({ timeout: 10_000 });
    expect(await logRow.textContent()).toContain('200 ok');
    await logRow.getByRole('button', { name: /Details of request/ }).click();
    expect(await page.locator('.details').textContent()).toContain(`${USAGE.c.prompt_tokens} (cache read 0`);
    await page.getByLabel('Status').fill('error');
    await expect.poll(() => logRow.count()).toBe(0);
    await page.getByLabel('Status').fill('');
  });

  it('shows on the usage page the tokens each mock upstream reported', async () => {
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByLabel('Group by').selectOption('instance');
    const served = (mock: MockServer) => mock.requests.filter((request) => request.method === 'POST' && request.path === '/v1/chat/completions').length;
    for (const name of ['a', 'b', 'c'] as const) {
      const uuid =
        name === 'c'
          ? await page.evaluate(async () => {
              const answer = (await (await fetch('/api/pools?group=openai-custom')).json()) as {
                groups: Array<{ items: Array<{ uuid: string; name: string }> }>;
              };
              return answer.groups[0]!.items.find((item) => item.name.startsWith('account c'))!.uuid;
            })
          : `inst-${name}`;
      const count = served(mocks[name]!);
      const usageRow = page.locator(`tr[data-group="${uuid}"]`);
      if (count === 0) continue;
      await usageRow.waitFor();
      const cells = await usageRow.locator('td').allTextContents();
      expect(cells.slice(0, 4)).toEqual([String(count), '0', String(count * USAGE[name].prompt_tokens), String(count * USAGE[name].completion_tokens)]);
    }
    expect(served(mocks.b!)).toBeGreaterThan(0);
    expect(served(mocks.c!)).toBeGreaterThan(0);
  });

  it('saves a screenshot of every page, light and dark, desktop and phone', async () => {
    const files = await screenshotAllVariants(browser, gateway.url, ADMIN_KEY, [
      { name: 'dashboard', hash: 'dashboard', ready: (shot) => shot.getByRole('rowheader', { name: /openai-custom/ }).waitFor() },
      { name: 'providers', hash: 'providers', ready: (shot) => shot.locator('tr[data-uuid="inst-a"]').getByRole('button', { name: 'Edit' }).waitFor() },
      { name: 'oauth', hash: 'oauth', ready: (shot) => shot.getByRole('heading', { name: 'Credential files' }).waitFor() },
      { name: 'usage', hash: 'usage', ready: (shot) => shot.locator('tr[data-group="openai-custom"]').waitFor() },
      { name: 'logs', hash: 'logs', ready: (shot) => shot.locator('tr[data-request-id]').first().waitFor() },
      { name: 'playground', hash: 'playground', ready: (shot) => shot.getByLabel('Prompt').waitFor() },
      { name: 'config', hash: 'config', ready: (shot) => shot.getByText('ADMIN_API_KEY').waitFor() },
    ]);
    expect(files).toHaveLength(32);
  }, 120_000);
});
