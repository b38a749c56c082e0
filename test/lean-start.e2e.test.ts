/**
 * A lean start (issue: features that are off cost nothing): what the built gateway loads before it
 * listens, seen through Node's module hooks. Heavy packages and feature modules stay unloaded until
 * their feature is on or first used.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const HOOKS = fileURLToPath(new URL('./helpers/module-log-hooks.mjs', import.meta.url));

/** The module URLs (relative to the repository) a gateway with `config` loads until it listens. */
async function modulesAtStart(config: Record<string, unknown>): Promise<string[]> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'lean-start-'));
  await mkdir(path.join(cwd, 'configs'));
  await writeFile(
    path.join(cwd, 'configs', 'config.json'),
    JSON.stringify({ SERVER_PORT: 0, OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', ...config }),
  );
  const log = path.join(cwd, 'modules.txt');
  const child = spawn(process.execPath, ['--import', HOOKS, BIN], { cwd, env: { ...process.env, MODULE_LOG_FILE: log }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
      if (output.includes('gateway listening')) resolve();
    });
    child.once('exit', () => reject(new Error(`gateway exited: ${output}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const root = fileURLToPath(new URL('..', import.meta.url));
  return (await readFile(log, 'utf8'))
    .split('\n')
    .filter((url) => url.startsWith('file://'))
    .map((url) => path.relative(root, fileURLToPath(url)));
}

const loaded = (modules: string[], prefix: string) => modules.filter((module) => module.startsWith(prefix));

describe('lean start', () => {
  it('with the default config loads no proxy, Redis, login or console API code, and not the whole of undici', async () => {
    const modules = await modulesAtStart({});
    expect(modules).toContain('dist/server/create-app.js');
    for (const heavy of ['node_modules/undici/index.js', 'node_modules/ioredis', 'node_modules/socks', 'node_modules/playwright-core', 'dist/redis/']) {
      expect(loaded(modules, heavy)).toEqual([]);
    }
    for (const feature of ['dist/ui/ui-api.js', 'dist/ui/oauth/', 'dist/ui/static-files.js', 'dist/cli/login']) expect(loaded(modules, feature)).toEqual([]);
    expect(modules.filter((module) => /login/.test(module) && module.startsWith('dist/providers/'))).toEqual([]);
  }, 60_000);

  it('with usage, metrics and the console off loads neither SQLite nor prom-client nor the console', async () => {
    const modules = await modulesAtStart({ USAGE_ENABLED: false, METRICS_ENABLED: false, UI_ENABLED: false });
    for (const heavy of ['node_modules/better-sqlite3', 'node_modules/prom-client', 'dist/usage/sqlite', 'dist/metrics/', 'dist/ui/']) {
      expect(loaded(modules, heavy)).toEqual([]);
    }
  }, 60_000);
});
