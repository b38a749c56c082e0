import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { planSegments, TIER_MS, type Segment, type Tier } from './rollup-plan.js';
import { migrate } from './sqlite-migrations.js';
import { isErrorRecord, type UsageRecord } from './usage-record.js';
import type { GroupField, RecentQuery, UsageQuery, UsageRow, UsageStore } from './usage-store.js';

type RollupTier = Exclude<Tier, 'raw'>;
const ROLLUP_TIERS: readonly RollupTier[] = ['minute', 'hour', 'day'];
const SUMS = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'unpriced'] as const;

interface RollupEntry {
  bucket: number;
  provider: string;
  instance: string;
  model: string;
  keyId: string;
  sums: number[];
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
  const time = tier === 'raw' ? 'time' : 'bucket';
  switch (field) {
    case 'provider':
      return tier === 'raw' ? "COALESCE(provider, '')" : 'provider';
    case 'instance':
      return tier === 'raw' ? "COALESCE(instance, '')" : 'instance';
    case 'model':
      return tier === 'raw' ? "COALESCE(model, '')" : 'model';
    case 'key':
      return tier === 'raw' ? "COALESCE(key_id, '')" : 'key_id';
    case 'hour':
      return `(${time} / ${TIER_MS.hour}) * ${TIER_MS.hour}`;
    case 'day':
      return `(${time} / ${TIER_MS.day}) * ${TIER_MS.day}`;
  }
}

function segmentSql(tier: Tier, groupBy: readonly GroupField[]): string {
  const dims = groupBy.map((field, index) => `${groupExpression(field, tier)} AS g${index}`);
  const sums =
    tier === 'raw'
      ? [
          'COUNT(*)',
          'SUM(is_error)',
          'SUM(input_tokens)',
          'SUM(output_tokens)',
          'SUM(cache_read_tokens)',
          'SUM(cache_write_tokens)',
          'SUM(reasoning_tokens)',
          'TOTAL(cost_usd)',
          "SUM(cost_usd IS NULL AND usage_source <> 'none')",
        ]
      : SUMS.map((column) => `TOTAL(${column})`);
  const select = [...dims, ...sums.map((sum, index) => `${sum} AS s${index}`)].join(', ');
  const table = tier === 'raw' ? 'requests' : `usage_${tier}`;
  const column = tier === 'raw' ? 'time' : 'bucket';
  const groupClause = dims.length > 0 ? ` GROUP BY ${groupBy.map((_, index) => `g${index}`).join(', ')}` : '';
  return `SELECT ${select} FROM ${table} WHERE ${column} >= ? AND ${column} < ?${groupClause}`;
}

const nullIfEmpty = (value: unknown) => (value === '' || value === null || value === undefined ? null : String(value));

/**
 * Usage records in one SQLite file (WAL): raw records for the retention period plus minute, hour and
 * day rollups written in the same transaction, so aggregate queries read rollups, not requests.
 */
export class SqliteUsageStore implements UsageStore {
  private readonly db: Database.Connection;
  private readonly statements = new Map<string, Database.Statement<Record<string, number | string | null>>>();
  private readonly insertRaw: Database.Statement | undefined;
  private readonly upserts: Map<RollupTier, Database.Statement> = new Map();
  private readonly writeBatch: ((records: readonly UsageRecord[]) => void) | undefined;

  constructor(file: string, options: { readonly?: boolean } = {}) {
    if (!options.readonly) mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file, { readonly: options.readonly === true, fileMustExist: options.readonly === true, timeout: 5000 });
    if (options.readonly) return;
    this.db.pragma('journal_mode = WAL');
    // WAL + NORMAL survives a killed process; only a power loss may drop the last transactions.
    this.db.pragma('synchronous = NORMAL');
    migrate(this.db);
    this.insertRaw = this.db.prepare(
      `INSERT INTO requests (time, request_id, key_id, protocol, provider, instance, instance_name, model_asked, model, stream, status,
         error_class, is_error, failovers, fallbacks, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
         usage_source, cost_usd, duration_ms, ttfb_ms, bytes_out)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const tier of ROLLUP_TIERS) {
      this.upserts.set(
        tier,
        this.db.prepare(
          `INSERT INTO usage_${tier} (bucket, provider, instance, model, key_id, ${SUMS.join(', ')})
           VALUES (?, ?, ?, ?, ?, ${SUMS.map(() => '?').join(', ')})
           ON CONFLICT (bucket, provider, instance, model, key_id) DO UPDATE SET
           ${SUMS.map((column) => `${column} = ${column} + excluded.${column}`).join(', ')}`,
        ),
      );
    }
    this.writeBatch = this.db.transaction((records: readonly UsageRecord[]) => this.write(records));
  }

  private write(records: readonly UsageRecord[]): void {
    const rollups = new Map<RollupTier, Map<string, RollupEntry>>(ROLLUP_TIERS.map((tier) => [tier, new Map()]));
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
      const sums = [
        1,
        error ? 1 : 0,
        record.inputTokens,
        record.outputTokens,
        record.cacheReadTokens,
        record.cacheWriteTokens,
        record.reasoningTokens,
        record.costUsd ?? 0,
        record.costUsd === null && record.usageSource !== 'none' ? 1 : 0,
      ];
      for (const tier of ROLLUP_TIERS) {
        const bucket = Math.floor(record.time / TIER_MS[tier]) * TIER_MS[tier];
        const provider = record.provider ?? '';
        const instance = record.instance ?? '';
        const model = record.model ?? '';
        const keyId = record.keyId ?? '';
        const id = `${bucket}\u0000${provider}\u0000${instance}\u0000${model}\u0000${keyId}`;
        const entries = rollups.get(tier) as Map<string, RollupEntry>;
        const entry = entries.get(id);
        if (entry) for (let index = 0; index < sums.length; index += 1) (entry.sums[index] as number) += sums[index] as number;
        else entries.set(id, { bucket, provider, instance, model, keyId, sums: [...sums] });
      }
    }
    for (const [tier, entries] of rollups) {
      const upsert = this.upserts.get(tier) as Database.Statement;
      for (const entry of entries.values()) upsert.run(entry.bucket, entry.provider, entry.instance, entry.model, entry.keyId, ...entry.sums);
    }
  }

  async append(records: readonly UsageRecord[]): Promise<void> {
    if (records.length > 0) this.writeBatch?.(records);
  }

  private statement(sql: string): Database.Statement<Record<string, number | string | null>> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async aggregate(query: UsageQuery): Promise<UsageRow[]> {
    const { groupBy } = query;
    const coarsest: Tier = groupBy.includes('hour') ? 'hour' : 'day';
    const merged = new Map<string, { dims: unknown[]; sums: number[] }>();
    for (const segment of planSegments(query.from, query.to, coarsest)) {
      for (const row of this.readSegment(segment, groupBy)) {
        const dims = groupBy.map((_, index) => row[`g${index}`]);
        const id = dims.join('\u0000');
        const sums = SUMS.map((_, index) => Number(row[`s${index}`] ?? 0));
        const entry = merged.get(id);
        if (entry) for (let index = 0; index < sums.length; index += 1) (entry.sums[index] as number) += sums[index] as number;
        else merged.set(id, { dims, sums });
      }
    }
    const rows: UsageRow[] = [];
    for (const { dims, sums } of merged.values()) {
      const row: Partial<UsageRow> = {};
      groupBy.forEach((field, index) => {
        const value = dims[index];
        if (field === 'hour') row.hour = new Date(Number(value)).toISOString();
        else if (field === 'day') row.day = new Date(Number(value)).toISOString().slice(0, 10);
        else row[field] = nullIfEmpty(value);
      });
      const [requests, errors, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens, costUsd, unpriced] = sums as [
        number, number, number, number, number, number, number, number, number,
      ];
      if (requests === 0) continue;
      rows.push({
        ...row,
        requests,
        errors,
        inputTokens,
        outputTokens,
        cacheReadTokens,
        cacheWriteTokens,
        reasoningTokens,
        costUsd: Math.round(costUsd * 1e9) / 1e9,
        unpricedRequests: unpriced,
      });
    }
    return rows.sort((a, b) => b.requests - a.requests);
  }

  private readSegment(segment: Segment, groupBy: readonly GroupField[]): Array<Record<string, number | string | null>> {
    return this.statement(segmentSql(segment.tier, groupBy)).all(segment.from, segment.to);
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
