import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built command (npm test builds first). */
export const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** A gateway running as its own OS process (`node dist/cli/main.js`), with its JSON log lines. */
export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly logLines: Array<Record<string, unknown>>;
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
  /** SIGKILL: the process dies without any cleanup. */
  kill(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

/** Writes `configs/config.json` (and any other files) into `cwd`. */
export async function writeProject(cwd: string, config: Record<string, unknown>, files: Record<string, string> = {}): Promise<void> {
  await mkdir(path.join(cwd, 'configs'), { recursive: true });
  await writeFile(path.join(cwd, 'configs', 'config.json'), JSON.stringify({ HOST: '127.0.0.1', SERVER_PORT: 0, LOG_LEVEL: 'info', ...config }));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(cwd, name), text);
}

/** Starts `aiclient2api` in `cwd` and resolves once it logged "gateway listening" (rejects if it exits first). */
export async function startGatewayProcess(
  cwd: string,
  args: string[] = [],
  options: { readyLines?: number; nodeArgs?: string[] } = {},
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const logLines: Array<Record<string, unknown>> = [];
  let stderr = '';
  let pending = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
  const listening = new Promise<string>((resolve, reject) => {
    let ready = 0;
    const timer = setTimeout(() => reject(new Error(`gateway did not start; stderr: ${stderr}`)), 60_000);
    child.stdout?.on('data', (data: Buffer) => {
      pending += data.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        logLines.push(entry);
        if (entry.msg === 'gateway listening' && ++ready >= (options.readyLines ?? 1)) {
          clearTimeout(timer);
          resolve(String(entry.url));
        }
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}) before listening; stderr: ${stderr}`));
    });
  });
  // A gateway that did not come up is not left running behind the failed test.
  const url = await listening.catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    child,
    url,
    logLines,
    stderr: () => stderr,
    exit,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exit;
    },
  };
}
