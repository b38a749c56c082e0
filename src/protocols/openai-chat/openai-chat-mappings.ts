import { isRecord, optionalNumber } from '../canonical/json.js';
import type { FinishInfo, FinishReason, Usage } from '../canonical/types.js';

export function mapOpenAIFinishReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case 'stop':
    case null:
    case undefined:
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

export function toOpenAIFinishReason(finish: FinishInfo, hasToolCalls: boolean): string {
  if (hasToolCalls && (finish.unified === 'stop' || finish.unified === 'tool-calls')) return 'tool_calls';
  switch (finish.unified) {
    case 'length':
      return 'length';
    case 'content-filter':
      return 'content_filter';
    case 'tool-calls':
      return hasToolCalls ? 'tool_calls' : 'stop';
    default:
      return 'stop';
  }
}

/** OpenAI usage: prompt_tokens include cached tokens, completion_tokens include reasoning tokens. */
export function decodeOpenAIUsage(value: unknown): Usage | undefined {
  if (!isRecord(value)) return undefined;
  const promptDetails = isRecord(value.prompt_tokens_details) ? value.prompt_tokens_details : {};
  const completionDetails = isRecord(value.completion_tokens_details) ? value.completion_tokens_details : {};
  const usage: Usage = {
    inputTokens: optionalNumber(value.prompt_tokens) ?? 0,
    outputTokens: optionalNumber(value.completion_tokens) ?? 0,
  };
  const total = optionalNumber(value.total_tokens);
  if (total !== undefined) usage.totalTokens = total;
  // DeepSeek reports cache hits as prompt_cache_hit_tokens.
  const cached = optionalNumber(promptDetails.cached_tokens) ?? optionalNumber(value.prompt_cache_hit_tokens);
  if (cached !== undefined) usage.cacheReadTokens = cached;
  const cacheWrite = optionalNumber(promptDetails.cache_write_tokens);
  if (cacheWrite !== undefined) usage.cacheWriteTokens = cacheWrite;
  const reasoning = optionalNumber(completionDetails.reasoning_tokens);
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

export function encodeOpenAIUsage(usage: Usage): Record<string, unknown> {
  const encoded: Record<string, unknown> = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens ?? usage.inputTokens + usage.outputTokens,
  };
  if (usage.cacheReadTokens !== undefined) encoded.prompt_tokens_details = { cached_tokens: usage.cacheReadTokens };
  if (usage.reasoningTokens !== undefined) {
    encoded.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  }
  return encoded;
}
