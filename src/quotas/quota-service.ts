import type { PoolSummaryItem } from '../pool/index.js';
import { rateLimitHeadersOf, rateLimitWindows } from './rate-limit-headers.js';
import type { IncomingHttpHeaders } from 'node:http';

/** One instance's quota as `/api/quotas` reports it. */
export interface InstanceQuota {
  readonly uuid: string;
  readonly name: string;
  readonly provider: string;
  readonly providerType: string;
  /** `api`: asked the backend's quota endpoint; `headers`: from rate-limit headers of its last answers; `none`: nothing known. */
  readonly source: 'api' | 'headers' | 'none';
  /** When the numbers were read (ISO); null when nothing is known yet. */
  readonly readAt: string | null;
  readonly quota: Record<string, unknown> | null;
  readonly error?: string;
}

export interface QuotaSource {
  /** Pool instances to report on. */
  instances(): readonly PoolSummaryItem[];
  /** The backend's quota endpoint for an instance, when its backend has one. */
  fetcher(uuid: string): ((signal: AbortSignal) => Promise<Record<string, unknown>>) | undefined;
}

const FETCH_TIMEOUT_MS = 10_000;
const CONCURRENCY = 4;

/**
 * Account quotas: asked from the backend on demand (`/api/quotas`) and cached briefly; rate-limit
 * headers are taken from answers as they pass (never an extra request on the request path).
 */
export class QuotaService {
  private readonly fromHeaders = new Map<string, { readAt: number; headers: Record<string, string> }>();
  private readonly fetched = new Map<string, { readAt: number; value: Promise<Record<string, unknown>> }>();

  constructor(
    private readonly source: QuotaSource,
    private readonly cacheMs: number,
  ) {}

  /** Called for every finished request: keeps the serving instance's latest rate-limit headers. */
  observeHeaders(instance: string | null, headers: IncomingHttpHeaders | undefined, now: number): void {
    if (instance === null) return;
    const found = rateLimitHeadersOf(headers);
    if (found) this.fromHeaders.set(instance, { readAt: now, headers: found });
  }

  async list(filter: { provider?: string; instance?: string }, now: number): Promise<InstanceQuota[]> {
    const items = this.source
      .instances()
      .filter((item) => (filter.provider === undefined || item.group === filter.provider) && (filter.instance === undefined || item.uuid === filter.instance));
    const results: InstanceQuota[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        results[index] = await this.quotaOf(items[index] as PoolSummaryItem, now);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
    return results;
  }

  private async quotaOf(item: PoolSummaryItem, now: number): Promise<InstanceQuota> {
    const base = { uuid: item.uuid, name: item.name, provider: item.group, providerType: item.providerType };
    const fetcher = this.source.fetcher(item.uuid);
    if (fetcher) {
      let cached = this.fetched.get(item.uuid);
      if (!cached || now - cached.readAt >= this.cacheMs) {
        cached = { readAt: now, value: fetcher(AbortSignal.timeout(FETCH_TIMEOUT_MS)) };
        this.fetched.set(item.uuid, cached);
      }
      try {
        return { ...base, source: 'api', readAt: new Date(cached.readAt).toISOString(), quota: await cached.value };
      } catch (error) {
        // A failed read is not cached: the next request asks again.
        if (this.fetched.get(item.uuid) === cached) this.fetched.delete(item.uuid);
        return { ...base, source: 'api', readAt: null, quota: null, error: (error as Error).message };
      }
    }
    const seen = this.fromHeaders.get(item.uuid);
    if (seen) {
      return {
        ...base,
        source: 'headers',
        readAt: new Date(seen.readAt).toISOString(),
        quota: { windows: rateLimitWindows(seen.headers), headers: seen.headers },
      };
    }
    return { ...base, source: 'none', readAt: null, quota: null };
  }
}
