/**
 * Loopback names and addresses. A name here never goes through DNS (browsers resolve `localhost` and
 * `*.localhost` themselves), so an attacker's DNS cannot point one of them at this gateway.
 */

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** `localhost`, `*.localhost`, `127.x.x.x`, `::1` (bare or in brackets). Expects lower case. */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '::1' || hostname === '[::1]' || hostname.endsWith('.localhost') || IPV4_LOOPBACK.test(hostname);
}

/** Whether a listen address (HOST) is on loopback only. */
export function isLoopbackListenAddress(host: string): boolean {
  const lower = host.toLowerCase();
  return lower === 'localhost' || lower === '::1' || lower === '[::1]' || IPV4_LOOPBACK.test(lower);
}

/**
 * The host part of a `Host` header value (`name:port`, `[v6]:port`), lower-cased; `[v6]` keeps its
 * brackets. Undefined when the value is not a plausible host.
 */
export function hostnameOfHostHeader(value: string): string | undefined {
  const lower = value.toLowerCase();
  if (lower.startsWith('[')) {
    const close = lower.indexOf(']');
    if (close === -1) return undefined;
    const rest = lower.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    return lower.slice(0, close + 1);
  }
  const colon = lower.indexOf(':');
  if (colon === -1) return lower;
  if (!/^\d{1,5}$/.test(lower.slice(colon + 1))) return undefined;
  return lower.slice(0, colon);
}

const ORIGIN_PATTERN = /^(https?):\/\/(\[[0-9a-f:.]+\]|[^/:@[\]]+)(?::(\d{1,5}))?$/;

/** Scheme and host of an `Origin` header value; undefined for `null` and anything else unusual. */
export function parseOrigin(origin: string): { scheme: string; hostname: string; host: string } | undefined {
  const match = ORIGIN_PATTERN.exec(origin.toLowerCase());
  if (!match) return undefined;
  const hostname = match[2] as string;
  return { scheme: match[1] as string, hostname, host: match[3] === undefined ? hostname : `${hostname}:${match[3]}` };
}
