import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CUTS, cutFor, cutsOf, DIMENSION_COLUMN, DIMENSIONS, FULL_CUT, type RollupCut } from './rollup-cuts.js';
import { planSegments, TIER_MS, type Tier } from './rollup-plan.js';
import { migrate } from './sqlite-migrations.js';
import { isErrorRecord, type UsageRecord } from './usage-record.js';
import type { GroupField, RecentQuery, UsageQuery, UsageRow, UsageStore } from './usage-store.js';

type RollupTier = Exclude<Tier, 'raw'>;
const ROLLUP_TIERS: readonly RollupTier[] = ['minute', 'hour', 'day'];
const SUMS = [
  'requests',
  'errors',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
  'unpriced',
] as const;

interface RollupEntry {
  bucket: number;
  /** provider, instance, model, key id ('' for none), as DIMENSIONS. */
  values: readonly string[];
  sums: number[];
}

const tableOf = (tier: RollupTier, cut: RollupCut) => `usage_${tier}${cut.suffix}`;

/** Sums entries into buckets of `size` ms, keyed by the dimensions of `cut`. */
function rollUp(entries: Iterable<RollupEntry>, size: number, cut: RollupCut): Map<string, RollupEntry> {
  const indexes = cut.dimensions.map((dimension) => DIMENSIONS.indexOf(dimension));
  const out = new Map<string, RollupEntry>();
  for (const entry of entries) {
    const bucket = Math.floor(entry.bucket / size) * size;
    let id = String(bucket);
    for (const index of indexes) id += `\u0000${entry.values[index]}`;
    const found = out.get(id);
    if (found) for (let index = 0; index < entry.sums.length; index += 1) (found.sums[index] as number) += entry.sums[index] as number;
    else out.set(id, { bucket, values: entry.values, sums: [...entry.sums] });
  }
  return out;
}

interface RawRow {
  time: number;
  request_id: string;
  key_id: string | null;
  protocol: string;
  provider: string | null;
  instance: string | null;
  instance_name: string | null;
  model_asked: string | null;
  model: string | null;
  stream: number;
  status: number;
  error_class: string | null;
  failovers: number;
  fallbacks: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  usage_source: string;
  cost_usd: number | null;
  duration_ms: number;
  ttfb_ms: number | null;
  bytes_out: number;
}

/** SQL expression of a group field over the raw table or a rollup table. */
function groupExpression(field: GroupField, tier: Tier): string {
  if (field === 'hour' || field === 'day') {
    // A rollup's bucket already is the hour (day) on its own tier: grouping by the bare column lets
    // SQLite walk the primary key in order instead of sorting.
    if (field === tier) return 'bucket';
    return `(${tier === 'raw' ? 'time' : 'bucket'} / ${TIER_MS[field]}) * ${TIER_MS[field]}`;
  }
  const column = DIMENSION_COLUMN[field];
  return tier === 'raw' ? `COALESCE(${column}, '')` : column;
}

/** Position of a group field in a cut's primary key (bucket first), for GROUP BY in key order. */
function keyPosition(field: GroupField, cut: RollupCut): number {
  if (field === 'hour' || field === 'day') return field === 'hour' ? -2 : -1;
  return cut.dimensions.indexOf(field);
}

function segmentSql(tier: Tier, cut: RollupCut, groupBy: readonly GroupField[]): string {
  const dims = groupBy.map((field, index) => `${groupExpression(field, tier)} AS g${index}`);
  const sums =
    tier === 'raw'
      ? [
          // TOTAL, not SUM: 0 rather than NULL over no rows.
          'COUNT(*)',
          'TOTAL(is_error)',
          'TOTAL(input_tokens)',
          'TOTAL(output_tokens)',
          'TOTAL(cache_read_tokens)',
          'TOTAL(cache_write_tokens)',
          'TOTAL(reasoning_tokens)',
          'TOTAL(cost_usd)',
          "TOTAL(cost_usd IS NULL AND usage_source <> 'none')",
        ]
      : SUMS.map((column) => `TOTAL(${column})`);
  const select = [...dims, ...sums.map((sum, index) => `${sum} AS s${index}`)].join(', ');
  const table = tier === 'raw' ? 'requests' : tableOf(tier, cut);
  const column = tier === 'raw' ? 'time' : 'bucket';
  const order = groupBy.map((field, index) => ({ index, position: keyPosition(field, cut) })).sort((a, b) => a.position - b.position);
  const groupClause = dims.length > 0 ? ` GROUP BY ${order.map(({ index }) => `g${index}`).join(', ')}` : '';
  return `SELECT ${select} FROM ${table} WHERE ${column} >= ? AND ${column} < ?${groupClause}`;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Switches a file to WAL. SQLite answers SQLITE_BUSY to this switch without calling the busy handler
 * while another process is switching the same new file, so gateways started together retry it here
 * (synchronously: the constructor runs once at start-up).
 */
function enableWal(db: Database.Connection): void {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) === 'wal') return;
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      Atomics.wait(sleeper, 0, 0, 10 + Math.random() * 40);
    }
  }
}

const nullIfEmpty = (value: unknown) => (value === '' || value === null || value === undefined ? null : String(value));

/**
 * Usage records in one SQLite file (WAL): raw records for the retention period plus minute, hour and
 * day rollups written in the same transaction, so aggregate queries read rollups, not requests.
 */
export class SqliteUsageStore implements UsageStore {
  private readonly db: Database.Connection;
  private readonly statements = new Map<string, Database.Statement<unknown[]>>();
  private readonly insertRaw: Database.Statement | undefined;
  private readonly upserts = new Map<string, Database.Statement>();
  /** Hour and day cuts this file has (a read-only view of a file not yet migrated has only the full one). */
  private readonly cuts: readonly RollupCut[];
  private readonly writeBatch: ((records: readonly UsageRecord[]) => void) | undefined;

  constructor(file: string, options: { readonly?: boolean } = {}) {
    if (!options.readonly) mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file, { readonly: options.readonly === true, fileMustExist: options.readonly === true, timeout: 5000 });
    if (options.readonly) {
      this.cuts = (this.db.pragma('user_version', { simple: true }) as number) >= 2 ? CUTS : [FULL_CUT];
      return;
    }
    enableWal(this.db);
    // WAL + NORMAL survives a killed process; only a power loss may drop the last transactions.
    this.db.pragma('synchronous = NORMAL');
    migrate(this.db);
    this.cuts = CUTS;
    this.insertRaw = this.db.prepare(
      `INSERT INTO requests (time, request_id, key_id, protocol, provider, instance, instance_name, model_asked, model, stream, status,
         error_class, is_error, failovers, fallbacks, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
         usage_source, cost_usd, duration_ms, ttfb_ms, bytes_out)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const tier of ROLLUP_TIERS) {
      for (const cut of cutsOf(tier)) {
        const key = ['bucket', ...cut.dimensions.map((dimension) => DIMENSION_COLUMN[dimension])].join(', ');
        this.upserts.set(
          tableOf(tier, cut),
          this.db.prepare(
            `INSERT INTO ${tableOf(tier, cut)} (${key}, ${SUMS.join(', ')})
             VALUES (${[...key.split(', '), ...SUMS].map(() => '?').join(', ')})
             ON CONFLICT (${key}) DO UPDATE SET
             ${SUMS.map((column) => `${column} = ${column} + excluded.${column}`).join(', ')}`,
          ),
        );
      }
    }
    this.writeBatch = this.db.transaction((records: readonly UsageRecord[]) => this.write(records));
  }

  private write(records: readonly UsageRecord[]): void {
    // Each record goes to the minute rollup of the full cut; every other rollup is summed from that
    // (a batch has far fewer distinct minutes and dimensions than records).
    const minutes = new Map<string, RollupEntry>();
    const minute = TIER_MS.minute;
    for (const record of records) {
      const error = isErrorRecord(record);
      this.insertRaw?.run(
        record.time,
        record.requestId,
        record.keyId,
        record.protocol,
        record.provider,
        record.instance,
        record.instanceName,
        record.modelAsked,
        record.model,
        record.stream ? 1 : 0,
        record.status,
        record.errorClass,
        error ? 1 : 0,
        record.failovers,
        record.fallbacks,
        record.inputTokens,
        record.outputTokens,
        record.cacheReadTokens,
        record.cacheWriteTokens,
        record.reasoningTokens,
        record.usageSource,
        record.costUsd,
        record.durationMs,
        record.ttfbMs,
        record.bytesOut,
      );
      const bucket = Math.floor(record.time / minute) * minute;
      const provider = record.provider ?? '';
      const instance = record.instance ?? '';
      const model = record.model ?? '';
      const keyId = record.keyId ?? '';
      const id = `${bucket}\u0000${provider}\u0000${instance}\u0000${model}\u0000${keyId}`;
      const entry = minutes.get(id);
      const unpriced = record.costUsd === null && record.usageSource !== 'none' ? 1 : 0;
      if (entry) {
        const sums = entry.sums;
        sums[0] = (sums[0] as number) + 1;
        sums[1] = (sums[1] as number) + (error ? 1 : 0);
        sums[2] = (sums[2] as number) + record.inputTokens;
        sums[3] = (sums[3] as number) + record.outputTokens;
        sums[4] = (sums[4] as number) + record.cacheReadTokens;
        sums[5] = (sums[5] as number) + record.cacheWriteTokens;
        sums[6] = (sums[6] as number) + record.reasoningTokens;
        sums[7] = (sums[7] as number) + (record.costUsd ?? 0);
        sums[8] = (sums[8] as number) + unpriced;
      } else {
        minutes.set(id, {
          bucket,
          values: [provider, instance, model, keyId],
          sums: [
            1,
            error ? 1 : 0,
            record.inputTokens,
            record.outputTokens,
            record.cacheReadTokens,
            record.cacheWriteTokens,
            record.reasoningTokens,
            record.costUsd ?? 0,
            unpriced,
          ],
        });
      }
    }
    for (const tier of ROLLUP_TIERS) {
      const full = tier === 'minute' ? minutes : rollUp(minutes.values(), TIER_MS[tier], FULL_CUT);
      for (const cut of cutsOf(tier)) {
        const upsert = this.upserts.get(tableOf(tier, cut)) as Database.Statement;
        const entries = cut === FULL_CUT ? full : rollUp(full.values(), TIER_MS[tier], cut);
        const indexes = cut.dimensions.map((dimension) => DIMENSIONS.indexOf(dimension));
        for (const entry of entries.values()) upsert.run(entry.bucket, ...indexes.map((index) => entry.values[index]), ...entry.sums);
      }
    }
  }

  async append(records: readonly UsageRecord[]): Promise<void> {
    if (records.length > 0) this.writeBatch?.(records);
  }

  /** A prepared statement returning rows as arrays, kept for reuse. */
  private statement(sql: string): Database.Statement<unknown[]> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql).raw(true);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async aggregate(query: UsageQuery): Promise<UsageRow[]> {
    const { groupBy } = query;
    const width = groupBy.length;
    const coarsest: Tier = groupBy.includes('hour') ? 'hour' : 'day';
    const cut = cutFor(groupBy, this.cuts);
    const cutOf = (tier: Tier) => (tier === 'hour' || tier === 'day' ? cut : FULL_CUT);
    const timeGrouped = groupBy.includes('hour') || groupBy.includes('day');
    const times = new Map<number, string>();
    const iso = (value: unknown) => {
      const time = Number(value);
      let text = times.get(time);
      if (text === undefined) {
        text = new Date(time).toISOString();
        times.set(time, text);
      }
      return text;
    };
    /** A segment row ([...group values, ...sums]) as the answer's row: group fields first, then the sums, as the JSON and CSV columns read. */
    const toRow = (values: unknown[]): UsageRow => {
      const row = {} as UsageRow;
      for (let index = 0; index < width; index += 1) {
        const field = groupBy[index] as GroupField;
        const value = values[index];
        if (field === 'hour') row.hour = iso(value);
        else if (field === 'day') row.day = iso(value).slice(0, 10);
        else row[field] = nullIfEmpty(value);
      }
      row.requests = values[width] as number;
      row.errors = values[width + 1] as number;
      row.inputTokens = values[width + 2] as number;
      row.outputTokens = values[width + 3] as number;
      row.cacheReadTokens = values[width + 4] as number;
      row.cacheWriteTokens = values[width + 5] as number;
      row.reasoningTokens = values[width + 6] as number;
      row.costUsd = Math.round((values[width + 7] as number) * 1e9) / 1e9;
      row.unpricedRequests = values[width + 8] as number;
      return row;
    };
    // Grouped by hour or day, the coarsest tier's rows are final (its whole hours or days are never in
    // an edge segment) and can be many: each is made into its answer row as SQLite steps to it, so the
    // segment's arrays die young instead of all being kept (at 150,000 rows, keeping them made the
    // garbage collector most of the query's time). A group met in several of the other segments (the
    // same provider in the day rollup and in the edge hours) is summed into the row seen first.
    const rows: UsageRow[] = [];
    const merged = new Map<string, unknown[]>();
    for (const segment of planSegments(query.from, query.to, coarsest)) {
      const statement = this.statement(segmentSql(segment.tier, cutOf(segment.tier), groupBy));
      if (timeGrouped && segment.tier === coarsest) {
        for (const values of statement.iterate(segment.from, segment.to)) if ((values[width] as number) !== 0) rows.push(toRow(values));
        continue;
      }
      for (const row of statement.all(segment.from, segment.to)) {
        let id = width === 0 ? '' : String(row[0]);
        for (let index = 1; index < width; index += 1) id += `\u0000${row[index]}`;
        const found = merged.get(id);
        if (found === undefined) merged.set(id, row);
        else for (let index = width; index < row.length; index += 1) (found[index] as number) += row[index] as number;
      }
    }
    for (const values of merged.values()) if ((values[width] as number) !== 0) rows.push(toRow(values));
    return rows.sort((a, b) => b.requests - a.requests);
  }

  async recent(query: RecentQuery): Promise<UsageRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.before !== undefined) {
      where.push('time < ?');
      params.push(query.before);
    }
    if (query.provider !== undefined) {
      where.push('provider = ?');
      params.push(query.provider);
    }
    if (query.status === 'error') where.push('is_error = 1');
    else if (query.status === 'ok') where.push('is_error = 0');
    else if (typeof query.status === 'number') {
      where.push('status = ?');
      params.push(query.status);
    }
    const sql = `SELECT * FROM requests${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id DESC LIMIT ?`;
    const rows = this.db.prepare<RawRow>(sql).all(...params, query.limit);
    return rows.map(toRecord);
  }

  async prune(olderThan: number): Promise<void> {
    this.db.prepare('DELETE FROM requests WHERE time < ?').run(olderThan);
    this.db.prepare('DELETE FROM usage_minute WHERE bucket < ?').run(olderThan);
  }

  /** PRAGMA integrity_check's verdict (`ok` when the file is sound). */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toRecord(row: RawRow): UsageRecord {
  return {
    time: row.time,
    requestId: row.request_id,
    keyId: row.key_id,
    protocol: row.protocol as UsageRecord['protocol'],
    provider: row.provider,
    instance: row.instance,
    instanceName: row.instance_name,
    modelAsked: row.model_asked,
    model: row.model,
    stream: row.stream === 1,
    status: row.status,
    errorClass: row.error_class,
    failovers: row.failovers,
    fallbacks: row.fallbacks,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheReadTokens: row.cache_read_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    reasoningTokens: row.reasoning_tokens,
    usageSource: row.usage_source as UsageRecord['usageSource'],
    costUsd: row.cost_usd,
    durationMs: row.duration_ms,
    ttfbMs: row.ttfb_ms,
    bytesOut: row.bytes_out,
  };
}
