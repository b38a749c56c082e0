import { USAGE_ROW_SUMS, type UsageRow } from './usage-store.js';

function cell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `/api/usage?format=csv`: a header line of the row's fields, then one line per row. */
export function usageRowsToCsv(rows: readonly UsageRow[], groupFields: readonly string[]): string {
  const columns = [...groupFields, ...USAGE_ROW_SUMS];
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((column) => cell((row as unknown as Record<string, unknown>)[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
