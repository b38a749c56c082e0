/**
 * Hot reload of the pools file: watches its folder (editors often replace a file by renaming, which
 * a watch on the file itself would lose), debounces bursts of events, reloads, and hands the result
 * over. A file that fails to load keeps the previous pools in service; the error is reported.
 * The caller applies the result (ProviderPool.replaceGroups) and can also call reload() on SIGHUP.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type LoadedPools, type ParsePoolsOptions, loadPoolsFile } from './pools-file.js';

export interface PoolsFileWatcherOptions {
  readonly knownTypes: readonly string[];
  readonly validateAccount?: ParsePoolsOptions['validateAccount'];
  readonly onReload: (loaded: LoadedPools) => void;
  readonly onError: (error: unknown) => void;
  readonly debounceMs?: number;
}

export interface PoolsFileWatcher {
  /** Reloads now (SIGHUP). Resolves once the new pools were handed over or the error reported. */
  reload(): Promise<void>;
  close(): void;
}

export function watchPoolsFile(path: string, options: PoolsFileWatcherOptions): PoolsFileWatcher {
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  // Reloads run one after another so an older read can never overwrite a newer one.
  let chain: Promise<void> = Promise.resolve();

  const reload = (): Promise<void> => {
    chain = chain.then(async () => {
      if (closed) return;
      try {
        const loaded = await loadPoolsFile(path, { knownTypes: options.knownTypes, validateAccount: options.validateAccount });
        if (!closed) options.onReload(loaded);
      } catch (error) {
        options.onError(error);
      }
    });
    return chain;
  };

  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), options.debounceMs ?? 300);
    timer.unref();
  });
  watcher.on('error', (error) => options.onError(error));

  return {
    reload,
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
