import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openaiQwenOauthAdapter } from '../src/providers/openai-qwen-oauth/index.js';
import { createQwenDeviceLogin, type DeviceLoginClock } from '../src/providers/openai-qwen-oauth/qwen-device-login.js';
import { startGateway } from './helpers/gateway-harness.js';
import { QWEN_CLIENT_ID, startQwenMock, type QwenMock } from './mocks/qwen-mock.js';

const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** A clock whose sleeps return at once and are recorded, so poll intervals are checked without waiting. */
function fakeClock(): DeviceLoginClock & { sleeps: number[] } {
  let now = 1_800_000_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

function captureOutput(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('aiclient2api auth qwen: device-code login with PKCE', () => {
  let mock: QwenMock;
  let cwd: string;

  beforeAll(async () => {
    mock = await startQwenMock();
  });
  beforeEach(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'qwen-login-'));
    mock.state.pollScript = [];
    mock.state.interval = undefined;
  });
  afterAll(async () => {
    await mock.close();
  });

  const settings = () => ({ QWEN_OAUTH_BASE_URL: mock.url, QWEN_OAUTH_CREDS_FILE_PATH: 'creds/qwen.json' });

  it('prints the URL and code, polls at the server interval, slows down when told, and writes the file atomically', async () => {
    mock.state.interval = 2;
    mock.state.pollScript = ['authorization_pending', 'slow_down', 'authorization_pending'];
    const file = path.join(cwd, 'creds', 'qwen.json');
    await mkdir(path.dirname(file));
    await writeFile(file, JSON.stringify({ access_token: 'old', custom_field: 'kept' }));
    const clock = fakeClock();
    const output = captureOutput();
    await createQwenDeviceLogin(clock).run([], { settings: settings(), cwd, output: output.stream, signal: new AbortController().signal });

    const device = mock.requests.find((request) => request.path === '/api/v1/oauth2/device/code')!;
    const form = Object.fromEntries(new URLSearchParams(device.body.toString()));
    expect(form).toMatchObject({ client_id: QWEN_CLIENT_ID, scope: 'openid profile email model.completion', code_challenge_method: 'S256' });
    expect(form.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect(output.text()).toContain(`${mock.url}/authorize?user_code=ABCD-EFGH`);
    expect(output.text()).toContain('ABCD-EFGH');
    expect(output.text()).toContain('Waiting for approval in the browser');
    expect(output.text()).toContain('slow down');
    expect(output.text()).toContain(`Credentials written to ${file}`);
    expect(clock.sleeps).toEqual([2000, 2000, 7000, 7000]);

    const written = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({ token_type: 'Bearer', resource_url: mock.url, custom_field: 'kept', expiry_date: clock.now() + 21600 * 1000 });
    expect(written.access_token).toMatch(/^qa-\d+$/);
    expect(written.refresh_token).toMatch(/^qr-\d+$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(output.text()).not.toContain(written.access_token as string);
  });

  it.each([
    ['access_denied' as const, /access was denied/],
    ['expired_token' as const, /code expired/],
  ])('fails clearly on %s and writes nothing', async (answer, message) => {
    mock.state.pollScript = ['authorization_pending', answer];
    const login = createQwenDeviceLogin(fakeClock());
    await expect(login.run([], { settings: settings(), cwd, output: new PassThrough(), signal: new AbortController().signal })).rejects.toThrow(message);
    expect(existsSync(path.join(cwd, 'creds', 'qwen.json'))).toBe(false);
  });

  it('rejects unknown options', async () => {
    await expect(
      createQwenDeviceLogin(fakeClock()).run(['--bogus'], { settings: settings(), cwd, output: new PassThrough(), signal: new AbortController().signal }),
    ).rejects.toThrow(/Unknown option/);
  });

  it('the registered login (real clock) produces credentials the gateway then uses', async () => {
    mock.state.interval = 1;
    mock.state.pollScript = ['authorization_pending'];
    const output = captureOutput();
    expect(openaiQwenOauthAdapter.login?.command).toBe('qwen');
    await openaiQwenOauthAdapter.login!.run([], { settings: settings(), cwd, output: output.stream, signal: new AbortController().signal });
    const file = path.join(cwd, 'creds', 'qwen.json');
    const gateway = await startGateway({ MODEL_PROVIDER: 'openai-qwen-oauth', QWEN_OAUTH_CREDS_FILE_PATH: file, QWEN_OAUTH_BASE_URL: mock.url });
    try {
      const client = new OpenAI({ apiKey: 'unused', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'coder-model', messages: [{ role: 'user', content: 'Hi' }] });
      const token = (JSON.parse(await readFile(file, 'utf8')) as { access_token: string }).access_token;
      expect(completion.choices[0]?.message.content).toBe(`Hello from qwen (${token})!`);
    } finally {
      await gateway.close(100);
    }
  });

  it('runs through the built CLI: node dist/cli/main.js auth qwen --config FILE', async () => {
    mock.state.interval = 1;
    const config = path.join(cwd, 'gateway.json');
    const file = path.join(cwd, 'qwen-cli.json');
    await writeFile(config, JSON.stringify({ QWEN_OAUTH_BASE_URL: mock.url, QWEN_OAUTH_CREDS_FILE_PATH: file }));
    const child = spawn(process.execPath, [BIN, 'auth', 'qwen', '--config', config], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`${mock.url}/authorize?user_code=ABCD-EFGH`);
    expect(stderr).toContain('ABCD-EFGH');
    expect(stderr).toContain(`Credentials written to ${file}`);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ token_type: 'Bearer', resource_url: mock.url });
  });
});
