/** Names of the shared pool state in Redis, and of this process among the others. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export interface RedisStateKeys {
  readonly prefix: string;
  /** Hash of an instance's persisted fields. */
  state(id: string): string;
  /** Hash of its time-limited fields, expiring with the last of them. */
  timed(id: string): string;
  /** Id of Redis's current data set (see RedisPoolStateStore's epoch). */
  readonly epoch: string;
  /** Pub/sub channel of changes that move traffic. */
  readonly channel: string;
}

export function redisStateKeys(prefix: string): RedisStateKeys {
  return {
    prefix,
    state: (id) => `${prefix}state:${id}`,
    timed: (id) => `${prefix}cooldown:${id}`,
    epoch: `${prefix}epoch`,
    channel: `${prefix}events`,
  };
}

/** Names this process in Redis: its announcements, its concurrency slots, its locks. */
export function processOrigin(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
