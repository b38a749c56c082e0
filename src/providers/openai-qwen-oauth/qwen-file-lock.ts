import { randomUUID } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface FileLockOptions {
  /** A lock older than this is taken to be left over by a crashed process. */
  readonly staleMs?: number;
  readonly retryDelayMs?: number;
  readonly maxAttempts?: number;
}

/**
 * The lock Qwen Code itself takes around a refresh of its credential file: `oauth_creds.lock`
 * beside `oauth_creds.json`, created exclusively, holding a random id. Using the same name means a
 * gateway and a Qwen Code session sharing one file never spend the same refresh token twice.
 */
export function lockPathFor(credentialsPath: string): string {
  const { dir, name, ext } = path.parse(credentialsPath);
  return path.join(dir, ext === '.json' ? `${name}.lock` : `${name}${ext}.lock`);
}

/**
 * Runs `task` holding the lock file. If the lock cannot be had in time (or the folder is read-only),
 * the task runs anyway: a refresh without the lock is the original's behaviour, and waiting for
 * ever would be worse than a rare double refresh.
 */
export async function withFileLock<T>(lockPath: string, task: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const { staleMs = 10_000, retryDelayMs = 200, maxAttempts = 50 } = options;
  const id = randomUUID();
  let held = false;
  for (let attempt = 0; attempt < maxAttempts && !held; attempt += 1) {
    try {
      await writeFile(lockPath, id, { flag: 'wx', mode: 0o600 });
      held = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') break;
      const age = await stat(lockPath).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (age > staleMs) await rm(lockPath, { force: true });
      else await delay(retryDelayMs);
    }
  }
  try {
    return await task();
  } finally {
    // Remove only our own lock: after a stale takeover another process may hold the name.
    if (held && (await readFile(lockPath, 'utf8').catch(() => '')) === id) await rm(lockPath, { force: true });
  }
}
