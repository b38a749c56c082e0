import { isRecord, optionalNumber, optionalString, parseJson } from '../canonical/json.js';
import { createId } from '../canonical/ids.js';
import { signatureMetadata } from '../canonical/signatures.js';
import { upstreamStreamError } from '../canonical/stream-collect.js';
import type { StreamDecoder, StreamEvent, Usage } from '../canonical/types.js';
import type { SseFrame } from '../sse/sse-frame-splitter.js';
import { decodeClaudeUsage, mapClaudeStopReason } from './claude-mappings.js';

type OpenBlock = { kind: 'text' } | { kind: 'reasoning'; signature?: string } | { kind: 'tool'; id: string; name: string; args: string };

/** Claude Messages SSE -> canonical events. Claude block indexes are reused as canonical indexes. */
export function createClaudeStreamDecoder(): StreamDecoder {
  const blocks = new Map<number, OpenBlock>();
  let started = false;
  let finished = false;
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let stopReason: string | undefined;
  let stopSequence: string | undefined;

  function closeBlock(index: number): StreamEvent[] {
    const block = blocks.get(index);
    if (!block) return [];
    blocks.delete(index);
    switch (block.kind) {
      case 'text':
        return [{ type: 'text-end', index }];
      case 'reasoning':
        return [
          {
            type: 'reasoning-end',
            index,
            ...(block.signature && { providerMetadata: signatureMetadata('claude', block.signature) }),
          },
        ];
      case 'tool':
        return [
          { type: 'tool-input-end', index },
          { type: 'tool-call', index, toolCallId: block.id, toolName: block.name, input: block.args || '{}' },
        ];
    }
  }

  function finish(): StreamEvent[] {
    if (finished) return [];
    finished = true;
    const events: StreamEvent[] = [];
    for (const index of [...blocks.keys()]) events.push(...closeBlock(index));
    events.push({
      type: 'finish',
      reason: { unified: mapClaudeStopReason(stopReason), ...(stopReason && { raw: stopReason }) },
      usage,
      ...(stopSequence !== undefined && { stopSequence }),
    });
    return events;
  }

  function mergeUsage(value: unknown): void {
    if (!isRecord(value)) return;
    const next = decodeClaudeUsage({
      input_tokens: value.input_tokens ?? undefined,
      output_tokens: value.output_tokens ?? undefined,
      cache_read_input_tokens: value.cache_read_input_tokens ?? undefined,
      cache_creation_input_tokens: value.cache_creation_input_tokens ?? undefined,
    });
    // message_delta repeats only what changed; keep the input side from message_start when it is absent.
    if (optionalNumber(value.output_tokens) !== undefined) usage.outputTokens = next.outputTokens;
    if (optionalNumber(value.input_tokens) !== undefined) {
      usage = { ...usage, inputTokens: next.inputTokens };
      if (next.cacheReadTokens !== undefined) usage.cacheReadTokens = next.cacheReadTokens;
      if (next.cacheWriteTokens !== undefined) usage.cacheWriteTokens = next.cacheWriteTokens;
    }
  }

  function decodeEvent(data: Record<string, unknown>): StreamEvent[] {
    switch (data.type) {
      case 'message_start': {
        if (started) return [];
        started = true;
        const message = isRecord(data.message) ? data.message : {};
        usage = decodeClaudeUsage(message.usage);
        return [
          {
            type: 'message-start',
            id: optionalString(message.id) ?? createId('msg_'),
            model: optionalString(message.model) ?? '',
            usage: { ...usage },
          },
        ];
      }
      case 'content_block_start': {
        const index = optionalNumber(data.index) ?? blocks.size;
        const block = isRecord(data.content_block) ? data.content_block : {};
        const events = closeBlock(index);
        if (block.type === 'text') {
          blocks.set(index, { kind: 'text' });
          events.push({ type: 'text-start', index });
          const text = optionalString(block.text);
          if (text) events.push({ type: 'text-delta', index, delta: text });
        } else if (block.type === 'thinking') {
          blocks.set(index, { kind: 'reasoning' });
          events.push({ type: 'reasoning-start', index });
          const text = optionalString(block.thinking);
          if (text) events.push({ type: 'reasoning-delta', index, delta: text });
        } else if (block.type === 'redacted_thinking') {
          blocks.set(index, { kind: 'reasoning' });
          events.push({ type: 'reasoning-start', index, providerMetadata: { claude: { redactedData: block.data } } });
        } else if (block.type === 'tool_use') {
          const id = optionalString(block.id) ?? createId('toolu_');
          const name = optionalString(block.name) ?? '';
          const initial = isRecord(block.input) && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : '';
          blocks.set(index, { kind: 'tool', id, name, args: initial });
          events.push({ type: 'tool-input-start', index, toolCallId: id, toolName: name });
          if (initial) events.push({ type: 'tool-input-delta', index, delta: initial });
        }
        return events;
      }
      case 'content_block_delta': {
        const index = optionalNumber(data.index) ?? 0;
        const block = blocks.get(index);
        const delta = isRecord(data.delta) ? data.delta : {};
        if (!block) return [];
        if (delta.type === 'text_delta' && block.kind === 'text') {
          const text = optionalString(delta.text);
          return text ? [{ type: 'text-delta', index, delta: text }] : [];
        }
        if (delta.type === 'thinking_delta' && block.kind === 'reasoning') {
          const text = optionalString(delta.thinking);
          return text ? [{ type: 'reasoning-delta', index, delta: text }] : [];
        }
        if (delta.type === 'signature_delta' && block.kind === 'reasoning') {
          block.signature = (block.signature ?? '') + (optionalString(delta.signature) ?? '');
          return [];
        }
        if (delta.type === 'input_json_delta' && block.kind === 'tool') {
          const text = optionalString(delta.partial_json);
          if (!text) return [];
          block.args += text;
          return [{ type: 'tool-input-delta', index, delta: text }];
        }
        return [];
      }
      case 'content_block_stop':
        return closeBlock(optionalNumber(data.index) ?? 0);
      case 'message_delta': {
        const delta = isRecord(data.delta) ? data.delta : {};
        stopReason = optionalString(delta.stop_reason) ?? stopReason;
        stopSequence = optionalString(delta.stop_sequence) ?? stopSequence;
        mergeUsage(data.usage);
        return [];
      }
      case 'message_stop':
        return finish();
      case 'error': {
        const error = isRecord(data.error) ? data.error : {};
        finished = true;
        const type = optionalString(error.type);
        return [
          {
            type: 'error',
            error: upstreamStreamError(optionalString(error.message) ?? 'Upstream stream error', type, type === 'overloaded_error' ? 529 : 502),
          },
        ];
      }
      default:
        return []; // ping and future event types
    }
  }

  return {
    decode(frame: SseFrame): StreamEvent[] {
      const data = parseJson(frame.data);
      if (!isRecord(data) || finished) return [];
      if (data.type === undefined && frame.event) data.type = frame.event;
      return decodeEvent(data);
    },
    end(): StreamEvent[] {
      if (finished) return [];
      if (stopReason !== undefined) return finish();
      finished = true;
      return [{ type: 'error', error: upstreamStreamError('Upstream stream ended before the message was complete') }];
    },
  };
}
