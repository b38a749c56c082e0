import type { UsageRecord } from './usage-record.js';

/** Dimensions `/api/usage` can group by. */
export const GROUP_FIELDS = ['provider', 'instance', 'model', 'key', 'hour', 'day'] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

export interface UsageQuery {
  /** Epoch ms, `from` inclusive, `to` exclusive. */
  readonly from: number;
  readonly to: number;
  readonly groupBy: readonly GroupField[];
}

/** One aggregated row: the group fields asked for, then the sums. */
export interface UsageRow {
  provider?: string | null;
  instance?: string | null;
  model?: string | null;
  key?: string | null;
  hour?: string;
  day?: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Requests with tokens whose model has no price (their cost is not in costUsd). */
  unpricedRequests: number;
}

/** The summed fields of a UsageRow, in the order tables and CSV show them. */
export const USAGE_ROW_SUMS = [
  'requests',
  'errors',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'costUsd',
  'unpricedRequests',
] as const satisfies ReadonlyArray<keyof UsageRow>;

export interface RecentQuery {
  readonly limit: number;
  /** Only records older than this epoch ms. */
  readonly before?: number;
  readonly provider?: string;
  /** An HTTP status, or `error` / `ok`. */
  readonly status?: number | 'error' | 'ok';
}

/**
 * Where usage records live. The SQLite store is the default; a shared store for several gateway
 * processes can implement the same methods.
 */
export interface UsageStore {
  /** Adds a batch (called off the request path, about once a second). */
  append(records: readonly UsageRecord[]): Promise<void>;
  aggregate(query: UsageQuery): Promise<UsageRow[]>;
  recent(query: RecentQuery): Promise<UsageRecord[]>;
  /** Drops raw records (and minute rollups) older than the retention. */
  prune(olderThan: number): Promise<void>;
  close(): Promise<void>;
}
