/**
 * Shared state for several gateway processes (REDIS_URL). Loaded only when REDIS_URL is set, so a
 * single gateway never loads ioredis.
 */
import type { PoolLogger } from '../pool/index.js';
import { RedisConnection } from './redis-connection.js';
import type { CredentialLock } from '../providers/shared/oauth/credential-lock.js';
import { RedisCredentialLock } from './redis-credential-lock.js';
import { RedisSharedSlots } from './redis-shared-slots.js';
import type { UsageStore } from '../usage/usage-store.js';
import { RedisPoolStateStore, processOrigin } from './redis-state-store.js';

export interface RedisSharingOptions {
  readonly url: string;
  readonly keyPrefix: string;
  readonly logger: PoolLogger;
  /** REDIS_LEASE_TTL_MS: a concurrency slot of a process that stopped renewing it expires after this. */
  readonly leaseTtlMs: number;
  /** Tests shorten these (see RedisPoolStateStoreOptions). */
  readonly syncIntervalMs?: number;
  readonly routineFlushMs?: number;
}

export interface RedisSharing {
  readonly store: RedisPoolStateStore;
  /** One OAuth refresh per credential across all processes. */
  readonly credentialLock: CredentialLock;
  /** Adds this gateway's usage sums to Redis and other machines' sums to `/api/usage` (redis-usage-rollups.ts). */
  shareUsage(local: UsageStore, options: { file: string; retentionDays: number }): Promise<UsageStore>;
  /** Stops the store (it flushes) and closes the connections. */
  close(): Promise<void>;
}

/** Connects (or keeps trying in the background: the gateway starts either way) and builds the shared store. */
export async function createRedisSharing(options: RedisSharingOptions): Promise<RedisSharing> {
  const connection = new RedisConnection({ url: options.url, logger: options.logger });
  await connection.connect();
  const origin = processOrigin();
  const slots = new RedisSharedSlots({ connection, keyPrefix: options.keyPrefix, origin, leaseTtlMs: options.leaseTtlMs, logger: options.logger });
  await slots.start();
  const store = new RedisPoolStateStore({
    connection,
    origin,
    slots,
    keyPrefix: options.keyPrefix,
    logger: options.logger,
    syncIntervalMs: options.syncIntervalMs,
    routineFlushMs: options.routineFlushMs,
  });
  return {
    store,
    credentialLock: new RedisCredentialLock({ connection, keyPrefix: options.keyPrefix, origin, logger: options.logger }),
    async shareUsage(local, usage) {
      // Loaded only when usage accounting is on too.
      const { RedisUsageRollups, usageDatabaseId } = await import('./redis-usage-rollups.js');
      const identity = await usageDatabaseId(usage.file);
      return new RedisUsageRollups({ local, connection, keyPrefix: options.keyPrefix, identity, retentionDays: usage.retentionDays, logger: options.logger });
    },
    async close() {
      await slots.close();
      await store.close();
      await connection.close();
    },
  };
}
