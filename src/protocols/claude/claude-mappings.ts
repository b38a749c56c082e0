import { isRecord, optionalNumber } from '../canonical/json.js';
import type { FinishInfo, FinishReason, Usage } from '../canonical/types.js';

const CLAUDE_STOP_REASONS = new Set(['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'pause_turn', 'refusal', 'model_context_window_exceeded']);

export function mapClaudeStopReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
    case null:
    case undefined:
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}

/** Canonical finish -> a valid Claude stop_reason (a raw Claude value is kept when it is one). */
export function toClaudeStopReason(finish: FinishInfo, hasToolCalls: boolean, stopSequence?: string): string {
  if (hasToolCalls && (finish.unified === 'stop' || finish.unified === 'tool-calls')) return 'tool_use';
  if (finish.raw && CLAUDE_STOP_REASONS.has(finish.raw) && mapClaudeStopReason(finish.raw) === finish.unified) {
    return finish.raw;
  }
  switch (finish.unified) {
    case 'length':
      return 'max_tokens';
    case 'tool-calls':
      return hasToolCalls ? 'tool_use' : 'end_turn';
    case 'content-filter':
      return 'refusal';
    case 'stop':
      return stopSequence !== undefined ? 'stop_sequence' : 'end_turn';
    default:
      return 'end_turn';
  }
}

/** Claude usage: `input_tokens` excludes cache reads and writes, canonical input includes them. */
export function decodeClaudeUsage(value: unknown): Usage {
  const usage = isRecord(value) ? value : {};
  const input = optionalNumber(usage.input_tokens) ?? 0;
  const cacheRead = optionalNumber(usage.cache_read_input_tokens);
  const cacheWrite = optionalNumber(usage.cache_creation_input_tokens);
  const result: Usage = {
    inputTokens: input + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: optionalNumber(usage.output_tokens) ?? 0,
  };
  if (cacheRead !== undefined) result.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) result.cacheWriteTokens = cacheWrite;
  return result;
}

export function encodeClaudeUsage(usage: Partial<Usage>): Record<string, number> {
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const encoded: Record<string, number> = {
    input_tokens: Math.max(0, (usage.inputTokens ?? 0) - cacheRead - cacheWrite),
    output_tokens: usage.outputTokens ?? 0,
  };
  if (usage.cacheWriteTokens !== undefined) encoded.cache_creation_input_tokens = cacheWrite;
  if (usage.cacheReadTokens !== undefined) encoded.cache_read_input_tokens = cacheRead;
  return encoded;
}

/**
 * Claude requires max_tokens. When the client did not send one, use the model's known output limit
 * (a conservative default for names we do not know).
 */
export function defaultClaudeMaxTokens(model: string): number {
  const name = model.toLowerCase();
  if (/claude-3-haiku|claude-3-opus|claude-3-sonnet/.test(name)) return 4096;
  if (/claude-3-5/.test(name)) return 8192;
  if (/opus-4(-[01])?(-\d{8})?$/.test(name)) return 32000;
  if (/claude/.test(name)) return 64000;
  return 32000;
}
