/**
 * Outbound proxy settings, the original's keys: PROXY_URL (http://, https://, socks5://, with an
 * optional user:password) for the provider types in PROXY_ENABLED_PROVIDERS; a pools entry's own
 * PROXY_URL wins for that account. Credentials in the URL never reach a log or an error message:
 * everything that prints a proxy prints redactProxyUrl().
 */
export const PROXY_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'socks5:', 'socks5h:']);

/** The URL with any user and password replaced, safe to log. */
export function redactProxyUrl(value: string): string {
  try {
    const url = new URL(value);
    // `user:password` parses as a URL with protocol "user:": print nothing that is not a proxy URL.
    if (!PROXY_PROTOCOLS.has(url.protocol) || url.hostname === '') return '(not a URL)';
    if (url.username !== '' || url.password !== '') {
      url.username = '***';
      url.password = '';
    }
    return url.href.replace(/\/$/, '');
  } catch {
    // Not a URL: say nothing about its content, it may be a credential typed in the wrong place.
    return '(not a URL)';
  }
}

/** Why `value` is not a usable proxy URL, or undefined when it is. The reason never repeats credentials. */
export function proxyUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL (expected http://, https:// or socks5://host:port)';
  }
  if (!PROXY_PROTOCOLS.has(url.protocol)) return `has protocol ${url.protocol} (expected http:, https: or socks5:)`;
  if (url.hostname === '') return 'has no host';
  return undefined;
}

/** True when a provider type or custom group is listed in PROXY_ENABLED_PROVIDERS (case-insensitive; a type covers its groups). */
export function isProxyEnabledFor(providerType: string, group: string, enabled: readonly string[]): boolean {
  const type = providerType.toLowerCase();
  const name = group.toLowerCase();
  return enabled.some((entry) => {
    const listed = entry.trim().toLowerCase();
    return listed === type || listed === name;
  });
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(',');
  return [];
}

/**
 * The proxy one account uses: its own PROXY_URL (pools entry) wins; else the global PROXY_URL when its
 * type or group is in PROXY_ENABLED_PROVIDERS; else none (direct).
 */
export function effectiveProxyUrl(
  providerType: string,
  group: string,
  own: Readonly<Record<string, unknown>>,
  global: Readonly<Record<string, unknown>>,
): string | undefined {
  const mine = stringOf(own.PROXY_URL);
  if (mine !== undefined) return mine;
  const shared = stringOf(global.PROXY_URL);
  if (shared === undefined) return undefined;
  return isProxyEnabledFor(providerType, group, listOf(global.PROXY_ENABLED_PROVIDERS)) ? shared : undefined;
}

/** The proxy a CLI login of `providerType` uses: the global PROXY_URL when the type is enabled (logins have no pools entry). */
export function loginProxyUrl(providerType: string, settings: Readonly<Record<string, unknown>>): string | undefined {
  return effectiveProxyUrl(providerType, providerType, {}, settings);
}
