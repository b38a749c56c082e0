/**
 * Concurrency slots counted across processes: one sorted set per instance in Redis, a member per
 * slot in use, scored by when it expires. Taking a slot is one Lua script (drop expired members,
 * count, add if below the limit), so `concurrencyLimit` holds across processes without races. The
 * holder renews its members on a heartbeat; a process that dies stops renewing and its slots expire
 * by themselves within the lease TTL. Redis away: each process counts its own slots, so requests go
 * on (the limit then holds per process) and nothing waits for the network.
 */
import type { PoolLogger, SharedSlots } from '../pool/index.js';
import { LuaScript, type RedisConnection } from './redis-connection.js';

const NOW_MS = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/** KEYS: slots set. ARGV: limit, member, ttl ms. Returns the count after taking, or minus the count when full. */
const TAKE_SCRIPT = new LuaScript(`${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[1]) then return -count end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
return count + 1`);

/** KEYS: slots set. ARGV: member, channel, announcement prefix. Frees the slot and tells every process. */
const RELEASE_SCRIPT = new LuaScript(`${NOW_MS}
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
redis.call('PUBLISH', ARGV[2], ARGV[3] .. count)
return count`);

/** KEYS: slots sets. ARGV: ttl ms, then one member per key. Extends (or, after a Redis restart, restores) held slots. */
const RENEW_SCRIPT = new LuaScript(`${NOW_MS}
local ttl = tonumber(ARGV[1])
for index, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + ttl, ARGV[index + 1])
  redis.call('PEXPIRE', key, ttl * 2)
end
return #KEYS`);

/** KEYS: slots sets. Returns their live counts. */
const COUNT_SCRIPT = new LuaScript(`${NOW_MS}
local counts = {}
for index, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  counts[index] = redis.call('ZCARD', key)
end
return counts`);

export interface RedisSharedSlotsOptions {
  readonly connection: RedisConnection;
  readonly keyPrefix: string;
  /** Identifies this process in slot members and announcements. */
  readonly origin: string;
  /** How long a slot lives without renewal (REDIS_LEASE_TTL_MS); renewed every third of it. */
  readonly leaseTtlMs: number;
  readonly logger: PoolLogger;
}

interface Held {
  readonly id: string;
  readonly limit: number;
  /** Counted in Redis, or only here (taken while Redis was away). */
  readonly shared: boolean;
}

export class RedisSharedSlots implements SharedSlots {
  readonly #options: RedisSharedSlotsOptions;
  readonly #connection: RedisConnection;
  readonly #channel: string;
  /** Slots in use per instance across processes, as last heard (plus this process's own changes since). */
  readonly #counts = new Map<string, number>();
  readonly #limits = new Map<string, number>();
  readonly #held = new Map<string, Held>();
  readonly #listeners = new Set<(id: string) => void>();
  #sequence = 0;
  #timer: NodeJS.Timeout | undefined;
  #warned = false;

  constructor(options: RedisSharedSlotsOptions) {
    this.#options = options;
    this.#connection = options.connection;
    this.#channel = `${options.keyPrefix}slots`;
  }

  /** Subscribes to other processes' releases and starts the heartbeat. */
  async start(): Promise<void> {
    const { subscriber } = this.#connection;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#onReleased(message);
    });
    await subscriber.subscribe(this.#channel).catch(() => undefined);
    this.#connection.onReady(() => {
      void subscriber.subscribe(this.#channel).catch(() => undefined);
      this.#warned = false;
      // Counts heard before the outage are stale (a restarted Redis knows none): count again.
      void this.#heartbeat(true);
    });
    // Requests queued behind other processes' slots would wait for releases nobody announces now:
    // the count is this process's own from here on, so wake them to re-check.
    this.#connection.onDown(() => {
      for (const id of this.#limits.keys()) this.#emit(id);
    });
    this.#timer = setInterval(() => void this.#heartbeat(), Math.max(100, Math.floor(this.#options.leaseTtlMs / 3)));
    this.#timer.unref();
  }

  #key(id: string): string {
    return `${this.#options.keyPrefix}slots:${id}`;
  }

  async take(id: string, limit: number): Promise<string | undefined> {
    this.#limits.set(id, limit);
    const token = `${this.#options.origin}:${++this.#sequence}`;
    if (this.#connection.ready) {
      try {
        const count = Number(await TAKE_SCRIPT.run(this.#connection.client, [this.#key(id)], [limit, token, this.#options.leaseTtlMs]));
        this.#counts.set(id, Math.abs(count));
        if (count <= 0) return undefined;
        this.#held.set(token, { id, limit, shared: true });
        return token;
      } catch (error) {
        this.#connection.noteFailure(error);
        this.#warnOnce(error);
      }
    }
    // Redis away: this process's own slots only.
    let mine = 0;
    for (const held of this.#held.values()) if (held.id === id) mine += 1;
    if (mine >= limit) return undefined;
    this.#held.set(token, { id, limit, shared: false });
    return token;
  }

  release(id: string, token: string): void {
    const held = this.#held.get(token);
    if (held === undefined) return;
    this.#held.delete(token);
    if (held.shared) {
      this.#counts.set(id, Math.max(0, (this.#counts.get(id) ?? 1) - 1));
      if (this.#connection.ready) {
        // If this fails the slot expires by itself within the lease TTL (it is no longer renewed).
        RELEASE_SCRIPT.run(this.#connection.client, [this.#key(id)], [token, this.#channel, `${this.#options.origin} ${id} `]).then(
          (count) => this.#counts.set(id, Number(count)),
          () => undefined,
        );
      }
    }
    this.#emit(id);
  }

  inUse(id: string): number {
    if (this.#connection.ready) return this.#counts.get(id) ?? 0;
    let mine = 0;
    for (const held of this.#held.values()) if (held.id === id) mine += 1;
    return mine;
  }

  onFreed(listener: (id: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(id: string): void {
    for (const listener of this.#listeners) listener(id);
  }

  /** `origin id count`: another process freed a slot. */
  #onReleased(message: string): void {
    const first = message.indexOf(' ');
    const last = message.lastIndexOf(' ');
    if (first <= 0 || last <= first) return;
    const origin = message.slice(0, first);
    const id = message.slice(first + 1, last);
    const count = message.slice(last + 1);
    if (origin === this.#options.origin) return;
    this.#counts.set(id, Number(count));
    this.#emit(id);
  }

  /**
   * Renews this process's slots, and re-counts instances that look full here: slots of a process
   * that died expire without anyone announcing it, and waiting requests must learn they are free.
   */
  async #heartbeat(recountAll = false): Promise<void> {
    if (!this.#connection.ready) return;
    const { client } = this.#connection;
    try {
      const shared = [...this.#held].filter(([, held]) => held.shared);
      if (shared.length > 0) {
        await RENEW_SCRIPT.run(
          client,
          shared.map(([, held]) => this.#key(held.id)),
          [this.#options.leaseTtlMs, ...shared.map(([token]) => token)],
        );
      }
      const full = recountAll
        ? [...this.#limits.keys()]
        : [...this.#counts].filter(([id, count]) => count >= (this.#limits.get(id) ?? Number.POSITIVE_INFINITY)).map(([id]) => id);
      if (full.length === 0) return;
      const counts = (await COUNT_SCRIPT.run(
        client,
        full.map((id) => this.#key(id)),
        [],
      )) as number[];
      full.forEach((id, index) => {
        const count = Number(counts[index] ?? 0);
        this.#counts.set(id, count);
        if (count < (this.#limits.get(id) ?? 0)) this.#emit(id);
      });
    } catch (error) {
      this.#connection.noteFailure(error);
      this.#warnOnce(error);
    }
  }

  #warnOnce(error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    // The connection logs the outage itself (once); this only tells what it means for the limits.
    this.#options.logger.debug({ err: (error as Error).message }, 'redis: concurrency slots counted per process until Redis answers again');
  }

  /** Frees this process's slots in Redis (a clean shutdown need not wait for them to expire). */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const [token, held] of [...this.#held]) this.release(held.id, token);
  }
}
