import { execFile } from 'node:child_process';
import { access, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CACHE = fileURLToPath(new URL('../../.cache/clients/', import.meta.url));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Installs a real client CLI from npm into .cache/clients (once; later runs reuse it) and returns
 * the folder. Test files run in parallel workers, so one worker installs under a lock directory while
 * the others wait for its "installed" marker. Bounded: a registry that does not answer fails the test.
 */
export async function installClient(name: string, spec: string): Promise<string> {
  const folder = path.join(CACHE, name);
  const installed = path.join(folder, `.installed-${spec.replace(/[^a-zA-Z0-9.@-]/g, '_')}`);
  const lock = `${folder}.lock`;
  const isInstalled = () =>
    access(installed).then(
      () => true,
      () => false,
    );
  await mkdir(CACHE, { recursive: true });
  for (let waited = 0; waited < 300_000; waited += 500) {
    if (await isInstalled()) return folder;
    try {
      await mkdir(lock);
    } catch {
      // Another worker is installing: wait for it (a lock older than 5 minutes is a crashed install).
      const age =
        Date.now() -
        (await stat(lock).then(
          (info) => info.mtimeMs,
          () => Date.now(),
        ));
      if (age > 300_000) await rm(lock, { recursive: true, force: true });
      await pause(500);
      continue;
    }
    try {
      if (await isInstalled()) return folder;
      await mkdir(folder, { recursive: true });
      await run('npm', ['install', '--prefix', folder, '--no-audit', '--no-fund', '--no-save', spec], { timeout: 240_000 });
      await writeFile(installed, `${new Date().toISOString()}\n`);
      return folder;
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
  throw new Error(`timed out waiting for the install of ${spec}`);
}

/** Claude Code ships its native binary in a per-platform package. */
export async function installClaudeCode(version: string): Promise<string> {
  const folder = await installClient('claude-code', `@anthropic-ai/claude-code@${version}`);
  return path.join(folder, 'node_modules', '@anthropic-ai', `claude-code-${process.platform}-${process.arch}`, 'claude');
}

/** Codex ships its native binary in a per-platform package (aliased as `@openai/codex-<platform>-<arch>`). */
export async function installCodex(version: string): Promise<{ binary: string; pathDir: string }> {
  const folder = await installClient(`codex-${version}`, `@openai/codex@${version}`);
  const triples: Record<string, string> = {
    'linux-x64': 'x86_64-unknown-linux-musl',
    'linux-arm64': 'aarch64-unknown-linux-musl',
    'darwin-x64': 'x86_64-apple-darwin',
    'darwin-arm64': 'aarch64-apple-darwin',
  };
  const triple = triples[`${process.platform}-${process.arch}`];
  if (!triple) throw new Error(`no Codex binary for ${process.platform}-${process.arch}`);
  const vendor = path.join(folder, 'node_modules', '@openai', `codex-${process.platform}-${process.arch}`, 'vendor', triple);
  const binary = path.join(vendor, 'bin', 'codex');
  await access(binary).catch(() => {
    throw new Error(`Codex binary missing at ${binary} (remove ${folder} to reinstall)`);
  });
  // `codex-path` holds the helpers (rg) that the npm launcher puts on PATH.
  return { binary, pathDir: path.join(vendor, 'codex-path') };
}

/** Gemini CLI is a Node bundle; returns the script to run with `node` (as its `gemini` bin does). */
export async function installGeminiCli(version: string): Promise<string> {
  const folder = await installClient(`gemini-cli-${version}`, `@google/gemini-cli@${version}`);
  const script = path.join(folder, 'node_modules', '@google', 'gemini-cli', 'bundle', 'gemini.js');
  await access(script).catch(() => {
    throw new Error(`Gemini CLI script missing at ${script} (remove ${folder} to reinstall)`);
  });
  return script;
}
