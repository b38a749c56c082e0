import type { IncomingHttpHeaders } from 'node:http';
import type { RequestLogRecord } from '../gateway/request-log.js';
import type { ProtocolId } from '../protocols/protocol-id.js';

/** How the token counts of a record were obtained. */
export type UsageSource = 'upstream' | 'estimated' | 'none';

/**
 * One generation request, as stored and as served by `/api/requests` and its live stream. Token
 * counts follow OpenAI's rules: input includes cache reads and writes, output includes reasoning.
 */
export interface UsageRecord {
  /** Epoch milliseconds when the request arrived. */
  readonly time: number;
  readonly requestId: string;
  /** Short hash of the client's key (never the key); null without one. */
  readonly keyId: string | null;
  readonly protocol: ProtocolId;
  /** Provider group that served (or last tried) the request. */
  readonly provider: string | null;
  /** Pool instance uuid and name. */
  readonly instance: string | null;
  readonly instanceName: string | null;
  readonly modelAsked: string | null;
  readonly model: string | null;
  readonly stream: boolean;
  readonly status: number;
  /** Error code (e.g. `upstream_5xx`, `client_closed`), null when the request succeeded. */
  readonly errorClass: string | null;
  readonly failovers: number;
  readonly fallbacks: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
  readonly usageSource: UsageSource;
  /** USD from MODEL_PRICES_FILE_PATH; null when the model has no price. */
  readonly costUsd: number | null;
  readonly durationMs: number;
  /** Time until the first response byte went to the client; null when none did. */
  readonly ttfbMs: number | null;
  readonly bytesOut: number;
}

/** The request counts as an error for accounting (a client that went away is not one). */
export function isErrorRecord(record: Pick<UsageRecord, 'status' | 'errorClass'>): boolean {
  return record.status >= 400 || (record.errorClass !== null && record.errorClass !== 'client_closed');
}

/** What the server layer knows once a generation response has ended. */
export interface RequestEnd {
  readonly requestId: string;
  readonly log: RequestLogRecord;
  readonly status: number;
  /** The response did not finish (client gone, connection cut). */
  readonly aborted: boolean;
  /** performance.now() at arrival and at the end. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The request's headers and query, for the client key id. */
  readonly headers: IncomingHttpHeaders;
  readonly query: unknown;
}

const round = (value: number) => Math.round(value * 10) / 10;

/** Builds the record of one ended request; `price` turns its tokens into USD (undefined: unpriced). */
export function toUsageRecord(
  end: RequestEnd,
  keyId: string | null,
  now: number,
  price: (model: string | null, record: TokenCounts) => number | undefined,
): UsageRecord {
  const { log } = end;
  const usage = log.usage;
  const tokens: TokenCounts = {
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cacheReadTokens: usage?.cacheReadTokens ?? 0,
    cacheWriteTokens: usage?.cacheWriteTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
  };
  const durationMs = end.endedAt - end.startedAt;
  const model = log.model ?? log.modelAsked ?? null;
  const cost = usage ? price(model, tokens) : 0;
  let errorClass = log.error ?? null;
  if (errorClass === null && end.aborted) errorClass = 'client_closed';
  return {
    time: Math.round(now - durationMs),
    requestId: end.requestId,
    keyId,
    protocol: log.protocol as ProtocolId,
    provider: log.provider ?? null,
    instance: log.instanceId ?? null,
    instanceName: log.instance ?? null,
    modelAsked: log.modelAsked ?? null,
    model,
    stream: log.stream === true,
    status: end.status,
    errorClass,
    failovers: log.failovers ?? 0,
    fallbacks: log.fallbacks ?? 0,
    ...tokens,
    usageSource: usage ? (log.usageEstimated ? 'estimated' : 'upstream') : 'none',
    costUsd: cost === undefined ? null : cost,
    durationMs: round(durationMs),
    ttfbMs: log.firstByteAt === undefined ? null : round(log.firstByteAt - end.startedAt),
    bytesOut: log.bytes,
  };
}

export interface TokenCounts {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
}

/** The JSON shape of a record (rows of `/api/requests` and events of `/api/requests/stream`). */
export function recordJson(record: UsageRecord): Record<string, unknown> {
  return { ...record, time: new Date(record.time).toISOString() };
}
