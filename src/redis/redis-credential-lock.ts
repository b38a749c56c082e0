/**
 * The cross-process OAuth refresh lock in Redis: SET NX PX with a random token, renewed while the
 * refresh runs and deleted only by its holder (compare-and-delete), so a crashed holder's lock
 * expires by itself (the fencing expiry) and a late holder never frees someone else's lock. Waiters
 * poll: refreshes are rare, and a waiter then re-reads the credential file and finds the new token.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { PoolLogger } from '../pool/index.js';
import type { CredentialLock } from '../providers/shared/oauth/credential-lock.js';
import { LuaScript, type RedisConnection } from './redis-connection.js';

const RENEW_SCRIPT = new LuaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);
const UNLOCK_SCRIPT = new LuaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

export interface RedisCredentialLockOptions {
  readonly connection: RedisConnection;
  readonly keyPrefix: string;
  readonly origin: string;
  readonly logger: PoolLogger;
  /** Life of a lock its holder stopped renewing (default 30 s: longer than one refresh call). */
  readonly ttlMs?: number;
  /** Longest wait for another holder before refreshing anyway (default 45 s). */
  readonly maxWaitMs?: number;
  readonly pollMs?: number;
}

export class RedisCredentialLock implements CredentialLock {
  readonly #options: RedisCredentialLockOptions;

  constructor(options: RedisCredentialLockOptions) {
    this.#options = options;
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const { connection, keyPrefix, logger } = this.#options;
    const ttlMs = this.#options.ttlMs ?? 30_000;
    const name = `${keyPrefix}lock:${key}`;
    const token = `${this.#options.origin}:${randomBytes(8).toString('hex')}`;
    const deadline = Date.now() + (this.#options.maxWaitMs ?? 45_000);
    let held = false;
    while (!held && connection.ready && Date.now() < deadline) {
      try {
        held = (await connection.client.set(name, token, 'PX', ttlMs, 'NX')) === 'OK';
      } catch {
        break; // Redis went away: refresh as a single process would
      }
      if (!held) await delay(this.#options.pollMs ?? 100);
    }
    if (!held) {
      logger.warn({ lock: key }, 'oauth refresh without the cross-process lock (redis away or the holder is stuck)');
      return task();
    }
    const renewal = setInterval(
      () => {
        RENEW_SCRIPT.run(connection.client, [name], [token, ttlMs]).then(
          (renewed) => {
            if (Number(renewed) === 0) logger.warn({ lock: key }, 'oauth refresh lock expired before the refresh ended');
          },
          () => undefined,
        );
      },
      Math.floor(ttlMs / 3),
    );
    renewal.unref();
    try {
      return await task();
    } finally {
      clearInterval(renewal);
      await UNLOCK_SCRIPT.run(connection.client, [name], [token]).catch(() => undefined);
    }
  }
}
