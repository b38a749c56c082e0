import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, startOpenAiMock } from './mocks/openai-mock.js';

/** The original's log keys through the real command: LOG_OUTPUT_MODE, LOG_DIR, LOG_MAX_FILE_SIZE, LOG_MAX_FILES, LOG_ENABLED. */
const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  stdout: string;
  readonly exit: Promise<number | null>;
}

function run(cwd: string): Child {
  const child = spawn(process.execPath, [BIN], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const result: Child = { process: child, stdout: '', exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (data: Buffer) => (result.stdout += data.toString()));
  child.stderr!.resume();
  return result;
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function logFiles(directory: string): Promise<string[]> {
  return (await readdir(directory)).filter((name) => name.endsWith('.log')).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

describe('file logs with the original keys', () => {
  const children: Child[] = [];
  let upstream: MockServer | undefined;
  afterEach(async () => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    await upstream?.close();
    upstream = undefined;
  });

  async function project(config: Record<string, unknown>): Promise<{ cwd: string; port: number }> {
    upstream = await startOpenAiMock();
    const cwd = await mkdtemp(path.join(tmpdir(), 'aiclient2api-logs-'));
    const port = await freePort();
    await mkdir(path.join(cwd, 'configs'));
    await writeFile(
      path.join(cwd, 'configs', 'config.json'),
      JSON.stringify({ SERVER_PORT: port, MODEL_PROVIDER: 'openai-custom', OPENAI_API_KEY: OPENAI_MOCK_KEY, OPENAI_BASE_URL: upstream.url, ...config }),
    );
    return { cwd, port };
  }

  const chat = (port: number) =>
    fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
    }).then((response) => response.text());

  it('LOG_OUTPUT_MODE all: lines on stdout and in rotated files of at most LOG_MAX_FILE_SIZE, at most LOG_MAX_FILES kept', async () => {
    const { cwd, port } = await project({ LOG_OUTPUT_MODE: 'all', LOG_DIR: 'gateway-logs', LOG_MAX_FILE_SIZE: 4096, LOG_MAX_FILES: 3 });
    const child = run(cwd);
    children.push(child);
    await eventually(async () => (child.stdout.includes('gateway listening') ? true : undefined), 'the listening line on stdout');
    for (let index = 0; index < 80; index += 1) await chat(port);
    child.process.kill('SIGTERM');
    expect(await child.exit).toBe(0);
    const directory = path.join(cwd, 'gateway-logs');
    // pino-roll removes the oldest files after it rotates.
    const files = await eventually(async () => {
      const names = await logFiles(directory);
      return names.length <= 3 ? names : undefined;
    }, 'old log files to be removed');
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(Number(files.at(-1)!.split('.')[1])).toBeGreaterThan(3);
    const lines: Array<Record<string, unknown>> = [];
    for (const name of files) {
      // A file is cut at the first line that takes it past the limit.
      expect((await stat(path.join(directory, name))).size).toBeLessThan(4096 + 1024);
      const text = await readFile(path.join(directory, name), 'utf8');
      for (const line of text.split('\n').filter((entry) => entry !== '')) lines.push(JSON.parse(line) as Record<string, unknown>);
      expect(text).not.toContain(OPENAI_MOCK_KEY);
    }
    expect(lines.at(-1)?.msg).toBe('stopped');
    expect(lines.filter((line) => line.msg === 'request' && line.status === 200).length).toBeGreaterThan(0);
    expect(child.stdout).toContain('"msg":"stopped"');
  });

  it('LOG_OUTPUT_MODE file: nothing on stdout, everything in LOG_DIR (default logs)', async () => {
    const { cwd, port } = await project({ LOG_OUTPUT_MODE: 'file' });
    const child = run(cwd);
    children.push(child);
    const directory = path.join(cwd, 'logs');
    await eventually(async () => {
      const [first] = await logFiles(directory);
      return first && (await readFile(path.join(directory, first), 'utf8')).includes('gateway listening') ? true : undefined;
    }, 'the listening line in logs/');
    expect(await chat(port)).toContain('Hello');
    child.process.kill('SIGTERM');
    expect(await child.exit).toBe(0);
    const [first] = await logFiles(directory);
    expect(await readFile(path.join(directory, first!), 'utf8')).toContain('"msg":"stopped"');
    expect(child.stdout).toBe('');
  });

  it.each([[{ LOG_ENABLED: false, LOG_OUTPUT_MODE: 'all' }], [{ LOG_OUTPUT_MODE: 'none' }]])('%o: no log lines anywhere', async (config) => {
    const { cwd, port } = await project(config);
    const child = run(cwd);
    children.push(child);
    await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined), 'the gateway to answer');
    expect(await chat(port)).toContain('Hello');
    child.process.kill('SIGTERM');
    expect(await child.exit).toBe(0);
    expect(child.stdout).toBe('');
    expect(existsSync(path.join(cwd, 'logs'))).toBe(false);
  });
});
