import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, type LoadedConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';

export interface Harness extends RunningServer {
  readonly cwd: string;
  readonly logLines: Array<Record<string, unknown>>;
}

/** Starts the gateway in-process on a free loopback port with the given config.json values. */
export async function startGateway(
  config: Record<string, unknown>,
  extraArgv: string[] = [],
  /** Writes more files (pools file, credentials) into the working directory before start. */
  prepare?: (cwd: string) => Promise<void>,
): Promise<Harness> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'aiclient2api-test-'));
  const file = path.join(cwd, 'config.json');
  await writeFile(file, JSON.stringify({ HOST: '127.0.0.1', SERVER_PORT: 0, REQUEST_BASE_DELAY: 10, ...config }));
  await prepare?.(cwd);
  const loaded = (await loadConfig(['--config', file, ...extraArgv], cwd)) as LoadedConfig & { kind: 'serve' };
  if (loaded.kind !== 'serve') throw new Error('expected a serve config');
  const logLines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  const server = await startServer(loaded, { logger, cwd });
  return Object.assign(server, { cwd, logLines });
}

/** Headers carrying the gateway's admin credential (the generated password on a keyless gateway). */
export function adminHeaders(server: RunningServer): Record<string, string> {
  return { authorization: `Bearer ${server.adminSecret.value}` };
}
