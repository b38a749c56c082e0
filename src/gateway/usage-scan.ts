import { decodeClaudeUsage } from '../protocols/claude/claude-mappings.js';
import { decodeGeminiUsage } from '../protocols/gemini/gemini-mappings.js';
import { decodeOpenAIUsage } from '../protocols/openai-chat/openai-chat-mappings.js';
import type { Usage } from '../protocols/canonical/types.js';
import type { ProtocolId } from '../protocols/protocol-id.js';

/**
 * Token counts read from upstream bytes that pass through untouched, without parsing whole bodies:
 * a native byte search finds the usage key, and only the usage object itself is parsed. In raw JSON a
 * key `"usage":` cannot come from inside a string (the quotes would be escaped), so a hit is a key.
 */
const USAGE_KEY = Buffer.from('"usage":');
const GEMINI_USAGE_KEY = Buffer.from('"usageMetadata":');
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function keyOf(protocol: ProtocolId): Buffer {
  return protocol === 'gemini' ? GEMINI_USAGE_KEY : USAGE_KEY;
}

/** Offset of the `{` opening the usage object after a key found at `at`, or -1 (e.g. `"usage":null`). */
function objectStart(buffer: Buffer, at: number, keyLength: number): number {
  let index = at + keyLength;
  while (index < buffer.length && (buffer[index] === 0x20 || buffer[index] === 0x0a || buffer[index] === 0x0d || buffer[index] === 0x09)) index += 1;
  return buffer[index] === OPEN_BRACE ? index : -1;
}

/** The JSON object starting at `start`, parsed; undefined when it is cut off or not JSON. */
function parseObjectAt(buffer: Buffer, start: number): Record<string, unknown> | undefined {
  let depth = 0;
  let inString = false;
  for (let index = start; index < buffer.length; index += 1) {
    const byte = buffer[index];
    if (inString) {
      if (byte === BACKSLASH) index += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE) depth += 1;
    else if (byte === CLOSE_BRACE) {
      depth -= 1;
      if (depth === 0) {
        try {
          return JSON.parse(buffer.toString('utf8', start, index + 1)) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

/** Maps one protocol's raw usage object to the canonical counts. */
export function decodeRawUsage(protocol: ProtocolId, raw: Record<string, unknown>): Usage | undefined {
  if (protocol === 'claude') return decodeClaudeUsage(raw);
  if (protocol === 'gemini') return decodeGeminiUsage(raw);
  if (protocol === 'openai-responses') {
    const input = raw.input_tokens_details as { cached_tokens?: unknown } | undefined;
    const output = raw.output_tokens_details as { reasoning_tokens?: unknown } | undefined;
    return decodeOpenAIUsage({
      prompt_tokens: raw.input_tokens,
      completion_tokens: raw.output_tokens,
      total_tokens: raw.total_tokens,
      prompt_tokens_details: input && { cached_tokens: input.cached_tokens },
      completion_tokens_details: output && { reasoning_tokens: output.reasoning_tokens },
    });
  }
  return decodeOpenAIUsage(raw);
}

/** The usage object of a complete JSON answer, found from its end (where every protocol puts it). */
export function usageOfJsonBody(protocol: ProtocolId, body: Buffer): Usage | undefined {
  const key = keyOf(protocol);
  let at = body.lastIndexOf(key);
  while (at !== -1) {
    const start = objectStart(body, at, key.length);
    if (start !== -1) {
      const raw = parseObjectAt(body, start);
      return raw ? decodeRawUsage(protocol, raw) : undefined;
    }
    at = at === 0 ? -1 : body.lastIndexOf(key, at - 1);
  }
  return undefined;
}

/**
 * Watches SSE frames for usage objects. Claude splits usage over message_start (input, cache) and
 * message_delta (output), OpenAI and Gemini send it last: the first and the last usage objects are
 * merged, later keys winning, and decoded once at the end.
 */
export class StreamUsageScanner {
  private first: Record<string, unknown> | undefined;
  private last: Record<string, unknown> | undefined;
  private readonly key: Buffer;

  constructor(private readonly protocol: ProtocolId) {
    this.key = keyOf(protocol);
  }

  /** Looks at one frame; returns true when it carried a usage object. */
  frame(frame: Buffer): boolean {
    const at = frame.indexOf(this.key);
    if (at === -1) return false;
    const start = objectStart(frame, at, this.key.length);
    if (start === -1) return false;
    const raw = parseObjectAt(frame, start);
    if (!raw) return false;
    if (this.first === undefined) this.first = raw;
    else this.last = raw;
    return true;
  }

  result(): Usage | undefined {
    if (!this.first) return undefined;
    return decodeRawUsage(this.protocol, this.last ? { ...this.first, ...this.last } : this.first);
  }
}
