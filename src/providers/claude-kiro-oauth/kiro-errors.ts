import { GatewayError } from '../../errors/gateway-error.js';

/** 403 texts that mean the account itself is blocked: refreshing cannot help (providers.md §4.12). */
const BLOCKED_MARKERS = [
  'temporarily is suspended',
  'temporarily suspended',
  'disabled',
  'violation of terms',
  'terms of service',
  'appeal',
  'not authorized to access',
  'not allowed',
];
const QUOTA_MARKERS = ['quota', 'limit exceeded', 'payment required'];
const TOKEN_WORDS = ['token', 'authorization', 'authenticate', 'credential'];
const INVALID_WORDS = ['expired', 'invalid', 'unauthorized'];

const includesAny = (text: string, words: readonly string[]) => words.some((word) => text.includes(word));

function withKind(error: GatewayError, code: string, kind: GatewayError['kind'], extra: { retryAfterMs?: number } = {}): GatewayError {
  return new GatewayError(code, kind, `claude-kiro-oauth: ${error.message}`, {
    ...error.detail,
    scope: 'account',
    ...extra,
    cause: error,
  });
}

/** Milliseconds until 00:00 UTC on the 1st of next month, when Kiro's monthly credits reset. */
export function msUntilMonthlyReset(now = Date.now()): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) - now;
}

export interface KiroFailure {
  readonly error: GatewayError;
  /** 401, or a 403 naming the token as invalid/expired: one refresh and one retry may fix it. */
  readonly needsRefresh: boolean;
}

/** Classifies a non-2xx chat answer for the pool: auth, blocked, quota, rate limit, or as it was. */
export function classifyKiroError(error: GatewayError): KiroFailure {
  const status = error.detail.status;
  const text = error.message.toLowerCase();
  if (status === 401) return { error: withKind(error, 'kiro_token_rejected', 'auth'), needsRefresh: true };
  if (status === 402) {
    return { error: withKind(error, 'kiro_quota_exhausted', 'quota', { retryAfterMs: msUntilMonthlyReset() }), needsRefresh: false };
  }
  if (status === 403) {
    if (includesAny(text, QUOTA_MARKERS)) return { error: withKind(error, 'kiro_quota_exhausted', 'quota'), needsRefresh: false };
    if (includesAny(text, BLOCKED_MARKERS)) return { error: withKind(error, 'kiro_account_blocked', 'auth'), needsRefresh: false };
    if (includesAny(text, TOKEN_WORDS) && includesAny(text, INVALID_WORDS)) {
      return { error: withKind(error, 'kiro_token_rejected', 'auth'), needsRefresh: true };
    }
    return { error: withKind(error, 'kiro_forbidden', 'auth'), needsRefresh: false };
  }
  if (status === 429) return { error: withKind(error, 'kiro_rate_limited', 'rate_limit'), needsRefresh: false };
  return { error, needsRefresh: false };
}
