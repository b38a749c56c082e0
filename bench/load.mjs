// A small HTTP load generator on undici: a fixed number of requests at a fixed concurrency over
// keep-alive connections, recording per-request latency, time to first byte and per-chunk delay.
import { Pool } from 'undici';

const now = () => performance.timeOrigin + performance.now();
const STAMP = /t=(\d+\.\d+);/g;

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** The middle value (upper middle for an even count): what the split scripts report per target. */
export function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

/**
 * Sends `requests` requests with `concurrency` in flight. Returns latencies (ms), TTFBs (ms), the
 * delays of timestamped stream chunks (arrival minus the mock's send time, ms), and requests/s.
 */
export async function runLoad({ origin, path, body, headers = {}, concurrency, requests, pool, measureChunks = false }) {
  const client = pool ?? new Pool(origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const latencies = [];
  const ttfbs = [];
  const chunkDelays = [];
  let issued = 0;
  let failures = 0;
  const payload = Buffer.from(JSON.stringify(body));
  const requestHeaders = { 'content-type': 'application/json', authorization: 'Bearer bench', ...headers };
  const startedAt = performance.now();
  async function worker() {
    while (issued < requests) {
      issued += 1;
      const t0 = performance.now();
      try {
        const response = await client.request({ method: 'POST', path, headers: requestHeaders, body: payload });
        let first = true;
        for await (const chunk of response.body) {
          const arrived = now();
          if (first) {
            ttfbs.push(performance.now() - t0);
            first = false;
          }
          if (measureChunks) {
            for (const match of chunk.toString('latin1').matchAll(STAMP)) chunkDelays.push(arrived - Number(match[1]));
          }
        }
        if (response.statusCode !== 200) failures += 1;
        latencies.push(performance.now() - t0);
      } catch {
        failures += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - startedAt;
  if (!pool) await client.close();
  return { latencies, ttfbs, chunkDelays, failures, requestsPerSecond: (latencies.length / elapsed) * 1000 };
}
