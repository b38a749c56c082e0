/**
 * Usage totals across machines (REDIS_URL with usage accounting on). Each gateway keeps its own
 * SQLite usage store as before (raw records, `/api/requests`, its own exact rollups) and also adds
 * its per-minute, per-hour and per-day sums to hashes in Redis. `/api/usage` then answers with the
 * local store's rows plus the Redis sums of every *other* usage database.
 *
 * Sums are kept per usage database, not per process: gateways on one machine sharing one SQLite file
 * already see each other's records there, so they share one identity (a random id in a file beside
 * the database) and skip each other's sums in Redis. Sums of other databases count by bucket: a
 * minute (an hour beyond MINUTE_KEEP_MS) counts when its start lies in the range asked for.
 *
 * Redis away: the local store answers alone, and the sums to add wait (merged, bounded) until it
 * is back. Nothing here is on the request path: sums go out after the local batch is written.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import type { PoolLogger } from '../pool/index.js';
import { TIER_MS } from '../usage/rollup-plan.js';
import { isErrorRecord, type UsageRecord } from '../usage/usage-record.js';
import { type GroupField, type RecentQuery, USAGE_ROW_SUMS, type UsageQuery, type UsageRow, type UsageStore } from '../usage/usage-store.js';
import type { RedisConnection } from './redis-connection.js';
import { SingleFlight } from './single-flight.js';

type Tier = 'minute' | 'hour' | 'day';
/** Minute sums live two days: older ranges are answered by the hour. */
export const MINUTE_KEEP_MS = 2 * TIER_MS.day;

/** The sums of a row, in field order; `costUsd` is the only fraction (HINCRBYFLOAT). */
const SUMS = USAGE_ROW_SUMS;
type SumName = (typeof SUMS)[number];
/** Separates the parts of a hash field (never in an id, a model name or a key id). */
const SEP = '\u001f';
/** Beyond this many distinct counters waiting for Redis, the newest are dropped (the local store has them). */
const MAX_PENDING_FIELDS = 200_000;

export interface RedisUsageRollupsOptions {
  readonly local: UsageStore;
  readonly connection: RedisConnection;
  readonly keyPrefix: string;
  /** Names this usage database in Redis (see usageDatabaseId). */
  readonly identity: string;
  readonly retentionDays: number;
  readonly logger: PoolLogger;
}

/**
 * The id of a usage database, kept in `<file>.id` beside it: created once (atomically, so gateways
 * starting together agree), the same for every process using the file.
 */
export async function usageDatabaseId(file: string): Promise<string> {
  const idFile = `${file}.id`;
  try {
    return (await readFile(idFile, 'utf8')).trim();
  } catch {
    // not there yet
  }
  const id = randomBytes(8).toString('hex');
  const temp = `${idFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temp, `${id}\n`, { mode: 0o600 });
  try {
    // link() fails when the file exists: whoever came first wins, and everyone reads its id.
    await link(temp, idFile).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(temp, { force: true });
  }
  return (await readFile(idFile, 'utf8')).trim();
}

export class RedisUsageRollups implements UsageStore {
  readonly #options: RedisUsageRollupsOptions;
  /** Redis key → hash field → delta, not yet in Redis. */
  #pending = new Map<string, Map<string, number>>();
  #pendingFields = 0;
  readonly #pushes = new SingleFlight(() => this.#pushNow());
  #dropped = false;

  readonly #unsubscribeReady: () => void;

  constructor(options: RedisUsageRollupsOptions) {
    this.#options = options;
    // Sums that waited for Redis go out as soon as it is back, not at the next request.
    this.#unsubscribeReady = options.connection.onReady(() => void this.#push());
  }

  #key(tier: Tier, bucket: number): string {
    return `${this.#options.keyPrefix}usage:${tier}:${bucket}`;
  }

  async append(records: readonly UsageRecord[]): Promise<void> {
    await this.#options.local.append(records);
    for (const record of records) this.#add(record);
    void this.#push();
  }

  #add(record: UsageRecord): void {
    const values: Record<SumName, number> = {
      requests: 1,
      errors: isErrorRecord(record) ? 1 : 0,
      inputTokens: record.inputTokens,
      outputTokens: record.outputTokens,
      cacheReadTokens: record.cacheReadTokens,
      cacheWriteTokens: record.cacheWriteTokens,
      reasoningTokens: record.reasoningTokens,
      costUsd: record.costUsd ?? 0,
      unpricedRequests: record.costUsd === null && record.usageSource !== 'none' ? 1 : 0,
    };
    const dims = [this.#options.identity, record.provider ?? '', record.instance ?? '', record.model ?? '', record.keyId ?? ''].join(SEP);
    for (const tier of ['minute', 'hour', 'day'] as const) {
      const key = this.#key(tier, Math.floor(record.time / TIER_MS[tier]) * TIER_MS[tier]);
      let fields = this.#pending.get(key);
      if (fields === undefined) {
        fields = new Map();
        this.#pending.set(key, fields);
      }
      for (const sum of SUMS) {
        const value = values[sum];
        if (value === 0) continue;
        const field = `${dims}${SEP}${sum}`;
        const before = fields.get(field);
        if (before === undefined) {
          if (this.#pendingFields >= MAX_PENDING_FIELDS) {
            this.#warnDropped();
            continue;
          }
          this.#pendingFields += 1;
        }
        fields.set(field, (before ?? 0) + value);
      }
    }
  }

  #warnDropped(): void {
    if (this.#dropped) return;
    this.#dropped = true;
    this.#options.logger.warn({}, 'redis: usage sums waiting for Redis hit their limit; newer ones count here only');
  }

  #ttlMs(tier: Tier): number {
    return tier === 'minute' ? MINUTE_KEEP_MS : this.#options.retentionDays * TIER_MS.day + TIER_MS.day;
  }

  /** Sends the pending sums in one transaction; kept (merged with newer ones) when Redis is away. */
  #push(): Promise<void> {
    return this.#pushes.run();
  }

  async #pushNow(): Promise<void> {
    while (this.#pending.size > 0 && this.#options.connection.ready) {
      const batch = this.#pending;
      this.#pending = new Map();
      this.#pendingFields = 0;
      try {
        await this.#write(batch);
      } catch (error) {
        this.#options.connection.noteFailure(error);
        this.#options.logger.debug({ err: (error as Error).message }, 'redis: usage sums not written; kept for later');
        this.#requeue(batch);
        return;
      }
    }
  }

  async #write(batch: ReadonlyMap<string, ReadonlyMap<string, number>>): Promise<void> {
    const transaction = this.#options.connection.client.multi();
    for (const [key, fields] of batch) {
      for (const [field, delta] of fields) {
        if (field.endsWith(`${SEP}costUsd`)) transaction.hincrbyfloat(key, field, delta);
        else transaction.hincrby(key, field, delta);
      }
      const [, tier, bucket] = key.slice(this.#options.keyPrefix.length).split(':') as [string, Tier, string];
      transaction.pexpireat(key, Number(bucket) + TIER_MS[tier] + this.#ttlMs(tier));
    }
    const results = await transaction.exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0] as Error;
  }

  #requeue(batch: Map<string, Map<string, number>>): void {
    const newer = this.#pending;
    this.#pending = batch;
    this.#pendingFields = 0;
    for (const fields of batch.values()) this.#pendingFields += fields.size;
    for (const [key, fields] of newer) {
      let into = this.#pending.get(key);
      if (into === undefined) {
        into = new Map();
        this.#pending.set(key, into);
      }
      for (const [field, delta] of fields) {
        if (!into.has(field)) this.#pendingFields += 1;
        into.set(field, (into.get(field) ?? 0) + delta);
      }
    }
  }

  async aggregate(query: UsageQuery): Promise<UsageRow[]> {
    const rows = await this.#options.local.aggregate(query);
    let remote: Map<string, UsageRow>;
    try {
      remote = await this.#readOthers(query);
    } catch (error) {
      this.#options.logger.debug({ err: (error as Error).message }, 'redis: usage of other machines not read; answering with local usage');
      return rows;
    }
    if (remote.size === 0) return rows;
    const merged = new Map(rows.map((row) => [rowKey(row, query.groupBy), row]));
    for (const [key, row] of remote) {
      const mine = merged.get(key);
      if (mine === undefined) merged.set(key, row);
      else merged.set(key, addRows(mine, row));
    }
    return [...merged.values()].sort((a, b) => b.requests - a.requests);
  }

  /** Sums of the other usage databases in the range, grouped as asked. */
  async #readOthers(query: UsageQuery): Promise<Map<string, UsageRow>> {
    const { client } = this.#options.connection;
    if (!this.#options.connection.ready) throw new Error('redis away');
    // Nothing older than the retention (the sums expired) or later than the next hour is read: a
    // range from 1970 must not cost a read per day since.
    const now = Date.now();
    const from = Math.max(query.from, now - (this.#options.retentionDays + 1) * TIER_MS.day);
    const to = Math.min(query.to, now + TIER_MS.hour);
    const buckets = from < to ? planBuckets(from, to, now, query.groupBy.includes('hour') ? 'hour' : 'day') : [];
    const pipeline = client.pipeline();
    for (const { tier, bucket } of buckets) pipeline.hgetall(this.#key(tier, bucket));
    const answers = (await pipeline.exec()) ?? [];
    const grouped = new Map<string, UsageRow>();
    answers.forEach(([error, hash], index) => {
      if (error !== null) throw error;
      const bucket = (buckets[index] as { bucket: number }).bucket;
      for (const [field, text] of Object.entries(hash as Record<string, string>)) {
        const parts = field.split(SEP);
        if (parts.length !== 6 || parts[0] === this.#options.identity) continue;
        const sum = parts[5] as SumName;
        if (!(SUMS as readonly string[]).includes(sum)) continue;
        const [, provider, instance, model, keyId] = parts as [string, string, string, string, string];
        const row = groupRow(query.groupBy, { provider, instance, model, key: keyId }, bucket);
        const key = rowKey(row, query.groupBy);
        const into = grouped.get(key) ?? row;
        into[sum] += Number(text) || 0;
        grouped.set(key, into);
      }
    });
    for (const [key, row] of grouped) {
      if (row.requests === 0) grouped.delete(key);
      else row.costUsd = Math.round(row.costUsd * 1e9) / 1e9;
    }
    return grouped;
  }

  recent(query: RecentQuery): Promise<UsageRecord[]> {
    return this.#options.local.recent(query);
  }

  prune(olderThan: number): Promise<void> {
    // Redis sums expire by themselves (TTL per bucket).
    return this.#options.local.prune(olderThan);
  }

  async close(): Promise<void> {
    this.#unsubscribeReady();
    await this.#push().catch(() => undefined);
    await this.#options.local.close();
  }
}

/**
 * Buckets whose start lies in [from, to), as few as possible: whole days, then hours, then minutes
 * at the edges. Minute sums are kept MINUTE_KEEP_MS: an older edge counts by the hour (an hour
 * whose start lies in the range). `coarsest` is 'hour' when rows are grouped by hour.
 */
export function planBuckets(from: number, to: number, now: number, coarsest: 'hour' | 'day'): Array<{ tier: Tier; bucket: number }> {
  const planned: Array<{ tier: Tier; bucket: number }> = [];
  // [start, end) is minute-aligned; each tier takes the whole buckets it can, finer ones the rest.
  const cover = (start: number, end: number, tiers: readonly Tier[]) => {
    if (start >= end) return;
    const [tier, ...finer] = tiers as [Tier, ...Tier[]];
    const size = TIER_MS[tier];
    if (finer.length === 0) {
      for (let bucket = start; bucket < end; bucket += size) planned.push({ tier, bucket });
      return;
    }
    const first = ceilTo(start, size);
    const last = Math.floor(end / size) * size;
    if (first >= last) return cover(start, end, finer);
    cover(start, first, finer);
    for (let bucket = first; bucket < last; bucket += size) planned.push({ tier, bucket });
    cover(last, end, finer);
  };
  cover(ceilTo(from, TIER_MS.minute), ceilTo(to, TIER_MS.minute), coarsest === 'day' ? ['day', 'hour', 'minute'] : ['hour', 'minute']);
  const horizon = now - MINUTE_KEEP_MS + TIER_MS.minute;
  const buckets: Array<{ tier: Tier; bucket: number }> = [];
  const hours = new Set<number>();
  for (const entry of planned) {
    if (entry.tier !== 'minute' || entry.bucket >= horizon) {
      buckets.push(entry);
      continue;
    }
    const hour = Math.floor(entry.bucket / TIER_MS.hour) * TIER_MS.hour;
    if (hour >= from && !hours.has(hour)) buckets.push({ tier: 'hour', bucket: hour });
    hours.add(hour);
  }
  return buckets;
}

const ceilTo = (time: number, size: number) => Math.ceil(time / size) * size;

function groupRow(groupBy: readonly GroupField[], dims: Record<'provider' | 'instance' | 'model' | 'key', string>, bucket: number): UsageRow {
  const row: UsageRow = {
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    unpricedRequests: 0,
  };
  for (const field of groupBy) {
    if (field === 'hour') row.hour = new Date(Math.floor(bucket / TIER_MS.hour) * TIER_MS.hour).toISOString();
    else if (field === 'day') row.day = new Date(bucket).toISOString().slice(0, 10);
    else row[field] = dims[field] === '' ? null : dims[field];
  }
  return row;
}

function rowKey(row: UsageRow, groupBy: readonly GroupField[]): string {
  return JSON.stringify(groupBy.map((field) => row[field] ?? null));
}

function addRows(a: UsageRow, b: UsageRow): UsageRow {
  const sum: UsageRow = { ...a };
  for (const field of SUMS) sum[field] = a[field] + b[field];
  sum.costUsd = Math.round(sum.costUsd * 1e9) / 1e9;
  return sum;
}
