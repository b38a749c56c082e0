import { Counter, type Registry } from 'prom-client';

/**
 * Request metrics are counted on the request path in plain numbers and handed to prom-client when
 * scraped: prom-client checks and hashes the labels on every inc() and observe(), even on a child from
 * labels(), which made up most of the accounting's cost per request (bench/accounting-parts.mjs).
 * prom-client keeps the registry, the exposition format, the default metrics and the gauges.
 */

/** One counter series: `add` on the request path, summed into prom-client at the next scrape. */
export interface CountSeries {
  add(value: number): void;
}

class PendingCount implements CountSeries {
  delta = 0;
  /** Whether prom-client has the series yet (a series used only with 0 still shows, as prom-client's would). */
  known = false;
  constructor(readonly child: { inc(value: number): void }) {}
  add(value: number): void {
    this.delta += value;
  }
}

/** A prom-client counter whose series are tallied locally and flushed into it when collected. */
export class TalliedCounter {
  private readonly pending: PendingCount[] = [];
  private readonly byLabels = new Map<string, PendingCount>();
  private readonly counter: Counter<string>;

  constructor(options: { name: string; help: string; labelNames: readonly string[]; registry: Registry }) {
    const pending = this.pending;
    this.counter = new Counter({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames,
      registers: [options.registry],
      collect() {
        for (const series of pending) {
          if (series.delta === 0 && series.known) continue;
          series.child.inc(series.delta);
          series.delta = 0;
          series.known = true;
        }
      },
    });
  }

  /** The series of these label values (in labelNames order), created on first use. */
  series(...values: string[]): CountSeries {
    const id = values.join('\u0000');
    let series = this.byLabels.get(id);
    if (series === undefined) {
      series = new PendingCount(this.counter.labels(...values));
      this.byLabels.set(id, series);
      this.pending.push(series);
    }
    return series;
  }
}

/** One histogram series: `observe` on the request path counts into its bucket. */
export interface HistogramSeries {
  observe(value: number): void;
}

class BucketCounts implements HistogramSeries {
  /** Per bucket (not cumulative); the last one is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly upperBounds: readonly number[],
  ) {
    this.counts = new Float64Array(upperBounds.length + 1);
  }
  observe(value: number): void {
    const bounds = this.upperBounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index += 1;
    (this.counts[index] as number) += 1;
    this.sum += value;
    this.count += 1;
  }
}

interface SampleValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/**
 * A Prometheus histogram counted in plain arrays, registered in a prom-client registry as a metric
 * (prom-client calls get() when scraped and renders its samples as it renders its own histograms:
 * `_bucket` with cumulative counts and `le`, `_sum`, `_count`).
 */
export class TalliedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly byLabels = new Map<string, BucketCounts>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly upperBounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  series(...values: string[]): HistogramSeries {
    const id = values.join('\u0000');
    let series = this.byLabels.get(id);
    if (series === undefined) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, index) => {
        labels[name] = values[index] ?? '';
      });
      series = new BucketCounts(labels, this.upperBounds);
      this.byLabels.set(id, series);
    }
    return series;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: SampleValue[] }> {
    const values: SampleValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.byLabels.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((bound, index) => {
        cumulative += series.counts[index] as number;
        values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: bucket });
      values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.byLabels.clear();
  }
}
