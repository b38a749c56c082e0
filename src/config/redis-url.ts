/**
 * REDIS_URL checks. A Redis URL often carries a password (`redis://:secret@host:6379/0`), so a
 * problem is described without ever repeating the value: it ends up in a terminal or a log.
 */
export function redisUrlProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (!/^rediss?:\/\//i.test(value)) return 'must start with redis:// or rediss://';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL (expected redis://[user:password@]host[:port][/db])';
  }
  if (url.hostname === '') return 'has no host (expected redis://[user:password@]host[:port][/db])';
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) return 'the database after the host must be a number (e.g. redis://host:6379/0)';
  return undefined;
}
