import { mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockPathFor, withFileLock } from './qwen-file-lock.js';

describe('the credential file lock shared with Qwen Code', () => {
  it('is named as Qwen Code names it', () => {
    expect(lockPathFor('/home/me/.qwen/oauth_creds.json')).toBe('/home/me/.qwen/oauth_creds.lock');
    expect(lockPathFor('/srv/creds/qwen')).toBe('/srv/creds/qwen.lock');
  });

  it('serialises holders and removes the lock afterwards', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'qwen-lock-'));
    const lock = path.join(directory, 'oauth_creds.lock');
    const order: string[] = [];
    const hold = (name: string) =>
      withFileLock(
        lock,
        async () => {
          order.push(`${name}+`);
          await new Promise((resolve) => setTimeout(resolve, 30));
          order.push(`${name}-`);
        },
        { retryDelayMs: 5 },
      );
    await Promise.all([hold('a'), hold('b')]);
    // Either may win the race for the file; what matters is that the second starts after the first ends.
    const first = order[0]?.[0];
    const second = first === 'a' ? 'b' : 'a';
    expect(order).toEqual([`${first}+`, `${first}-`, `${second}+`, `${second}-`]);
    expect(await readdir(directory)).toEqual([]);
  });

  it('takes over a stale lock left by a crashed process', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'qwen-lock-'));
    const lock = path.join(directory, 'oauth_creds.lock');
    await writeFile(lock, 'someone-else');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    expect(await withFileLock(lock, async () => 'ran', { retryDelayMs: 5 })).toBe('ran');
    expect(await readdir(directory)).toEqual([]);
  });
});
