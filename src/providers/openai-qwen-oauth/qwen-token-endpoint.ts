/**
 * Form posts to Qwen's OAuth server (device code and token endpoints). Both are small JSON answers,
 * so undici's fetch is enough (its dispatcher carries the account's proxy, if any); the caller
 * decides what an error answer means.
 */
import type { Dispatcher } from 'undici';

export interface OAuthAnswer {
  readonly status: number;
  /** The parsed JSON object, or `{}` when the body was not a JSON object. */
  readonly body: Record<string, unknown>;
  /** The raw text (bounded), for error messages when the body is not JSON. */
  readonly text: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

export async function postOAuthForm(url: string, form: Record<string, string>, signal?: AbortSignal, dispatcher?: Dispatcher): Promise<OAuthAnswer> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  // undici's fetch (it takes a dispatcher, Node's global fetch does not) loads all of undici: only when a login or refresh runs.
  const { fetch } = await import('undici');
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    dispatcher,
  });
  const text = (await response.text()).slice(0, 4096);
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page): callers report the status and the text.
  }
  return { status: response.status, body, text };
}

/** `error: error_description` of an OAuth error answer, without echoing anything secret we sent. */
export function describeOAuthError(answer: OAuthAnswer): string {
  const error = typeof answer.body.error === 'string' ? answer.body.error : undefined;
  const description = typeof answer.body.error_description === 'string' ? answer.body.error_description : undefined;
  if (error) return description ? `${error}: ${description}` : error;
  const text = answer.text.trim().replace(/\s+/g, ' ').slice(0, 200);
  return `HTTP ${answer.status}${text ? ` ${text}` : ''}`;
}

/**
 * A successful token answer merged into the fields we already had: unknown fields survive, a
 * missing `refresh_token` or `resource_url` keeps the old one (the server does not always rotate),
 * and `expiry_date` (ms since the epoch, Qwen Code's own field) is computed from `expires_in`.
 */
export function mergeTokenAnswer(previous: Record<string, unknown>, answer: Record<string, unknown>, now: number): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...previous, ...answer };
  if (typeof answer.refresh_token !== 'string' || answer.refresh_token === '') merged.refresh_token = previous.refresh_token;
  if (typeof answer.resource_url !== 'string' || answer.resource_url === '') merged.resource_url = previous.resource_url;
  const expiresIn = Number(answer.expires_in);
  if (Number.isFinite(expiresIn) && expiresIn > 0) merged.expiry_date = now + expiresIn * 1000;
  // No lifetime given: the old expiry no longer applies; unknown expiry means valid until a 401.
  else delete merged.expiry_date;
  // Absent before and after: leave absent rather than writing `undefined` keys.
  for (const key of ['refresh_token', 'resource_url']) if (merged[key] === undefined) delete merged[key];
  return merged;
}
