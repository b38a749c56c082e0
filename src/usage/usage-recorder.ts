import type { Logger } from 'pino';
import type { UsageRecord } from './usage-record.js';
import type { UsageStore } from './usage-store.js';

export const FLUSH_INTERVAL_MS = 1000;
const PRUNE_INTERVAL_MS = 3_600_000;
/** Beyond this many unwritten records (a store that keeps failing) the oldest are dropped. */
const MAX_PENDING = 100_000;

/**
 * Takes each finished request's record on the request path (an array push), and writes them to the
 * store in one batch about once a second, so a crash loses at most the last second. Live listeners
 * (the `/api/requests/stream` endpoint) get each record as it is taken.
 */
export class UsageRecorder {
  private pending: UsageRecord[] = [];
  private readonly listeners = new Set<(record: UsageRecord) => void>();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly pruneTimer: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly store: UsageStore,
    private readonly options: { readonly retentionDays: number; readonly logger: Logger },
  ) {
    this.flushTimer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.flushTimer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
    void this.prune();
  }

  record(record: UsageRecord): void {
    if (this.closed) return;
    if (this.pending.length >= MAX_PENDING) this.pending.shift();
    this.pending.push(record);
    for (const listener of this.listeners) listener(record);
  }

  /** Registers a live listener; returns its removal. */
  subscribe(listener: (record: UsageRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes what is pending now (also before each read, so answers include the latest requests). */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.store.append(batch);
      } catch (error) {
        this.options.logger.error({ error: (error as Error).message, records: batch.length }, 'usage records could not be written; retrying');
        this.pending = batch.concat(this.pending).slice(-MAX_PENDING);
      }
    });
    return this.writing;
  }

  private async prune(): Promise<void> {
    try {
      await this.store.prune(Date.now() - this.options.retentionDays * 86_400_000);
    } catch (error) {
      this.options.logger.warn({ error: (error as Error).message }, 'old usage records could not be pruned');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    await this.flush();
    this.closed = true;
    this.listeners.clear();
    await this.store.close();
  }
}
