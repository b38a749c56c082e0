import { isLoopbackHostname, parseOrigin } from './loopback.js';

export interface OriginPolicyOptions {
  /** CORS_ALLOWED_ORIGINS; `*` allows every origin. */
  readonly allowedOrigins: readonly string[];
  /**
   * REQUIRED_API_KEY is set: a page needs the key to get anything, so every origin may try unless
   * CORS_ALLOWED_ORIGINS narrows it.
   */
  readonly clientKeyRequired: boolean;
}

/** Whether a browser request with this `Origin` is served, given the request's `Host`. */
export type OriginCheck = (origin: string, host: string | undefined) => boolean;

/** `https://App.example/` → `https://app.example`: the form browsers send. */
export function normalizeOrigin(origin: string): string {
  const lower = origin.trim().toLowerCase();
  return lower.endsWith('/') ? lower.slice(0, -1) : lower;
}

/**
 * A request with an `Origin` header comes from a web page. Pages from loopback, from the gateway's own
 * origin and from CORS_ALLOWED_ORIGINS are served; on a keyless gateway every other page is refused,
 * since its requests would run on the user's accounts (simple POSTs need no preflight).
 */
export function createOriginPolicy(options: OriginPolicyOptions): OriginCheck {
  const listed = new Set(options.allowedOrigins.map(normalizeOrigin));
  if (listed.has('*') || (options.clientKeyRequired && listed.size === 0)) return () => true;
  return (origin, host) => {
    if (listed.has(origin) || listed.has(normalizeOrigin(origin))) return true;
    const parsed = parseOrigin(origin);
    if (parsed === undefined) return false;
    if (isLoopbackHostname(parsed.hostname)) return true;
    // Same origin (the web UI served by the gateway itself): the Host check has vetted this name already.
    return host !== undefined && host.toLowerCase() === parsed.host;
  };
}
