/**
 * A lock around an OAuth refresh that several gateway processes may attempt at once. Refresh tokens
 * are often single-use: two processes refreshing the same credential burn it. Each provider already
 * refreshes one at a time within a process (SingleFlight) and re-reads its credential file before
 * refreshing; holding this lock across the re-read, the refresh and the write-back makes the others
 * find the new token in the file and use it instead of refreshing themselves.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

export interface CredentialLock {
  /**
   * Runs `task` while holding the lock named `key` across gateway processes. Never fails for the
   * lock's sake: when it cannot be had (shared store away, holder stuck) the task runs anyway, as a
   * single process would.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** One process: SingleFlight already serialises refreshes, nothing more to hold. */
export const PROCESS_LOCAL_LOCK: CredentialLock = Object.freeze({
  run: <T>(_key: string, task: () => Promise<T>) => task(),
});

/** The lock name of a credential file: a hash of its absolute path (paths stay out of shared keys). */
export function credentialLockKey(filePath: string): string {
  return `oauth:${createHash('sha256').update(path.resolve(filePath)).digest('hex').slice(0, 32)}`;
}
