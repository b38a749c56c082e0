import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { TimeChart } from '../chart';
import { Empty, ErrorBox, PageHeader } from '../components';
import { formatMs, formatNumber, formatPercent } from '../format';
import type { PoolsAnswer } from '../pool-types';
import { isErrorRecord, liveLabel, percentile, type RequestRecord, useRequestRecords } from '../records';

interface Sample {
  readonly at: number;
  readonly requests: number;
  readonly errors: number;
  readonly latency: number | undefined;
}

const WINDOW_MS = 60_000;
const HISTORY = 150;
const BUCKET_MS = 10_000;
const CHART_MS = 10 * 60_000;

interface LiveStats {
  readonly rate: number;
  readonly errorRate: number;
  readonly errors: number;
  readonly requests: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly tokensPerMinute: number;
  readonly times: number[];
  readonly perSecond: number[];
}

/** The last minute of request records: rate, errors, latency percentiles, tokens; the chart in 10 s buckets. */
function statsOf(records: readonly RequestRecord[], now: number): LiveStats {
  const recent = records.filter((record) => Date.parse(record.time) + record.durationMs >= now - WINDOW_MS);
  const durations = recent.map((record) => record.durationMs).sort((a, b) => a - b);
  const errors = recent.filter(isErrorRecord).length;
  const buckets = new Map<number, number>();
  const first = Math.floor((now - CHART_MS) / BUCKET_MS) * BUCKET_MS;
  for (let start = first; start <= now; start += BUCKET_MS) buckets.set(start, 0);
  for (const record of records) {
    const start = Math.floor((Date.parse(record.time) + record.durationMs) / BUCKET_MS) * BUCKET_MS;
    if (buckets.has(start)) buckets.set(start, (buckets.get(start) ?? 0) + 1);
  }
  return {
    rate: recent.length / (WINDOW_MS / 1000),
    requests: recent.length,
    errors,
    errorRate: recent.length === 0 ? 0 : errors / recent.length,
    p50: percentile(durations, 0.5),
    p95: percentile(durations, 0.95),
    tokensPerMinute: recent.reduce((sum, record) => sum + record.inputTokens + record.outputTokens, 0),
    times: [...buckets.keys()].map((start) => start / 1000),
    perSecond: [...buckets.values()].map((count) => count / (BUCKET_MS / 1000)),
  };
}

function totals(answer: PoolsAnswer): Omit<Sample, 'at'> {
  let requests = 0;
  let errors = 0;
  let weighted = 0;
  let weights = 0;
  for (const group of answer.groups) {
    for (const item of group.items) {
      requests += item.usageCount;
      errors += item.errorCount;
      if (item.latencyEwmaMs !== undefined) {
        weighted += item.latencyEwmaMs * Math.max(1, item.usageCount);
        weights += Math.max(1, item.usageCount);
      }
    }
  }
  return { requests, errors, latency: weights > 0 ? weighted / weights : undefined };
}

export function DashboardPage() {
  const [pools, setPools] = useState<PoolsAnswer | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const samples = useRef<Sample[]>([]);
  const [, setRound] = useState(0);
  const live = useRequestRecords(1000, 5000);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const answer = await api<PoolsAnswer>('/api/pools', { signal: controller.signal });
        setPools(answer);
        setError(undefined);
        samples.current = [...samples.current, { at: Date.now(), ...totals(answer) }].slice(-HISTORY);
        setRound((value) => value + 1);
      } catch (failure) {
        if (!controller.signal.aborted) setError(failure);
      }
      if (!controller.signal.aborted) timer = setTimeout(run, 2500);
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, []);

  const now = Date.now();
  const recordStats = live.state === 'unavailable' ? undefined : statsOf(live.records, now);
  const list = samples.current;
  const last = list[list.length - 1];
  const base = last ? (list.find((sample) => sample.at >= last.at - WINDOW_MS) ?? list[0]) : undefined;
  const spanSeconds = last && base ? (last.at - base.at) / 1000 : 0;
  const requests = last && base ? last.requests - base.requests : 0;
  const errors = last && base ? last.errors - base.errors : 0;
  const rate = spanSeconds > 0 ? requests / spanSeconds : 0;
  const errorRate = requests > 0 ? Math.min(1, errors / requests) : 0;
  const times = list.slice(1).map((sample) => sample.at / 1000);
  const perSecond = list.slice(1).map((sample, index) => {
    const previous = list[index] as Sample;
    return Math.max(0, (sample.requests - previous.requests) / ((sample.at - previous.at) / 1000));
  });

  return (
    <section aria-labelledby="dashboard-title">
      <PageHeader title="Dashboard" />
      <ErrorBox error={error} />
      {recordStats ? (
        <dl class="stats">
          <div>
            <dt>Requests / s</dt>
            <dd data-testid="rate">{formatNumber(recordStats.rate)}</dd>
            <small class="muted">last minute · {liveLabel(live.state)}</small>
          </div>
          <div>
            <dt>Error rate</dt>
            <dd>{formatPercent(recordStats.errorRate)}</dd>
            <small class="muted">
              {recordStats.errors} of {recordStats.requests}
            </small>
          </div>
          <div>
            <dt>Latency p50 / p95</dt>
            <dd>
              {formatMs(recordStats.p50)} / {formatMs(recordStats.p95)}
            </dd>
            <small class="muted">last minute</small>
          </div>
          <div>
            <dt>Tokens / min</dt>
            <dd>{formatNumber(recordStats.tokensPerMinute)}</dd>
            <small class="muted">input + output</small>
          </div>
        </dl>
      ) : (
        <dl class="stats">
          <div>
            <dt>Requests / s</dt>
            <dd>{formatNumber(rate)}</dd>
            <small class="muted">last {Math.round(spanSeconds)} s</small>
          </div>
          <div>
            <dt>Error rate</dt>
            <dd>{formatPercent(errorRate)}</dd>
            <small class="muted">
              {errors} of {requests}
            </small>
          </div>
          <div>
            <dt>Latency</dt>
            <dd>{formatMs(last?.latency)}</dd>
            <small class="muted">moving average</small>
          </div>
        </dl>
      )}
      <section class="panel" aria-labelledby="rate-title">
        <h2 id="rate-title">Requests per second</h2>
        {recordStats ? null : times.length < 2 ? <p class="muted small">Collecting data: the chart fills in over the next seconds.</p> : null}
        <TimeChart
          label="Requests per second over the last minutes"
          times={recordStats ? recordStats.times : times}
          series={[{ label: 'req/s', values: recordStats ? recordStats.perSecond : perSecond, stroke: '#3b82f6' }]}
        />
      </section>
      <section class="panel" aria-labelledby="providers-health-title">
        <h2 id="providers-health-title">Providers</h2>
        {pools && pools.groups.length === 0 ? <Empty>No provider configured yet: add one on the Providers page.</Empty> : null}
        <div class="table-wrap">
          <table class="responsive">
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Health</th>
                <th scope="col" class="num">
                  Healthy / total
                </th>
                <th scope="col" class="num">
                  In flight
                </th>
              </tr>
            </thead>
            <tbody>
              {pools?.groups.map((group) => {
                const healthy = group.items.filter((item) => item.healthy && !item.disabled).length;
                const tone = healthy === group.count ? 'ok' : healthy === 0 ? 'bad' : 'warn';
                const words = healthy === group.count ? 'all healthy' : healthy === 0 ? 'none healthy' : 'degraded';
                return (
                  <tr key={group.name}>
                    <th scope="row">
                      <a href="#/providers">{group.name}</a>
                    </th>
                    <td data-label="Health">
                      <span class={`health tone-${tone}`}>
                        <span class="dot" aria-hidden="true" />
                        {words}
                      </span>
                    </td>
                    <td data-label="Healthy / total" class="num">
                      {healthy} / {group.count}
                    </td>
                    <td data-label="In flight" class="num">
                      {group.items.reduce((sum, item) => sum + item.inFlight, 0)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
    </section>
  );
}
