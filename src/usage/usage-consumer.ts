import type { Logger } from 'pino';
import { SqliteUsageStore } from './sqlite-usage-store.js';
import { UsageRecorder } from './usage-recorder.js';
import { usageRoutes } from './usage-routes.js';
import type { OutcomeConsumer } from './wire-accounting.js';

/** The usage store (SQLite, loaded only when USAGE_ENABLED) behind the recorder and its admin routes. */
export async function createUsageConsumer(options: { file: string; retentionDays: number; logger: Logger }): Promise<OutcomeConsumer & { recorder: UsageRecorder }> {
  const store = new SqliteUsageStore(options.file);
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
