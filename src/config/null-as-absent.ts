/**
 * The original AIClient-2-API (its server and its web UI) writes `null` for every optional field it
 * has no value for (`checkModelName: null`, `lastUsed: null`, `PROXY_URL: null`). For us `null` means
 * absent: this drops null-valued keys before any schema sees the document, so every schema (config,
 * pools entries, per-provider account schemas) can stay strict about types without learning about
 * null. Pure and non-mutating; arrays keep their length (a null inside a list is the schema's call).
 */
export function nullAsAbsent<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => nullAsAbsent(item)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item !== null) result[key] = nullAsAbsent(item);
  }
  return result as T;
}
