/**
 * config.json keys the original AIClient-2-API knows for features this gateway does not have. They
 * are accepted (its users' files load unchanged) and named once in a start-up warning, so nobody
 * believes a setting took effect when it did not. A key the gateway reads (its config schema, or a
 * backend's account schema) is never reported here, so a feature or backend of the original that
 * lands later stops being listed without touching this file.
 */
const ORIGINAL_ONLY_PREFIXES: readonly string[] = [
  'TLS_SIDECAR_', // the original's uTLS sidecar process
  'GROK_', // grok-web backend
  'ANTIGRAVITY_', // gemini-antigravity backend
  'CODEX_', // openai-codex-oauth backend
  'IFLOW_', // openai-iflow backend
  'FORWARD_', // forward-api backend
  'ATLASCLOUD_',
  'OPENAI_RESPONSES_', // openaiResponses-custom backend
];

const ORIGINAL_ONLY_KEYS: ReadonlySet<string> = new Set([
  'LOG_INCLUDE_REQUEST_ID', // our log lines always carry the request id
  'LOG_INCLUDE_TIMESTAMP', // and always a timestamp
]);

/** Keys of `fileValues` for features we lack, in file order; `isRead` tells the keys the gateway reads (asked only of candidates). */
export function originalOnlyKeys(fileValues: Readonly<Record<string, unknown>>, isRead: (key: string) => boolean): string[] {
  return Object.keys(fileValues).filter(
    (key) => (ORIGINAL_ONLY_KEYS.has(key) || ORIGINAL_ONLY_PREFIXES.some((prefix) => key.startsWith(prefix))) && !isRead(key),
  );
}
