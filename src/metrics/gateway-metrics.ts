import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolSummaryItem } from '../pool/index.js';
import type { RequestEnd, UsageRecord } from '../usage/usage-record.js';
import { type CountSeries, type HistogramSeries, TalliedCounter, TalliedHistogram } from './tallies.js';

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
  readonly requests: CountSeries;
  /** Series of aiclient_tokens_total in TOKEN_TYPES order, created when first needed. */
  readonly tokens: Array<CountSeries | undefined>;
  readonly duration: HistogramSeries;
  readonly firstByte: HistogramSeries;
}

/**
 * The Prometheus metrics of one gateway, in its own registry. Request metrics are tallied as requests
 * end (src/metrics/tallies.ts) and reach prom-client when scraped; instance gauges are read from the
 * pool when scraped. `instance` is the pool uuid and never shares a metric with `model`, so 10,000
 * instances do not multiply the series.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly models = new Set<string>();
  private readonly series = new Map<string, RequestSeries>();
  private readonly requests: TalliedCounter;
  private readonly tokens: TalliedCounter;
  private readonly duration: TalliedHistogram;
  private readonly firstByte: TalliedHistogram;
  private readonly attempts: TalliedCounter;
  private readonly failovers: TalliedCounter;
  private readonly fallbacks: TalliedCounter;

  constructor(poolItems: () => readonly PoolSummaryItem[]) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const registry = this.registry;
    this.requests = new TalliedCounter({
      name: 'aiclient_requests_total',
      help: 'Generation requests by client protocol, provider group, model and HTTP status',
      labelNames: ['protocol', 'provider', 'model', 'status'],
      registry,
    });
    this.tokens = new TalliedCounter({
      name: 'aiclient_tokens_total',
      help: 'Tokens by provider group, model and type (input includes cache reads and writes; output includes reasoning)',
      labelNames: ['provider', 'model', 'type'],
      registry,
    });
    this.duration = new TalliedHistogram(
      'aiclient_request_duration_seconds',
      'Generation request duration, arrival to last byte',
      ['protocol', 'provider'],
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registry,
    );
    this.firstByte = new TalliedHistogram(
      'aiclient_time_to_first_byte_seconds',
      'Time from arrival to the first response byte sent to the client',
      ['protocol', 'provider'],
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registry,
    );
    this.attempts = new TalliedCounter({
      name: 'aiclient_upstream_attempts_total',
      help: 'Upstream attempts by provider group, pool instance uuid and outcome (success, cancelled, or the error kind)',
      labelNames: ['provider', 'instance', 'outcome'],
      registry,
    });
    this.failovers = new TalliedCounter({
      name: 'aiclient_failovers_total',
      help: 'Moves of a request to another instance of the same group after a failure',
      labelNames: ['provider'],
      registry,
    });
    this.fallbacks = new TalliedCounter({
      name: 'aiclient_fallbacks_total',
      help: 'Requests that moved to a fallback provider group',
      labelNames: ['from', 'to'],
      registry,
    });
    const instanceGauge = (name: string, help: string, labelNames: string[], value: (item: PoolSummaryItem) => number) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        // Under --workers every worker sees the same pool: gathered, one worker's value stands for all.
        aggregator: 'first',
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
        requests: this.requests.series(protocol, provider, model, String(status)),
        tokens: [],
        duration: this.duration.series(protocol, provider),
        firstByte: this.firstByte.series(protocol, provider),
      };
      this.series.set(id, series);
    }
    return series;
  }

  observe(record: UsageRecord, end: RequestEnd): void {
    const provider = record.provider ?? '';
    const model = this.modelLabel(record.model);
    const series = this.seriesOf(record.protocol, provider, model, record.status);
    series.requests.add(1);
    for (let index = 0; index < TOKEN_TYPES.length; index += 1) {
      const [type, field] = TOKEN_TYPES[index] as (typeof TOKEN_TYPES)[number];
      const count = record[field];
      if (count > 0) (series.tokens[index] ??= this.tokens.series(provider, model, type)).add(count);
    }
    series.duration.observe(record.durationMs / 1000);
    if (record.ttfbMs !== null) series.firstByte.observe(record.ttfbMs / 1000);
    const { log } = end;
    if (log.attempts) for (const attempt of log.attempts) this.attempts.series(attempt.provider, attempt.instance, attempt.outcome).add(1);
    if (log.failovers) this.failovers.series(provider).add(log.failovers);
    if (log.fallbackFrom) this.fallbacks.series(log.fallbackFrom, provider).add(1);
  }
}
