import { access } from 'node:fs/promises';
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { GROUP_FIELDS, type GroupField, type UsageRow } from '../usage/usage-store.js';

const USAGE_HELP = `aiclient2api usage [--since 24h|7d|30m] [--by provider,model] [--config PATH] [--usage-db PATH]

Prints usage from the usage database (works while the gateway runs).
  --since DURATION  how far back: a number and m, h or d (default 24h)
  --by FIELDS       group by any of ${GROUP_FIELDS.join(', ')} (default provider,model)
  --config PATH     config.json to read USAGE_DB_PATH from (default configs/config.json)
  --usage-db PATH   the database file itself
`;

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseSince(text: string): number {
  const match = /^(\d+)\s*([mhd])$/.exec(text.trim());
  if (!match) throw new ConfigError(`--since expects a number and m, h or d (e.g. 24h, 7d), got "${text}"`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

export function parseBy(text: string): GroupField[] {
  const fields = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  for (const field of fields) {
    if (!(GROUP_FIELDS as readonly string[]).includes(field)) throw new ConfigError(`--by: unknown field "${field}" (use ${GROUP_FIELDS.join(', ')})`);
  }
  return fields as GroupField[];
}

const integer = new Intl.NumberFormat('en-US');

/** A plain text table: group columns left-aligned, numbers right-aligned, one line per row plus a total. */
export function renderUsageTable(rows: readonly UsageRow[], by: readonly GroupField[]): string {
  const numeric = ['requests', 'errors', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens'] as const;
  const headers = [...by, 'requests', 'errors', 'input', 'output', 'cache read', 'cache write', 'reasoning', 'cost USD'];
  const total = { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costUsd: 0 };
  const lines = rows.map((row) => {
    for (const field of numeric) total[field] += row[field];
    total.costUsd += row.costUsd;
    return [
      ...by.map((field) => String(row[field] ?? '-')),
      ...numeric.map((field) => integer.format(row[field])),
      row.costUsd.toFixed(4) + (row.unpricedRequests > 0 ? '*' : ''),
    ];
  });
  if (rows.length > 1 || by.length === 0) {
    lines.push([...by.map((_, index) => (index === 0 ? 'total' : '')), ...numeric.map((field) => integer.format(total[field])), total.costUsd.toFixed(4)]);
  }
  const widths = headers.map((header, column) => Math.max(header.length, ...lines.map((line) => (line[column] ?? '').length)));
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column < by.length ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number)))
      .join('  ')
      .trimEnd();
  const out = [format(headers), format(widths.map((width) => '-'.repeat(width))), ...lines.map(format)];
  if (rows.some((row) => row.unpricedRequests > 0)) out.push('* some requests of this row have no price (MODEL_PRICES_FILE_PATH)');
  return `${out.join('\n')}\n`;
}

/** `aiclient2api usage`: reads the store (read-only, so it never disturbs a running gateway) and prints a table. */
export async function runUsage(argv: readonly string[], cwd: string, output: NodeJS.WritableStream = process.stdout): Promise<void> {
  let since = 86_400_000;
  let by: GroupField[] = ['provider', 'model'];
  const rest: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    const [name, inline] =
      argument.startsWith('--') && argument.includes('=')
        ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)]
        : [argument, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[index + 1];
      if (next === undefined) throw new ConfigError(`${name} needs a value`);
      index += 1;
      return next;
    };
    if (name === '--help' || name === '-h') {
      output.write(USAGE_HELP);
      return;
    }
    if (name === '--since') since = parseSince(value());
    else if (name === '--by') by = parseBy(value());
    else if (name === '--config' || name === '--usage-db') rest.push(name, value());
    else throw new ConfigError(`usage: unknown option "${argument}"\n\n${USAGE_HELP}`);
  }
  const loaded = await loadConfig(rest, cwd);
  if (loaded.kind !== 'serve') return;
  const file = loaded.config.USAGE_DB_PATH;
  try {
    await access(file);
  } catch {
    throw new ConfigError(`no usage database at ${file} (is USAGE_ENABLED on, and has the gateway served a request?)`);
  }
  const { SqliteUsageStore } = await import('../usage/sqlite-usage-store.js');
  const store = new SqliteUsageStore(file, { readonly: true });
  try {
    const to = Date.now();
    const rows = await store.aggregate({ from: to - since, to, groupBy: by });
    output.write(`usage from ${new Date(to - since).toISOString()} to ${new Date(to).toISOString()} (${file})\n\n`);
    output.write(rows.length === 0 ? 'no requests in this period\n' : renderUsageTable(rows, by));
  } finally {
    await store.close();
  }
}
