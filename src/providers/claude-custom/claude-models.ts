/** Shown by GET /v1/models when the upstream has no model list endpoint (some Anthropic-compatible proxies). */
export const CLAUDE_FALLBACK_MODELS = [
  'claude-opus-4-5',
  'claude-sonnet-4-5',
  'claude-haiku-4-5',
  'claude-opus-4-1',
  'claude-sonnet-4-20250514',
  'claude-opus-4-20250514',
  'claude-3-7-sonnet-20250219',
  'claude-3-5-haiku-20241022',
] as const;
