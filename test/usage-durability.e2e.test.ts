import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, startOpenAiMock } from './mocks/openai-mock.js';

const require = createRequire(import.meta.url);
const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const FLUSH_MARGIN_MS = 3000;

interface Gateway {
  process: ChildProcess;
  url: string;
  exit: Promise<unknown>;
}

/** The built gateway as its own process (so it can be killed with SIGKILL), answering on a free port. */
async function startGatewayProcess(cwd: string): Promise<Gateway> {
  const child = spawn(process.execPath, [BIN], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise((resolve) => child.once('exit', resolve));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /"url":"([^"]+)"[^\n]*gateway listening/.exec(output);
      if (match) resolve(match[1] as string);
    });
    child.once('exit', () => reject(new Error(`gateway exited: ${output}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return { process: child, url, exit };
}

function runCli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function chat(url: string, stream: boolean): Promise<void> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer gw-key' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream }),
  });
  await response.text();
  if (response.status !== 200) throw new Error(`status ${response.status}`);
}

function countRows(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function waitForRows(file: string, at: number): Promise<void> {
  for (let tries = 0; tries < 500; tries += 1) {
    try {
      if (countRows(file) >= at) return;
    } catch {
      // Not created yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`fewer than ${at} usage records were written`);
}

describe('usage records survive restarts and a killed gateway process', () => {
  let upstream: MockServer;
  let cwd: string;
  let file: string;

  beforeAll(async () => {
    upstream = await startOpenAiMock();
    cwd = await mkdtemp(path.join(tmpdir(), 'usage-durability-'));
    file = path.join(cwd, 'configs', 'usage.db');
    await mkdir(path.join(cwd, 'configs'));
    await writeFile(
      path.join(cwd, 'configs', 'config.json'),
      JSON.stringify({ SERVER_PORT: 0, REQUIRED_API_KEY: 'gw-key', OPENAI_API_KEY: OPENAI_MOCK_KEY, OPENAI_BASE_URL: upstream.url, LOG_LEVEL: 'info' }),
    );
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('loses at most the last batch on kill -9 under load, never corrupts the file, and keeps counting after a restart', async () => {
    const first = await startGatewayProcess(cwd);
    for (let index = 0; index < 20; index += 1) await chat(first.url, index % 2 === 0);
    await waitForRows(file, 20);

    // Load from 8 clients; each completion time is kept to know what must have been written.
    const completions: number[] = [];
    let stop = false;
    const clients = Array.from({ length: 8 }, async (_, client) => {
      for (let index = 0; !stop; index += 1) {
        try {
          await chat(first.url, (client + index) % 2 === 0);
          completions.push(Date.now());
        } catch {
          return; // the gateway is gone
        }
      }
    });
    while (completions.length < 300) await new Promise((resolve) => setTimeout(resolve, 10));
    // Let at least one flush pass, so the kill lands with written batches behind it and records pending.
    const mark = completions.length;
    await waitForRows(file, 20 + Math.min(mark, 100));
    first.process.kill('SIGKILL');
    const killedAt = Date.now();
    stop = true;
    await first.exit;
    await Promise.all(clients);

    const db = new Database(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const stored = countRows(file);
    const surelyWritten = completions.filter((time) => time < killedAt - FLUSH_MARGIN_MS).length;
    expect(stored).toBeGreaterThanOrEqual(20 + surelyWritten);
    expect(stored).toBeLessThanOrEqual(20 + completions.length + 8);

    // A restarted gateway keeps the records and adds to them; the CLI reads the same store while it runs.
    const second = await startGatewayProcess(cwd);
    for (let index = 0; index < 5; index += 1) await chat(second.url, false);
    const usage = (await (await fetch(`${second.url}/api/usage?groupBy=provider`, { headers: { authorization: 'Bearer gw-key' } })).json()) as {
      rows: Array<{ provider: string; requests: number; inputTokens: number; outputTokens: number }>;
    };
    const row = usage.rows.find((entry) => entry.provider === 'openai-custom');
    expect(row?.requests).toBe(stored + 5);
    // Every mock answer reports 5 input and 2 output tokens (streams too: the gateway asks for usage).
    expect(row).toMatchObject({ inputTokens: 5 * (stored + 5), outputTokens: 2 * (stored + 5) });

    const cli = await runCli(['usage', '--since', '1h', '--by', 'provider'], cwd);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const line = cli.stdout.split('\n').find((text) => text.startsWith('openai-custom'));
    const numbers = (line ?? '')
      .split(/\s{2,}/)
      .slice(1)
      .map((cell) => Number(cell.replace(/,/g, '').replace('*', '')));
    expect(numbers.slice(0, 4)).toEqual([stored + 5, 0, 5 * (stored + 5), 2 * (stored + 5)]);

    second.process.kill('SIGTERM');
    await second.exit;
    expect(countRows(file)).toBe(stored + 5);
  }, 120_000);
});

describe('several gateway processes sharing one usage file', () => {
  it('all start on a fresh file at once (one applies the schema, the others wait for it) and every record counts', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'usage-shared-'));
    const file = path.join(dir, 'usage.db');
    const store = new URL('../dist/usage/sqlite-usage-store.js', import.meta.url).href;
    // Each process opens the store the way the gateway does and appends 25 records.
    const script = `
      const { SqliteUsageStore } = await import(${JSON.stringify(store)});
      // All processes open the file at the same instant, as gateways started together do.
      while (Date.now() < Number(process.argv[2])) {}
      const store = new SqliteUsageStore(process.argv[1]);
      const records = Array.from({ length: 25 }, (_, index) => ({
        time: Date.now(), requestId: process.pid + '-' + index, keyId: null, protocol: 'openai-chat', provider: 'openai-custom',
        instance: 'a', instanceName: null, modelAsked: 'm', model: 'm', stream: false, status: 200, errorClass: null,
        failovers: 0, fallbacks: 0, inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0,
        usageSource: 'upstream', costUsd: null, durationMs: 1, ttfbMs: 1, bytesOut: 1,
      }));
      await store.append(records);
      await store.close();`;
    const startAt = Date.now() + 3000;
    const runs = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, file, String(startAt)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      return new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
    });
    const results = await Promise.all(runs);
    expect(results.map((result) => result.stderr)).toEqual(Array(6).fill(''));
    expect(results.map((result) => result.code)).toEqual(Array(6).fill(0));
    expect(countRows(file)).toBe(150);
  }, 60_000);

  it('opens a file while another process holds its write lock: the switch to WAL waits instead of failing', async () => {
    // SQLite refuses that switch at once (SQLITE_BUSY, no busy handler) while another connection holds
    // the write lock, which is what a second gateway meets when the first is creating the schema.
    const dir = await mkdtemp(path.join(tmpdir(), 'usage-locked-'));
    const file = path.join(dir, 'usage.db');
    new Database(file).exec('CREATE TABLE waiting (a)').close();
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
         const db = new Database(process.argv[1]);
         db.exec('BEGIN IMMEDIATE');
         process.stdout.write('held');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 500);`,
        file,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => holder.stdout?.once('data', resolve));
    const { SqliteUsageStore } = await import(new URL('../dist/usage/sqlite-usage-store.js', import.meta.url).href);
    const store = new SqliteUsageStore(file);
    await store.append([
      {
        time: Date.now(),
        requestId: 'r',
        keyId: null,
        protocol: 'openai-chat',
        provider: 'openai-custom',
        instance: 'a',
        instanceName: null,
        modelAsked: 'm',
        model: 'm',
        stream: false,
        status: 200,
        errorClass: null,
        failovers: 0,
        fallbacks: 0,
        inputTokens: 1,
        outputTokens: 1,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
        usageSource: 'upstream',
        costUsd: null,
        durationMs: 1,
        ttfbMs: 1,
        bytesOut: 1,
      },
    ]);
    await store.close();
    expect(countRows(file)).toBe(1);
  }, 30_000);
});
