import { isRecord, optionalNumber } from '../canonical/json.js';
import type { FinishInfo, FinishReason, Usage } from '../canonical/types.js';

const CONTENT_FILTER = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'MODEL_ARMOR']);

const GEMINI_FINISH_REASONS = new Set(['STOP', 'MAX_TOKENS', 'OTHER', 'MALFORMED_FUNCTION_CALL', 'LANGUAGE', ...CONTENT_FILTER]);

export function mapGeminiFinishReason(raw: string | undefined, hasToolCalls: boolean): FinishReason {
  if (raw === undefined || raw === 'STOP' || raw === 'FINISH_REASON_UNSPECIFIED') return hasToolCalls ? 'tool-calls' : 'stop';
  if (raw === 'MAX_TOKENS') return 'length';
  if (CONTENT_FILTER.has(raw)) return 'content-filter';
  if (raw === 'MALFORMED_FUNCTION_CALL' || raw === 'UNEXPECTED_TOOL_CALL') return 'error';
  return 'other';
}

/** Canonical finish -> a real Gemini finishReason (never the invented TOOL_CALLS). */
export function toGeminiFinishReason(finish: FinishInfo): string {
  if (finish.raw && GEMINI_FINISH_REASONS.has(finish.raw) && mapGeminiFinishReason(finish.raw, finish.unified === 'tool-calls') === finish.unified) {
    return finish.raw;
  }
  switch (finish.unified) {
    case 'length':
      return 'MAX_TOKENS';
    case 'content-filter':
      return 'SAFETY';
    case 'error':
    case 'other':
      return 'OTHER';
    default:
      return 'STOP';
  }
}

/** Gemini usage: candidatesTokenCount excludes thoughts, promptTokenCount includes cached content. */
export function decodeGeminiUsage(value: unknown): Usage | undefined {
  if (!isRecord(value)) return undefined;
  const prompt = optionalNumber(value.promptTokenCount) ?? 0;
  const toolPrompt = optionalNumber(value.toolUsePromptTokenCount) ?? 0;
  const candidates = optionalNumber(value.candidatesTokenCount) ?? 0;
  const thoughts = optionalNumber(value.thoughtsTokenCount);
  const usage: Usage = { inputTokens: prompt + toolPrompt, outputTokens: candidates + (thoughts ?? 0) };
  const total = optionalNumber(value.totalTokenCount);
  if (total !== undefined) usage.totalTokens = total;
  const cached = optionalNumber(value.cachedContentTokenCount);
  if (cached !== undefined) usage.cacheReadTokens = cached;
  if (thoughts !== undefined) usage.reasoningTokens = thoughts;
  return usage;
}

export function encodeGeminiUsage(usage: Usage): Record<string, number> {
  const thoughts = usage.reasoningTokens ?? 0;
  const encoded: Record<string, number> = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - thoughts),
    totalTokenCount: usage.totalTokens ?? usage.inputTokens + usage.outputTokens,
  };
  if (usage.reasoningTokens !== undefined) encoded.thoughtsTokenCount = usage.reasoningTokens;
  if (usage.cacheReadTokens !== undefined) encoded.cachedContentTokenCount = usage.cacheReadTokens;
  return encoded;
}

/** Gemini 3 models take a thinking level; 2.5 models a token budget. */
export function usesThinkingLevel(model: string): boolean {
  return /gemini-(\d+)/.exec(model)?.[1] !== undefined && Number(/gemini-(\d+)/.exec(model)?.[1]) >= 3;
}
