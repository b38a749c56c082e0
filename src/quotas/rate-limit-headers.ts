import type { IncomingHttpHeaders } from 'node:http';

/**
 * Rate-limit headers of OpenAI-compatible APIs (`x-ratelimit-limit-requests`,
 * `x-ratelimit-remaining-tokens`, `x-ratelimit-reset-requests`, ...) and of Anthropic
 * (`anthropic-ratelimit-requests-remaining`, `anthropic-ratelimit-input-tokens-reset`, ...), read
 * from answers the gateway got anyway: nothing is ever fetched for them.
 */
const PREFIXES = ['x-ratelimit-', 'anthropic-ratelimit-'] as const;

export interface RateLimitWindow {
  limit?: number;
  remaining?: number;
  /** As the upstream wrote it: an ISO time (Anthropic) or a duration like `6m0s` (OpenAI). */
  reset?: string;
}

/** The rate-limit headers of a response, or undefined when it has none (the common case for other backends). */
export function rateLimitHeadersOf(headers: IncomingHttpHeaders | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  let found: Record<string, string> | undefined;
  for (const name in headers) {
    if (name.charCodeAt(0) !== 0x78 /* x */ && name.charCodeAt(0) !== 0x61 /* a */) continue;
    if (!PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const value = headers[name];
    (found ??= {})[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return found;
}

/** Groups the headers by window: `requests`, `tokens`, `input_tokens`, `output_tokens`, ... */
export function rateLimitWindows(headers: Readonly<Record<string, string>>): Record<string, RateLimitWindow> {
  const windows: Record<string, RateLimitWindow> = {};
  for (const [name, value] of Object.entries(headers)) {
    let window: string | undefined;
    let field: keyof RateLimitWindow | undefined;
    const openai = /^x-ratelimit-(limit|remaining|reset)-(.+)$/.exec(name);
    const anthropic = /^anthropic-ratelimit-(.+)-(limit|remaining|reset)$/.exec(name);
    if (openai) {
      field = openai[1] as keyof RateLimitWindow;
      window = openai[2];
    } else if (anthropic) {
      field = anthropic[2] as keyof RateLimitWindow;
      window = anthropic[1];
    }
    if (!window || !field) continue;
    const key = window.replace(/-/g, '_');
    const entry = (windows[key] ??= {});
    if (field === 'reset') entry.reset = value;
    else if (/^\d+$/.test(value)) entry[field] = Number(value);
  }
  return windows;
}
