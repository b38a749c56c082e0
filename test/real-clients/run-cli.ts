/**
 * Running real client CLIs in tests: a bounded runner, scratch folders, and failure reports that show
 * what the CLI printed, what the mock upstream received and what the gateway logged.
 * Debugging: DEBUG_REAL_CLIENTS=1 prints the report of every run (and keeps the scratch folders),
 * DEBUG_BODY_CHARS=100000 shows whole request bodies.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MockServer, RecordedRequest } from '../mocks/mock-server.js';

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

/**
 * Anything a CLI tries to fetch from outside (update checks, telemetry, remote model lists) goes to a
 * proxy that is not there and fails at once; the gateway on loopback is reached directly.
 */
export const OFFLINE_ENV: Record<string, string> = {
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost',
  no_proxy: '127.0.0.1,localhost',
};

const scratchDirs: string[] = [];

/** A fresh empty folder under the system temp dir (scratch HOME / working directory). */
export async function scratchDir(prefix: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), `${prefix}-`));
  scratchDirs.push(folder);
  return folder;
}

/** Removes the folders scratchDir made (call from afterAll); DEBUG_REAL_CLIENTS keeps them for a look. */
export async function removeScratchDirs(): Promise<void> {
  if (process.env.DEBUG_REAL_CLIENTS) return;
  await Promise.all(scratchDirs.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}

/**
 * Runs a CLI with a minimal environment (only PATH from ours, plus `env`), stdin closed, and kills
 * it (SIGKILL) after `timeoutMs`, so a client that hangs or retries forever fails the test instead of
 * hanging it.
 */
export async function runCli(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...OFFLINE_ENV, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  clearTimeout(timer);
  return { code, signal, stdout, stderr, ms: Date.now() - started, timedOut };
}

/** A readable dump of what a mock upstream received since `from`, for failure messages (bodies cut at DEBUG_BODY_CHARS, default 4000). */
export function describeRequests(upstream: MockServer, from = 0): string {
  return upstream.requests
    .slice(from)
    .map(
      (request: RecordedRequest) =>
        `${request.method} ${request.path}${request.query.size ? `?${request.query}` : ''}\n${request.body.toString('utf8').slice(0, Number(process.env.DEBUG_BODY_CHARS ?? 4000))}`,
    )
    .join('\n---\n');
}

/** A readable summary of a CLI run plus what the upstream saw and what the gateway logged, for failure messages. */
export function report(result: CliResult, upstream: MockServer, from: number, gatewayLog: ReadonlyArray<Record<string, unknown>> = []): string {
  return [
    `exit code ${result.code}${result.signal ? ` signal ${result.signal}` : ''}${result.timedOut ? ' (timed out, killed)' : ''} after ${result.ms} ms`,
    `--- stdout ---\n${result.stdout.slice(-4000)}`,
    `--- stderr ---\n${result.stderr.slice(-6000)}`,
    `--- upstream requests ---\n${describeRequests(upstream, from)}`,
    `--- gateway log ---\n${gatewayLog
      .map((line) => JSON.stringify(line))
      .join('\n')
      .slice(-6000)}`,
  ].join('\n');
}
