import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCredentialFile, readExpiryMs, writeCredentialFileAtomic } from './credential-file.js';
import { SingleFlight } from './single-flight.js';

describe('credential files', () => {
  it('writes atomically with mode 0600, keeping fields it does not know, and leaves no temp files', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'creds-'));
    const file = path.join(directory, 'oauth_creds.json');
    await writeFile(file, JSON.stringify({ access_token: 'old', refresh_token: 'r', custom_field: { kept: true } }));
    const current = await readCredentialFile(file, 'test');
    await writeCredentialFileAtomic(file, { ...current, access_token: 'new' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ access_token: 'new', refresh_token: 'r', custom_field: { kept: true } });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(directory)).toEqual(['oauth_creds.json']);
  });

  it('reports a missing or broken file as an auth error naming the path', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'creds-'));
    await expect(readCredentialFile(path.join(directory, 'none.json'), 'qwen')).rejects.toMatchObject({ kind: 'auth', code: 'credentials_missing' });
    await writeFile(path.join(directory, 'bad.json'), '{oops');
    await expect(readCredentialFile(path.join(directory, 'bad.json'), 'qwen')).rejects.toThrow(/bad\.json is not a JSON object/);
  });

  it('never quotes the content of a broken file (tokens) in the error', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'creds-'));
    const file = path.join(directory, 'cut.json');
    // Cut off mid-write by another tool: JSON.parse's own message would quote the token.
    await writeFile(file, '{"refresh_token":"rt-sekrit-0123456789","access_token":"at-sekrit');
    const error = (await readCredentialFile(file, 'qwen').catch((caught: unknown) => caught)) as Error & { detail: { cause?: unknown } };
    expect(error.message).toContain('cut.json is not a JSON object');
    expect(JSON.stringify({ message: error.message, cause: String(error.detail.cause) })).not.toContain('sekrit');
  });

  it.each([
    [{ expiry_date: 1_700_000_000_000 }, 1_700_000_000_000],
    [{ expiresAt: '2026-01-01T00:00:00.000Z' }, Date.parse('2026-01-01T00:00:00.000Z')],
    [{ expires_at: 1_700_000_000 }, 1_700_000_000_000],
    [{ access_token: 'x' }, undefined],
  ])('reads the expiry of %j', (credentials, expected) => expect(readExpiryMs(credentials)).toBe(expected));
});

describe('SingleFlight', () => {
  it('shares one running task between concurrent callers, then allows a new one', async () => {
    const flight = new SingleFlight<number>();
    let calls = 0;
    const task = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return calls;
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => flight.run(task)));
    expect(new Set(results)).toEqual(new Set([1]));
    expect(await flight.run(task)).toBe(2);
  });

  it('lets every waiter see a failure, and the next call retry', async () => {
    const flight = new SingleFlight<string>();
    const failing = Promise.all([flight.run(async () => Promise.reject(new Error('boom'))), flight.run(async () => 'unused')]);
    await expect(failing).rejects.toThrow('boom');
    expect(await flight.run(async () => 'ok')).toBe('ok');
  });
});
