/**
 * Shared state for several gateway processes (REDIS_URL). Loaded only when REDIS_URL is set, so a
 * single gateway never loads ioredis.
 */
import type { PoolLogger } from '../pool/index.js';
import { RedisConnection } from './redis-connection.js';
import { RedisPoolStateStore } from './redis-state-store.js';

export interface RedisSharingOptions {
  readonly url: string;
  readonly keyPrefix: string;
  readonly logger: PoolLogger;
  /** Tests shorten these (see RedisPoolStateStoreOptions). */
  readonly syncIntervalMs?: number;
  readonly routineFlushMs?: number;
}

export interface RedisSharing {
  readonly store: RedisPoolStateStore;
  /** Stops the store (it flushes) and closes the connections. */
  close(): Promise<void>;
}

/** Connects (or keeps trying in the background: the gateway starts either way) and builds the shared store. */
export async function createRedisSharing(options: RedisSharingOptions): Promise<RedisSharing> {
  const connection = new RedisConnection({ url: options.url, logger: options.logger });
  await connection.connect();
  const store = new RedisPoolStateStore({
    connection,
    keyPrefix: options.keyPrefix,
    logger: options.logger,
    syncIntervalMs: options.syncIntervalMs,
    routineFlushMs: options.routineFlushMs,
  });
  return {
    store,
    async close() {
      await store.close();
      await connection.close();
    },
  };
}
