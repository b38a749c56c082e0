import { createHash } from 'node:crypto';

/** Kiro rejects tool names longer than 64 characters (providers.md §9.2). */
export const MAX_TOOL_NAME_LENGTH = 64;

/**
 * A long name becomes its first 51 characters, `_`, and 12 hex digits of its SHA-256: deterministic
 * (the same name in history and in the tool list gives the same short name) and unlikely to collide.
 */
export function shortenToolName(name: string): string {
  if (name.length <= MAX_TOOL_NAME_LENGTH) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${name.slice(0, 51)}_${hash}`;
}

/** Remembers every shortened name of one request, to give the client its own names back. */
export class ToolNameMap {
  private readonly originals = new Map<string, string>();

  toKiro(name: string): string {
    const short = shortenToolName(name);
    if (short !== name) this.originals.set(short, name);
    return short;
  }

  toClient(kiroName: string): string {
    return this.originals.get(kiroName) ?? kiroName;
  }
}
