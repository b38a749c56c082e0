/**
 * Where the pool keeps its runtime state: the embedded store (a state file beside the pools file),
 * or, with REDIS_URL, Redis shared with every other gateway process (src/redis, loaded only then).
 */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import { MemoryPoolStateStore, type PoolStateStore } from '../pool/index.js';
import type { CredentialLock } from '../providers/shared/oauth/credential-lock.js';
import type { ShareUsage } from '../usage/usage-consumer.js';

export interface PoolStateBackend {
  readonly store: PoolStateStore;
  /** Cross-process OAuth refresh lock (only with Redis; one process needs none). */
  readonly credentialLock?: CredentialLock;
  /** Usage totals across machines (only with Redis). */
  readonly shareUsage?: ShareUsage;
  close(): Promise<void>;
}

export async function createPoolStateBackend(config: GatewayConfig, snapshotPath: string | undefined, logger: Logger): Promise<PoolStateBackend> {
  if (config.REDIS_URL !== '') {
    const { createRedisSharing } = await import('../redis/index.js');
    const sharing = await createRedisSharing({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, leaseTtlMs: config.REDIS_LEASE_TTL_MS, logger });
    await sharing.store.load();
    return sharing;
  }
  const store = new MemoryPoolStateStore({ snapshotPath, logger });
  await store.load();
  return { store, close: () => store.close() };
}
