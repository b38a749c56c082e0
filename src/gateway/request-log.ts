import type { IncomingHttpHeaders } from 'node:http';
import type { Usage } from '../protocols/canonical/types.js';
import type { ProtocolId } from '../protocols/protocol-id.js';

/**
 * What one request's log line reports; filled in as the request moves through the gateway. For
 * generation requests it is also the request's outcome, which usage accounting and metrics read once
 * the response has ended (one value per request, never shared).
 */
export interface RequestLogRecord {
  provider?: string;
  instance?: string;
  /** uuid of the pool instance that served the request (x-aiclient-instance). */
  instanceId?: string;
  model?: string;
  stream?: boolean;
  /** Bytes of response body sent to the client. */
  bytes: number;
  error?: string;
  /** The error's kind (GatewayError kind, e.g. `rate_limit`), for accounting. */
  errorKind?: string;
  /** Set for generation requests only: the client's protocol. */
  protocol?: ProtocolId;
  /** The model the client asked for (before prefix removal and fallbacks). */
  modelAsked?: string;
  /** The group the request was first routed to, when a fallback group served it. */
  fallbackFrom?: string;
  /** Instances tried after the first one failed (within one group, summed over groups). */
  failovers?: number;
  /** Fallback groups tried after the first group could not serve. */
  fallbacks?: number;
  /** Each upstream attempt: pool instance uuid and how it ended (`success`, `failure`, `cancelled`). */
  attempts?: Array<{ readonly provider: string; readonly instance: string; readonly outcome: string }>;
  /** Token counts as the upstream reported them (or as the backend estimated them). */
  usage?: Usage;
  /** True when the backend reports no token counts and they were estimated (Kiro). */
  usageEstimated?: boolean;
  /** performance.now() when the request arrived and when its first response byte was written. */
  startedAt?: number;
  firstByteAt?: number;
  /** The serving upstream's response headers (a reference, read for rate-limit quota headers). */
  upstreamHeaders?: IncomingHttpHeaders;
}
