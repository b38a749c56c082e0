import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from './api';

/** One generation request as `/api/requests` and `/api/requests/stream` serve it. */
export interface RequestRecord {
  readonly time: string;
  readonly requestId: string;
  readonly keyId: string | null;
  readonly protocol: string;
  readonly provider: string | null;
  readonly instance: string | null;
  readonly instanceName: string | null;
  readonly modelAsked: string | null;
  readonly model: string | null;
  readonly stream: boolean;
  readonly status: number;
  readonly errorClass: string | null;
  readonly failovers: number;
  readonly fallbacks: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
  readonly usageSource: string;
  readonly costUsd: number | null;
  readonly durationMs: number;
  readonly ttfbMs: number | null;
  readonly bytesOut: number;
}

export function isErrorRecord(record: RequestRecord): boolean {
  return record.status >= 400 || (record.errorClass !== null && record.errorClass !== 'client_closed');
}

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'unavailable';

/**
 * The latest request records, newest first: a first page from `/api/requests`, then each new one
 * from the SSE stream as its request ends. EventSource reconnects by itself; records missed while
 * it was away are fetched again on reconnect.
 */
export function useRequestRecords(initialLimit: number, keep: number): { records: RequestRecord[]; state: LiveState; error: unknown } {
  const [records, setRecords] = useState<RequestRecord[]>([]);
  const [state, setState] = useState<LiveState>('connecting');
  const [error, setError] = useState<unknown>(undefined);
  const seen = useRef(new Set<string>());

  useEffect(() => {
    const controller = new AbortController();
    let source: EventSource | undefined;
    const merge = (incoming: RequestRecord[]) => {
      const fresh = incoming.filter((record) => !seen.current.has(record.requestId));
      if (fresh.length === 0) return;
      for (const record of fresh) seen.current.add(record.requestId);
      setRecords((current) => {
        const next = [...fresh, ...current].sort((a, b) => Date.parse(b.time) - Date.parse(a.time)).slice(0, keep);
        if (seen.current.size > keep * 4) seen.current = new Set(next.map((record) => record.requestId));
        return next;
      });
    };
    const loadPage = async () => {
      const answer = await api<{ requests: RequestRecord[] }>(`/api/requests?limit=${initialLimit}`, { signal: controller.signal });
      merge(answer.requests);
    };
    void (async () => {
      try {
        await loadPage();
      } catch (failure) {
        if (controller.signal.aborted) return;
        if (failure instanceof ApiError && failure.status === 404) {
          setState('unavailable');
          return;
        }
        setError(failure);
      }
      if (controller.signal.aborted) return;
      source = new EventSource('/api/requests/stream');
      let opened = false;
      source.onopen = () => {
        setState('live');
        setError(undefined);
        // After a reconnect, fetch what ended while the stream was down.
        if (opened) void loadPage().catch(() => undefined);
        opened = true;
      };
      source.onerror = () => setState('reconnecting');
      source.onmessage = (event) => {
        try {
          merge([JSON.parse(event.data as string) as RequestRecord]);
        } catch {
          // Not a record (a comment or keep-alive): ignore.
        }
      };
    })();
    return () => {
      controller.abort();
      source?.close();
    };
  }, [initialLimit, keep]);

  return { records, state, error };
}

export function percentile(sorted: readonly number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index];
}

export function liveLabel(state: LiveState): string {
  if (state === 'live') return 'live';
  if (state === 'connecting') return 'connecting…';
  if (state === 'reconnecting') return 'reconnecting…';
  return 'not available';
}
