/** Models Kiro serves, as clients name them (providers.md §4.9). */
export const KIRO_MODELS = [
  'claude-haiku-4-5',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-5',
  'claude-opus-4-5-20251101',
  'claude-opus-4-6',
  'claude-opus-4-7',
  'claude-opus-4-8',
  'claude-sonnet-4-5',
  'claude-sonnet-4-5-20250929',
  'claude-sonnet-4-6',
] as const;

/**
 * Client id -> Kiro `modelId`. The dated haiku id is mapped too (the original sent it verbatim and
 * Kiro rejected it). Ids not in the table pass through unchanged, so a new Kiro model works at once.
 */
const KIRO_MODEL_IDS: Readonly<Record<string, string>> = {
  'claude-haiku-4-5': 'claude-haiku-4.5',
  'claude-haiku-4-5-20251001': 'claude-haiku-4.5',
  'claude-opus-4-8': 'claude-opus-4.8',
  'claude-opus-4-7': 'claude-opus-4.7',
  'claude-opus-4-6': 'claude-opus-4.6',
  'claude-sonnet-4-6': 'claude-sonnet-4.6',
  'claude-opus-4-5': 'claude-opus-4.5',
  'claude-opus-4-5-20251101': 'claude-opus-4.5',
  'claude-sonnet-4-5': 'claude-sonnet-4.5',
  'claude-sonnet-4-5-20250929': 'claude-sonnet-4.5',
};

export function toKiroModelId(model: string): string {
  return KIRO_MODEL_IDS[model] ?? model;
}

/** Context window used to turn Kiro's contextUsagePercentage into input tokens. */
export function contextWindowOf(model: string): number {
  return /^claude-opus-4[-.][5-8]/.test(model) ? 1_000_000 : 200_000;
}
