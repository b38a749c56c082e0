import { GatewayError, kindFromStatus } from '../errors/gateway-error.js';

const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Reads at most 64 KiB of an error body: enough for any message, bounded against hostile upstreams. */
export async function readErrorBodyText(body: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < MAX_ERROR_BODY_BYTES) {
      parts.push(chunk);
      size += chunk.length;
    }
  }
  return Buffer.concat(parts).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
}

/** Parses a duration such as "30s", "1.5s", "500ms", "1m30s" or a bare number of seconds. */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const pattern = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (const match of trimmed.matchAll(pattern)) {
    const value = Number(match[1]);
    const unit = match[2];
    total += unit === 'ms' ? value : unit === 's' ? value * 1000 : unit === 'm' ? value * 60_000 : value * 3_600_000;
    matched += match[0];
  }
  return matched === trimmed && matched !== '' ? Math.round(total) : undefined;
}

/** Retry-After as seconds or an HTTP date. */
export function parseRetryAfterHeader(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text.trim()) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function retryHintFromBody(parsed: Record<string, unknown>): number | undefined {
  const error = (typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : parsed) as Record<string, unknown>;
  for (const source of [parsed, error]) {
    for (const key of ['retryAfterMs', 'retry_after_ms']) {
      if (typeof source[key] === 'number') return source[key] as number;
    }
    for (const key of ['retryAfter', 'retry_after', 'retryDelay', 'retry_delay']) {
      const value = source[key];
      if (typeof value === 'number') return value * 1000;
      if (typeof value === 'string') {
        const ms = parseDurationMs(value);
        if (ms !== undefined) return ms;
      }
    }
  }
  if (Array.isArray(error.details)) {
    for (const detail of error.details as Array<Record<string, unknown>>) {
      const delay = detail?.retryDelay ?? (detail?.metadata as Record<string, unknown> | undefined)?.quotaResetDelay;
      if (typeof delay === 'string') {
        const ms = parseDurationMs(delay);
        if (ms !== undefined) return ms;
      }
    }
  }
  if (typeof error.message === 'string') {
    const match = /after (\d+(?:\.\d+)?(?:ms|s|m)+)/i.exec(error.message);
    if (match?.[1]) return parseDurationMs(match[1]);
  }
  return undefined;
}

/**
 * Turns an upstream non-2xx answer into a GatewayError that keeps the upstream's status, message and
 * type, so the client sees what the backend said, in its own protocol's shape.
 */
export function createUpstreamError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  providerType: string,
): GatewayError {
  let message = bodyText.trim().slice(0, 2000) || `HTTP ${status}`;
  let upstreamType: string | undefined;
  let upstreamCode: string | number | null | undefined;
  let param: string | null | undefined;
  let retryAfterMs = parseRetryAfterHeader(headers['retry-after']);
  try {
    const parsed = JSON.parse(bodyText) as Record<string, unknown>;
    if (parsed && typeof parsed === 'object') {
      const error = parsed.error;
      if (typeof error === 'object' && error !== null) {
        const record = error as Record<string, unknown>;
        if (typeof record.message === 'string') message = record.message;
        if (typeof record.type === 'string') upstreamType = record.type;
        else if (typeof record.status === 'string') upstreamType = record.status;
        if (typeof record.code === 'string' || typeof record.code === 'number') upstreamCode = record.code;
        if (typeof record.param === 'string') param = record.param;
      } else if (typeof error === 'string') {
        message = typeof parsed.error_description === 'string' ? `${error}: ${parsed.error_description}` : error;
      } else if (typeof parsed.message === 'string') {
        message = parsed.message;
      }
      retryAfterMs ??= retryHintFromBody(parsed);
    }
  } catch {
    // Not JSON: keep the text as the message.
  }
  const kind = kindFromStatus(status);
  return new GatewayError(`upstream_${status}`, kind, message, {
    status,
    upstreamType,
    upstreamCode,
    param,
    retryAfterMs,
    scope: kind === 'invalid_request' || kind === 'not_found' ? 'request' : 'account',
    cause: { providerType },
  });
}
