import { execFile } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CACHE = fileURLToPath(new URL('../../.cache/clients/', import.meta.url));

/**
 * Installs a real client CLI from npm into .cache/clients (once; later runs reuse it) and returns
 * the folder. Bounded: a registry that does not answer fails the test instead of hanging it.
 */
export async function installClient(name: string, spec: string): Promise<string> {
  const folder = path.join(CACHE, name);
  const marker = path.join(folder, 'node_modules', ...spec.split('@').slice(0, -1).join('@').split('/'));
  try {
    await access(marker);
    return folder;
  } catch {
    // Not installed yet.
  }
  await mkdir(folder, { recursive: true });
  await run('npm', ['install', '--prefix', folder, '--no-audit', '--no-fund', '--no-save', spec], { timeout: 240_000 });
  return folder;
}

/** Claude Code ships its native binary in a per-platform package. */
export async function installClaudeCode(version: string): Promise<string> {
  const folder = await installClient('claude-code', `@anthropic-ai/claude-code@${version}`);
  return path.join(folder, 'node_modules', '@anthropic-ai', `claude-code-${process.platform}-${process.arch}`, 'claude');
}
