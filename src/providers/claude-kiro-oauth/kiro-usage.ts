import type { CanonicalRequest } from '../../protocols/canonical/types.js';
import { contextWindowOf } from './kiro-models.js';
import { thinkingPrefix } from './to-kiro-request.js';

/** Claude's tokenizer averages about 4 ASCII characters per token; CJK text is closer to 1.5 characters. */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let index = 0; index < text.length; index += 1) {
    if (text.charCodeAt(index) < 0x80) ascii += 1;
    else other += 1;
  }
  return Math.ceil(ascii / 4 + other / 1.5);
}

/** Roughly what an image costs a Claude model (a ~1 megapixel picture). */
const IMAGE_TOKENS = 1600;

/**
 * Input tokens of a request, estimated before any answer: system text, the thinking tags, every
 * message's text, thinking, tool calls and results, plus the tool definitions as JSON. Kiro reports
 * no token counts; this is replaced by its contextUsagePercentage when that arrives.
 */
export function estimateInputTokens(request: CanonicalRequest): number {
  let text = request.system.map((part) => part.text).join('\n') + (thinkingPrefix(request.reasoning) ?? '');
  let images = 0;
  for (const message of request.messages) {
    for (const part of message.content) {
      if (part.type === 'text' || part.type === 'reasoning') text += part.text;
      else if (part.type === 'tool-call') text += part.toolName + JSON.stringify(part.input);
      else if (part.type === 'image') images += 1;
      else if (part.type === 'tool-result') {
        for (const item of part.content) {
          if (item.type === 'text') text += item.text;
          else images += 1;
        }
      }
    }
  }
  if (request.tools.length > 0) text += JSON.stringify(request.tools);
  return estimateTokens(text) + images * IMAGE_TOKENS;
}

/**
 * Final input tokens: Kiro's contextUsageEvent gives the share of the model's context window that
 * input and output filled, so input = window × percentage − output; without it, the estimate.
 */
export function finalInputTokens(model: string, percentage: number | undefined, outputTokens: number, estimate: number): number {
  if (percentage === undefined || !(percentage > 0)) return estimate;
  return Math.max(0, Math.round((contextWindowOf(model) * percentage) / 100) - outputTokens);
}
