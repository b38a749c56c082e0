/**
 * Masks credentials inside free text (upstream error messages, network errors) before it reaches a
 * client, a log line, the admin API or the pool state file. Upstreams do echo keys ("Incorrect API key
 * provided: sk-..."), token endpoints echo tokens, and a proxy URL carries its password. No imports:
 * any layer may use it.
 */

const MASK = '***';

/** Key formats with a recognisable prefix: the prefix and the last 4 characters stay, to tell keys apart. */
const PREFIXED_KEY = /\b(sk-(?:ant-|proj-)?|AIza|ya29\.|1\/\/|gh[pousr]_|xox[bp]-)([A-Za-z0-9_-]{8,})/g;
/** JSON Web Tokens (OAuth access and id tokens). */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** `scheme://user:password@host`: proxy and database URLs. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^/\s@]+@/gi;
/** `Bearer TOKEN`, `Basic CREDENTIALS`. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g;
/** `name: value`, `"name":"value"`, `name=value` for names that hold secrets. */
const NAMED_SECRET =
  /\b((?:api[_-]?key|x-api-key|x-goog-api-key|access[_-]?token|refresh[_-]?token|id[_-]?token|client[_-]?secret|password|passwd|secret|authorization|token)["']?\s*[:=]\s*["']?)([^\s"'&,;}]{4,})/gi;
/** `?key=...` / `&key=...` in URLs (Google's API key parameter). */
const KEY_PARAMETER = /([?&]key=)[^&\s"']+/g;

/** Cheap pre-check: text without any of these fragments has nothing to mask (most messages). */
const MAYBE_SECRET = /sk-|AIza|ya29\.|1\/\/|gh[pousr]_|xox|eyJ|:\/\/|Bearer|Basic|key|token|secret|passw|authorization/i;

export function maskSecrets(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  return text
    .replace(URL_PASSWORD, `$1:${MASK}@`)
    .replace(AUTH_SCHEME, `$1 ${MASK}`)
    .replace(JWT, MASK)
    .replace(PREFIXED_KEY, (_match, prefix: string, rest: string) => `${prefix}${MASK}${rest.length >= 16 ? rest.slice(-4) : ''}`)
    .replace(NAMED_SECRET, (match, name: string, value: string) =>
      value.startsWith(MASK) || value === 'Bearer' || value === 'Basic' ? match : `${name}${MASK}`,
    )
    .replace(KEY_PARAMETER, `$1${MASK}`);
}
