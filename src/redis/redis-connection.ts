/**
 * The Redis connections of one gateway process: one for commands, one for pub/sub (a subscribed
 * connection can do nothing else). Redis being away must never fail a request, so commands fail
 * fast instead of queueing while disconnected (callers fall back to local state), ioredis reconnects
 * by itself, and the outage is logged once when it starts and once when it ends.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PoolLogger } from '../pool/index.js';

export interface RedisConnectionOptions {
  readonly url: string;
  readonly logger: PoolLogger;
  /** How long a command may take before the caller falls back (default 2 s). */
  readonly commandTimeoutMs?: number;
}

/** `redis://user:secret@host:6379/2` → `redis://host:6379/2`: what logs may show. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'redis (unparsable URL)';
  }
}

export class RedisConnection {
  readonly client: Redis;
  readonly subscriber: Redis;
  readonly #logger: PoolLogger;
  readonly #where: string;
  readonly #readyListeners = new Set<() => void>();
  readonly #downListeners = new Set<() => void>();
  #down = false;
  #closed = false;

  constructor(options: RedisConnectionOptions) {
    this.#logger = options.logger;
    this.#where = describeRedisUrl(options.url);
    const settings = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      // Back off to one attempt per second: a restarted Redis is found within a second of coming back.
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
    };
    this.client = new Redis(options.url, settings);
    this.subscriber = new Redis(options.url, { ...settings, commandTimeout: undefined });
    for (const connection of [this.client, this.subscriber]) {
      // Without a listener ioredis prints every failed reconnect; the outage is logged once below.
      connection.on('error', () => this.#markDown());
      connection.on('end', () => this.#markDown());
      connection.on('close', () => this.#markDown());
      connection.on('ready', () => this.#markUp());
    }
  }

  /** Connects both; resolves false (and keeps retrying in the background) when Redis is not there. */
  async connect(): Promise<boolean> {
    const results = await Promise.allSettled([this.client.connect(), this.subscriber.connect()]);
    const up = results.every((result) => result.status === 'fulfilled');
    if (up) this.#logger.info({ redis: this.#where }, 'redis connected: pool state is shared');
    return up;
  }

  get ready(): boolean {
    return this.client.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** Called each time both connections are ready again after an outage (state converges then). */
  onReady(listener: () => void): () => void {
    this.#readyListeners.add(listener);
    return () => this.#readyListeners.delete(listener);
  }

  /** Called once when an outage starts (what waited on Redis must now go on without it). */
  onDown(listener: () => void): () => void {
    this.#downListeners.add(listener);
    return () => this.#downListeners.delete(listener);
  }

  /**
   * Callers report failed commands here. A timeout means Redis hangs (a stopped process, a network
   * that drops packets): the connection is still open, so ioredis would not notice. It is cut and
   * made again, which makes Redis "away" (requests stop waiting on it) until it answers again.
   */
  noteFailure(error: unknown): void {
    if (this.#closed || !(error instanceof Error) || error.message !== 'Command timed out') return;
    if (this.client.status !== 'ready') return; // already being made again
    this.client.disconnect(true);
  }

  #markDown(): void {
    if (this.#down || this.#closed) return;
    this.#down = true;
    this.#logger.warn({ redis: this.#where }, 'redis unreachable: serving from local state until it is back');
    for (const listener of this.#downListeners) listener();
  }

  #markUp(): void {
    if (!this.ready) return;
    const wasDown = this.#down;
    this.#down = false;
    if (wasDown) this.#logger.info({ redis: this.#where }, 'redis reachable again: syncing pool state');
    for (const listener of this.#readyListeners) listener();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([this.client.quit(), this.subscriber.quit()]);
    this.client.disconnect();
    this.subscriber.disconnect();
  }
}

/** A Lua script run by its SHA, loaded again when Redis forgot it (restart, SCRIPT FLUSH). */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return client.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}
