import { PROVIDER_ADAPTERS } from './registry.js';

/** Every provider type the original knows; the ones missing from the registry are skipped with a warning. */
const ORIGINAL_PROVIDER_TYPES = [
  'openai-custom',
  'claude-custom',
  'gemini-cli-oauth',
  'claude-kiro-oauth',
  'openai-qwen-oauth',
  'gemini-antigravity',
  'openaiResponses-custom',
  'openai-codex-oauth',
  'openai-iflow',
  'forward-api',
  'grok-web',
  'atlascloud',
] as const;

export const IMPLEMENTED_PROVIDER_TYPES: readonly string[] = [...PROVIDER_ADAPTERS.keys()];

export const NOT_IMPLEMENTED_PROVIDER_TYPES: readonly string[] = ORIGINAL_PROVIDER_TYPES.filter((type) => !PROVIDER_ADAPTERS.has(type));

/** The pseudo provider that routes by a `NAME:model` prefix only. */
export const AUTO_PROVIDER = 'auto';

/**
 * Resolves a provider name (case-insensitive) to its adapter type: an exact type, or `TYPE-SUFFIX`
 * (a custom group like `openai-custom-team2`). Returns undefined for anything else.
 */
export function adapterTypeOf(name: string, types: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  for (const type of types) {
    const typeLower = type.toLowerCase();
    if (lower === typeLower) return type;
    if (lower.startsWith(`${typeLower}-`) && (!best || type.length > best.length)) best = type;
  }
  return best;
}
