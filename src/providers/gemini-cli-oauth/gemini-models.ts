/** Models Code Assist serves to Gemini CLI accounts (providers.md §3.9), listed sorted as the original does. */
export const GEMINI_CLI_MODELS = [
  'gemini-2.5-flash',
  'gemini-2.5-flash-lite',
  'gemini-2.5-pro',
  'gemini-3-flash-preview',
  'gemini-3-pro-preview',
  'gemini-3.1-flash-lite-preview',
  'gemini-3.1-pro-preview',
  'gemini-3.5-flash',
] as const;

export const DEFAULT_GEMINI_MODEL = 'gemini-2.5-flash';

/** The built-in list plus the configured additions, without duplicates, sorted. */
export function listGeminiModelIds(extraModels: readonly string[]): string[] {
  return [...new Set([...GEMINI_CLI_MODELS, ...extraModels])].sort((left, right) => left.localeCompare(right));
}

function titleCase(id: string): string {
  return id
    .split('-')
    .map((word) => (word ? word[0]!.toUpperCase() + word.slice(1) : word))
    .join(' ');
}

/** The Gemini-native `GET /v1beta/models` answer for this backend. */
export function toGeminiModelList(ids: readonly string[]): { models: Array<Record<string, unknown>> } {
  return {
    models: ids.map((id) => ({
      name: `models/${id}`,
      version: '1.0.0',
      displayName: titleCase(id),
      description: `A generative model for text and chat generation. ID: ${id}`,
      inputTokenLimit: 1024000,
      outputTokenLimit: 65535,
      supportedGenerationMethods: ['generateContent', 'streamGenerateContent'],
    })),
  };
}
