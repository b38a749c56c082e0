import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { OPENAI_MOCK_KEY, openaiChunk, startOpenAiMock } from './mocks/openai-mock.js';
import type { MockServer } from './mocks/mock-server.js';

const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

interface Child {
  process: ChildProcess;
  stdout: string[];
  stderr: string;
  exit: Promise<number | null>;
}

function run(args: string[], cwd: string): Child {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const result: Child = {
    process: child,
    stdout: [],
    stderr: '',
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  let pending = '';
  child.stdout!.on('data', (data: Buffer) => {
    pending += data.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    result.stdout.push(...lines);
  });
  child.stderr!.on('data', (data: Buffer) => (result.stderr += data.toString()));
  return result;
}

async function waitForLine(child: Child, pattern: RegExp): Promise<string> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const line = child.stdout.find((entry) => pattern.test(entry));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no line matching ${pattern}; stdout: ${child.stdout.join('\n')} stderr: ${child.stderr}`);
}

async function projectDir(config?: unknown, raw?: string): Promise<string> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'aiclient2api-cli-'));
  if (config !== undefined || raw !== undefined) {
    await mkdir(path.join(cwd, 'configs'));
    await writeFile(path.join(cwd, 'configs', 'config.json'), raw ?? JSON.stringify(config));
  }
  return cwd;
}

describe('the aiclient2api command', () => {
  const children: Child[] = [];
  let upstream: MockServer | undefined;
  afterEach(async () => {
    for (const child of children) child.process.kill('SIGKILL');
    children.length = 0;
    await upstream?.close();
    upstream = undefined;
  });

  it('prints --help with every flag and exits 0', async () => {
    const child = run(['--help'], await projectDir());
    expect(await child.exit).toBe(0);
    const text = child.stdout.join('\n');
    expect(text).toContain('--model-provider');
    expect(text).toContain('default 3000');
  });

  it('exits 1 with a clear message on a broken config file', async () => {
    const child = run([], await projectDir(undefined, '{"SERVER_PORT": 3000,,}'));
    expect(await child.exit).toBe(1);
    expect(child.stderr).toMatch(/configs\/config\.json is not valid JSON/);
  });

  it('exits 1 on a bad REDIS_URL without printing its password', async () => {
    for (const url of ['redis://:hunter2@cache:99999', 'http://admin:hunter2@cache:6379']) {
      const child = run(['--redis-url', url, '--port', '0'], await projectDir());
      expect(await child.exit).toBe(1);
      expect(child.stderr).toMatch(/REDIS_URL: /);
      expect(child.stderr + child.stdout.join('\n')).not.toContain('hunter2');
    }
  });

  it('refuses a non-loopback HOST without an API key', async () => {
    const child = run(['--host', '0.0.0.0', '--port', '0'], await projectDir());
    expect(await child.exit).toBe(1);
    expect(child.stderr).toContain('Refusing to listen on 0.0.0.0 without an API key');
  });

  it('starts from any directory with its configs/config.json, and on SIGTERM lets a running stream finish', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    upstream = await startOpenAiMock();
    upstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(openaiChunk('m', { role: 'assistant', content: 'before shutdown, ' }));
      await released;
      response.write(openaiChunk('m', { content: 'after shutdown' }, 'stop'));
      response.end('data: [DONE]\n\n');
    });
    const cwd = await projectDir({
      SERVER_PORT: 0,
      MODEL_PROVIDER: 'openai-custom',
      OPENAI_API_KEY: OPENAI_MOCK_KEY,
      OPENAI_BASE_URL: upstream.url,
      SHUTDOWN_GRACE_MS: 5000,
    });
    const child = run([], cwd);
    children.push(child);
    const listening = JSON.parse(await waitForLine(child, /gateway listening/)) as { url: string };

    const health = (await (await fetch(`${listening.url}/health`)).json()) as { provider: string };
    expect(health.provider).toBe('openai-custom');

    const response = await fetch(`${listening.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const reader = response.body!.getReader();
    let text = Buffer.from((await reader.read()).value!).toString();
    child.process.kill('SIGTERM');
    await waitForLine(child, /shutting down/);
    // New connections are refused while the running stream goes on.
    await expect(fetch(`${listening.url}/health`)).rejects.toThrow();
    release();
    for (let part = await reader.read(); !part.done; part = await reader.read()) text += Buffer.from(part.value).toString();
    expect(text).toContain('after shutdown');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(await child.exit).toBe(0);
  });

  it('cuts streams still running when the grace period is over', async () => {
    upstream = await startOpenAiMock();
    upstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(openaiChunk('m', { role: 'assistant', content: 'never finishes' }));
    });
    const cwd = await projectDir({ SERVER_PORT: 0, OPENAI_API_KEY: OPENAI_MOCK_KEY, OPENAI_BASE_URL: upstream.url, SHUTDOWN_GRACE_MS: 200 });
    const child = run([], cwd);
    children.push(child);
    const listening = JSON.parse(await waitForLine(child, /gateway listening/)) as { url: string };
    const response = await fetch(`${listening.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const reader = response.body!.getReader();
    await reader.read();
    child.process.kill('SIGTERM');
    expect(await child.exit).toBe(0);
    await expect(
      (async () => {
        while (!(await reader.read()).done);
      })(),
    ).rejects.toThrow();
  });
});
