import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { TimeChart } from '../chart';
import { Empty, ErrorBox, PageHeader, usePolling } from '../components';
import { formatCost, formatCount } from '../format';

type Dimension = 'provider' | 'instance' | 'model' | 'key';

interface UsageRow {
  readonly provider?: string | null;
  readonly instance?: string | null;
  readonly model?: string | null;
  readonly key?: string | null;
  readonly hour?: string;
  readonly day?: string;
  readonly requests: number;
  readonly errors: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
  readonly costUsd: number;
  readonly unpricedRequests: number;
}

interface UsageAnswer {
  readonly from: string;
  readonly to: string;
  readonly rows: UsageRow[];
}

const DIMENSIONS: Array<{ id: Dimension; label: string }> = [
  { id: 'provider', label: 'Provider' },
  { id: 'instance', label: 'Instance' },
  { id: 'model', label: 'Model' },
  { id: 'key', label: 'Client key' },
];

const DAY_MS = 86_400_000;

/** yyyy-mm-dd of a local date, for <input type="date">. */
function dateInput(time: number): string {
  const date = new Date(time);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** Local midnight of a yyyy-mm-dd as an ISO instant. */
function startOf(day: string): string {
  return new Date(`${day}T00:00:00`).toISOString();
}

function sum(rows: readonly UsageRow[], pick: (row: UsageRow) => number): number {
  return rows.reduce((total, row) => total + pick(row), 0);
}

export function UsagePage() {
  const [fromDay, setFromDay] = useState(dateInput(Date.now() - 6 * DAY_MS));
  const [toDay, setToDay] = useState(dateInput(Date.now()));
  const [dimension, setDimension] = useState<Dimension>('provider');
  const from = startOf(fromDay);
  const to = new Date(Date.parse(startOf(toDay)) + DAY_MS).toISOString();
  const bucket = Date.parse(to) - Date.parse(from) <= 2 * DAY_MS ? 'hour' : 'day';
  const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const table = usePolling((signal) => api<UsageAnswer>(`/api/usage?${range}&groupBy=${dimension}`, { signal }), 30_000, [range, dimension]);
  const series = usePolling((signal) => api<UsageAnswer>(`/api/usage?${range}&groupBy=${bucket}`, { signal }), 30_000, [range, bucket]);
  const rows = [...(table.data?.rows ?? [])].sort((a, b) => b.requests - a.requests);
  // Every bucket of the range, empty ones as zero, so the chart's axis is the range asked for.
  const step = bucket === 'hour' ? 3_600_000 : DAY_MS;
  const byBucket = new Map((series.data?.rows ?? []).map((row) => [Date.parse(bucket === 'day' ? `${row.day}T00:00:00Z` : String(row.hour)), row]));
  const times: number[] = [];
  const requestsSeries: number[] = [];
  const tokenSeries: number[] = [];
  for (let start = Math.floor(Date.parse(from) / step) * step; start < Date.parse(to); start += step) {
    const row = byBucket.get(start);
    times.push(start / 1000);
    requestsSeries.push(row?.requests ?? 0);
    tokenSeries.push(row ? row.inputTokens + row.outputTokens : 0);
  }
  const anyRequests = requestsSeries.some((value) => value > 0);
  const unpriced = sum(rows, (row) => row.unpricedRequests);

  return (
    <section aria-labelledby="usage-title">
      <PageHeader title="Usage">
        <a class="button" href={`/api/usage?${range}&groupBy=${dimension}&format=csv`} download>
          Download CSV
        </a>
      </PageHeader>
      <form class="range" onSubmit={(event) => event.preventDefault()} aria-label="Range and grouping">
        <div class="field">
          <label for="usage-from">From</label>
          <input id="usage-from" type="date" value={fromDay} max={toDay} onChange={(event) => setFromDay(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="usage-to">To (inclusive)</label>
          <input id="usage-to" type="date" value={toDay} min={fromDay} onChange={(event) => setToDay(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="usage-group">Group by</label>
          <select id="usage-group" value={dimension} onChange={(event) => setDimension(event.currentTarget.value as Dimension)}>
            {DIMENSIONS.map((item) => (
              <option key={item.id} value={item.id}>
                {item.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      {table.error instanceof ApiError && table.error.status === 404 ? (
        <Empty>This gateway keeps no usage records (usage accounting is off or not in this build).</Empty>
      ) : (
        <ErrorBox error={table.error ?? series.error} />
      )}
      <dl class="stats" aria-label="Totals for the range">
        <div>
          <dt>Requests</dt>
          <dd data-testid="total-requests">{formatCount(sum(rows, (row) => row.requests))}</dd>
          <small class="muted">{formatCount(sum(rows, (row) => row.errors))} errors</small>
        </div>
        <div>
          <dt>Input tokens</dt>
          <dd data-testid="total-input">{formatCount(sum(rows, (row) => row.inputTokens))}</dd>
          <small class="muted">{formatCount(sum(rows, (row) => row.cacheReadTokens))} cache reads</small>
        </div>
        <div>
          <dt>Output tokens</dt>
          <dd data-testid="total-output">{formatCount(sum(rows, (row) => row.outputTokens))}</dd>
          <small class="muted">{formatCount(sum(rows, (row) => row.reasoningTokens))} reasoning</small>
        </div>
        <div>
          <dt>Cost</dt>
          <dd data-testid="total-cost">{formatCost(sum(rows, (row) => row.costUsd))}</dd>
          <small class="muted">{unpriced > 0 ? `${formatCount(unpriced)} requests without a price` : 'all priced'}</small>
        </div>
      </dl>
      <section class="panel" aria-labelledby="usage-chart-title">
        <h2 id="usage-chart-title">Requests and tokens per {bucket}</h2>
        {series.data && !anyRequests ? <p class="muted small">No requests in this range.</p> : null}
        <TimeChart
          label={`Requests and tokens per ${bucket} from ${fromDay} to ${toDay}`}
          times={times}
          series={[
            { label: 'requests', values: requestsSeries, stroke: '#3b82f6', bars: true },
            { label: 'tokens', values: tokenSeries, stroke: '#f59e0b', scale: 'tokens' },
          ]}
        />
      </section>
      {table.data && rows.length === 0 ? (
        <Empty>
          No requests between {fromDay} and {toDay}: send one from the Playground.
        </Empty>
      ) : null}
      {rows.length > 0 ? (
        <div class="table-wrap">
          <table class="responsive usage">
            <thead>
              <tr>
                <th scope="col">{DIMENSIONS.find((item) => item.id === dimension)?.label}</th>
                <th scope="col" class="num">
                  Requests
                </th>
                <th scope="col" class="num">
                  Errors
                </th>
                <th scope="col" class="num">
                  Input tokens
                </th>
                <th scope="col" class="num">
                  Output tokens
                </th>
                <th scope="col" class="num">
                  Cache read
                </th>
                <th scope="col" class="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const name = row[dimension] ?? '(none)';
                return (
                  <tr key={name} data-group={name}>
                    <th scope="row">
                      <code>{name}</code>
                    </th>
                    <td data-label="Requests" class="num">
                      {formatCount(row.requests)}
                    </td>
                    <td data-label="Errors" class="num">
                      {formatCount(row.errors)}
                    </td>
                    <td data-label="Input tokens" class="num">
                      {formatCount(row.inputTokens)}
                    </td>
                    <td data-label="Output tokens" class="num">
                      {formatCount(row.outputTokens)}
                    </td>
                    <td data-label="Cache read" class="num">
                      {formatCount(row.cacheReadTokens)}
                    </td>
                    <td data-label="Cost" class="num">
                      {formatCost(row.costUsd)}
                      {row.unpricedRequests > 0 ? <span class="muted small"> ({row.unpricedRequests} unpriced)</span> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
