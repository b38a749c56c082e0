import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { LoadedPools } from './pools-file.js';
import { watchPoolsFile } from './pools-file-watcher.js';

const knownTypes = ['openai-custom'];
const file = (ids: string[]) => JSON.stringify({ 'openai-custom': ids.map((uuid) => ({ uuid })) });
const idsOf = (loaded: LoadedPools | undefined) => loaded?.pools.get('openai-custom')?.map((entry) => entry.uuid);

describe('watchPoolsFile', () => {
  it('reloads after an edit and after an editor-style replace, keeping the old pools on a broken file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pools-watch-'));
    const path = join(dir, 'provider_pools.json');
    await writeFile(path, file(['a']));
    const reloads: LoadedPools[] = [];
    const errors: unknown[] = [];
    const watcher = watchPoolsFile(path, { knownTypes, debounceMs: 20, onReload: (loaded) => reloads.push(loaded), onError: (error) => errors.push(error) });
    try {
      await writeFile(path, file(['a', 'b']));
      await vi.waitFor(() => expect(idsOf(reloads.at(-1))).toEqual(['a', 'b']), { timeout: 3000 });
      await writeFile(join(dir, 'tmp'), file(['c']));
      await rename(join(dir, 'tmp'), path);
      await vi.waitFor(() => expect(idsOf(reloads.at(-1))).toEqual(['c']), { timeout: 3000 });
      const count = reloads.length;
      await writeFile(path, '{ broken');
      await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 3000 });
      expect(reloads.length).toBe(count);
    } finally {
      watcher.close();
    }
  });

  it('reload() on demand (SIGHUP)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pools-watch-'));
    const path = join(dir, 'provider_pools.json');
    await writeFile(path, file(['x']));
    const reloads: LoadedPools[] = [];
    const watcher = watchPoolsFile(path, { knownTypes, onReload: (loaded) => reloads.push(loaded), onError: () => undefined });
    await watcher.reload();
    watcher.close();
    expect(idsOf(reloads[0])).toEqual(['x']);
  });
});
