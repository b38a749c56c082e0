import type { Logger } from 'pino';
import { SqliteUsageStore } from './sqlite-usage-store.js';
import { UsageRecorder } from './usage-recorder.js';
import { usageRoutes } from './usage-routes.js';
import type { UsageStore } from './usage-store.js';
import type { OutcomeConsumer } from './wire-accounting.js';

/**
 * Wraps the local usage store so its totals are shared with other machines (Redis, src/redis);
 * set only when REDIS_URL is.
 */
export type ShareUsage = (local: UsageStore, options: { file: string; retentionDays: number }) => Promise<UsageStore>;

/** The usage store (SQLite, loaded only when USAGE_ENABLED) behind the recorder and its admin routes. */
export async function createUsageConsumer(options: {
  file: string;
  retentionDays: number;
  logger: Logger;
  shareUsage?: ShareUsage;
}): Promise<OutcomeConsumer & { recorder: UsageRecorder }> {
  const local = new SqliteUsageStore(options.file);
  const store = options.shareUsage ? await options.shareUsage(local, { file: options.file, retentionDays: options.retentionDays }) : local;
  const recorder = new UsageRecorder(store, { retentionDays: options.retentionDays, logger: options.logger });
  options.logger.info({ file: options.file }, 'usage accounting on');
  return {
    recorder,
    observe: (record) => recorder.record(record),
    register: async (app, authenticate) => {
      await app.register(usageRoutes, { recorder, authenticate });
    },
    close: () => recorder.close(),
  };
}
