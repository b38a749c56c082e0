import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolSummaryItem } from '../pool/index.js';
import type { RequestEnd, UsageRecord } from '../usage/usage-record.js';

/** Most distinct model label values kept; further names count as `other` (clients choose model names). */
const MAX_MODELS = 500;
const TOKEN_TYPES = [
  ['input', 'inputTokens'],
  ['output', 'outputTokens'],
  ['cache_read', 'cacheReadTokens'],
  ['cache_write', 'cacheWriteTokens'],
  ['reasoning', 'reasoningTokens'],
] as const;

/** The series one kind of request touches, looked up once per request instead of once per metric. */
interface RequestSeries {
  readonly requests: { inc(value?: number): void };
  /** Children of aiclient_tokens_total in TOKEN_TYPES order, created when first needed. */
  readonly tokens: Array<{ inc(value?: number): void } | undefined>;
  readonly duration: { observe(value: number): void };
  readonly firstByte: { observe(value: number): void };
}

/** Children of a labelled metric, cached by their label values so the request path does no label hashing. */
class ChildCache<Child> {
  private readonly children = new Map<string, Child>();
  constructor(private readonly create: (values: string[]) => Child) {}
  get(...values: string[]): Child {
    const id = values.join('\u0000');
    let child = this.children.get(id);
    if (child === undefined) {
      child = this.create(values);
      this.children.set(id, child);
    }
    return child;
  }
}

/**
 * The Prometheus metrics of one gateway, in its own registry. Request metrics are counted as requests
 * end; instance gauges are read from the pool when scraped. `instance` is the pool uuid and never
 * shares a metric with `model`, so 10,000 instances do not multiply the series.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly models = new Set<string>();
  private readonly series = new Map<string, RequestSeries>();
  private readonly requests: ChildCache<{ inc(value?: number): void }>;
  private readonly tokens: ChildCache<{ inc(value?: number): void }>;
  private readonly duration: ChildCache<{ observe(value: number): void }>;
  private readonly firstByte: ChildCache<{ observe(value: number): void }>;
  private readonly attempts: ChildCache<{ inc(value?: number): void }>;
  private readonly failovers: ChildCache<{ inc(value?: number): void }>;
  private readonly fallbacks: ChildCache<{ inc(value?: number): void }>;

  constructor(poolItems: () => readonly PoolSummaryItem[]) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const requests = new Counter({
      name: 'aiclient_requests_total',
      help: 'Generation requests by client protocol, provider group, model and HTTP status',
      labelNames: ['protocol', 'provider', 'model', 'status'],
      registers,
    });
    const tokens = new Counter({
      name: 'aiclient_tokens_total',
      help: 'Tokens by provider group, model and type (input includes cache reads and writes; output includes reasoning)',
      labelNames: ['provider', 'model', 'type'],
      registers,
    });
    const duration = new Histogram({
      name: 'aiclient_request_duration_seconds',
      help: 'Generation request duration, arrival to last byte',
      labelNames: ['protocol', 'provider'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    const firstByte = new Histogram({
      name: 'aiclient_time_to_first_byte_seconds',
      help: 'Time from arrival to the first response byte sent to the client',
      labelNames: ['protocol', 'provider'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const attempts = new Counter({
      name: 'aiclient_upstream_attempts_total',
      help: 'Upstream attempts by provider group, pool instance uuid and outcome (success, cancelled, or the error kind)',
      labelNames: ['provider', 'instance', 'outcome'],
      registers,
    });
    const failovers = new Counter({
      name: 'aiclient_failovers_total',
      help: 'Moves of a request to another instance of the same group after a failure',
      labelNames: ['provider'],
      registers,
    });
    const fallbacks = new Counter({
      name: 'aiclient_fallbacks_total',
      help: 'Requests that moved to a fallback provider group',
      labelNames: ['from', 'to'],
      registers,
    });
    const instanceGauge = (name: string, help: string, labelNames: string[], value: (item: PoolSummaryItem) => number) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const item of poolItems()) {
            const labels: Record<string, string> = { provider: item.group, instance: item.uuid };
            if (labelNames.includes('name')) labels.name = item.name;
            this.set(labels, value(item));
          }
        },
      });
    instanceGauge('aiclient_instance_healthy', 'Whether the pool instance is healthy (1) or not (0)', ['provider', 'instance'], (item) =>
      item.healthy ? 1 : 0,
    );
    instanceGauge('aiclient_instance_in_flight', 'Requests the pool instance is serving now', ['provider', 'instance'], (item) => item.inFlight);
    instanceGauge('aiclient_instance_info', 'Pool instance uuid and its name', ['provider', 'instance', 'name'], () => 1);
    this.requests = new ChildCache((values) => requests.labels(...values));
    this.tokens = new ChildCache((values) => tokens.labels(...values));
    this.duration = new ChildCache((values) => duration.labels(...values));
    this.firstByte = new ChildCache((values) => firstByte.labels(...values));
    this.attempts = new ChildCache((values) => attempts.labels(...values));
    this.failovers = new ChildCache((values) => failovers.labels(...values));
    this.fallbacks = new ChildCache((values) => fallbacks.labels(...values));
  }

  private modelLabel(model: string | null): string {
    if (model === null) return '';
    if (this.models.has(model)) return model;
    if (this.models.size >= MAX_MODELS) return 'other';
    this.models.add(model);
    return model;
  }

  private seriesOf(protocol: string, provider: string, model: string, status: number): RequestSeries {
    const id = `${protocol}\u0000${provider}\u0000${model}\u0000${status}`;
    let series = this.series.get(id);
    if (series === undefined) {
      series = {
        requests: this.requests.get(protocol, provider, model, String(status)),
        tokens: [],
        duration: this.duration.get(protocol, provider),
        firstByte: this.firstByte.get(protocol, provider),
      };
      this.series.set(id, series);
    }
    return series;
  }

  observe(record: UsageRecord, end: RequestEnd): void {
    const provider = record.provider ?? '';
    const model = this.modelLabel(record.model);
    const series = this.seriesOf(record.protocol, provider, model, record.status);
    series.requests.inc();
    for (let index = 0; index < TOKEN_TYPES.length; index += 1) {
      const [type, field] = TOKEN_TYPES[index] as (typeof TOKEN_TYPES)[number];
      const count = record[field];
      if (count > 0) (series.tokens[index] ??= this.tokens.get(provider, model, type)).inc(count);
    }
    series.duration.observe(record.durationMs / 1000);
    if (record.ttfbMs !== null) series.firstByte.observe(record.ttfbMs / 1000);
    const { log } = end;
    if (log.attempts) for (const attempt of log.attempts) this.attempts.get(attempt.provider, attempt.instance, attempt.outcome).inc();
    if (log.failovers) this.failovers.get(provider).inc(log.failovers);
    if (log.fallbackFrom) this.fallbacks.get(log.fallbackFrom, provider).inc();
  }
}
