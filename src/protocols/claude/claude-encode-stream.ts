import type { GatewayError } from '../../errors/gateway-error.js';
import { claudeErrorBody } from '../error-bodies.js';
import { createId } from '../canonical/ids.js';
import { signatureForClient } from '../canonical/signatures.js';
import { toClientToolName } from '../canonical/tool-names.js';
import type { CanonicalRequest, StreamEncoder, StreamEvent, Usage } from '../canonical/types.js';
import { encodeClaudeUsage, toClaudeStopReason } from './claude-mappings.js';
import { claudeMessageId } from './claude-response.js';

function frame(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

type OpenBlock = {
  claudeIndex: number;
  kind: 'text' | 'thinking' | 'tool';
  canonicalIndex: number;
  sentArguments: boolean;
};

/**
 * Canonical events -> Claude Messages SSE. Blocks are opened lazily and closed in order (Claude has one
 * open block at a time), with Claude's own running index; message_delta waits for the finish so that
 * usage that arrives late (OpenAI's trailing usage chunk) is still reported.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createClaudeStreamEncoder(request: CanonicalRequest): StreamEncoder {
  let started = false;
  let done = false;
  let nextIndex = 0;
  let current: OpenBlock | undefined;
  let sawToolCall = false;
  const kinds = new Map<number, OpenBlock['kind']>();

  function start(id?: string, model?: string, usage?: Partial<Usage>): string {
    if (started) return '';
    started = true;
    return frame('message_start', {
      message: {
        id: claudeMessageId(id ?? createId('msg_')),
        type: 'message',
        role: 'assistant',
        model: model || request.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: encodeClaudeUsage({ inputTokens: 0, outputTokens: 0, ...usage }),
      },
    });
  }

  function close(): string {
    if (!current) return '';
    const index = current.claudeIndex;
    current = undefined;
    return frame('content_block_stop', { index });
  }

  function open(kind: OpenBlock['kind'], canonicalIndex: number, contentBlock: Record<string, unknown>): string {
    const text = start() + close();
    current = { claudeIndex: nextIndex, kind, canonicalIndex, sentArguments: false };
    kinds.set(canonicalIndex, kind);
    nextIndex += 1;
    return text + frame('content_block_start', { index: current.claudeIndex, content_block: contentBlock });
  }

  /** Makes sure the block for a delta is the open one; a text or thinking block interrupted earlier is reopened. */
  function ensure(kind: 'text' | 'thinking', canonicalIndex: number): string {
    if (current && current.canonicalIndex === canonicalIndex) return '';
    return kind === 'text'
      ? open('text', canonicalIndex, { type: 'text', text: '' })
      : open('thinking', canonicalIndex, { type: 'thinking', thinking: '', signature: '' });
  }

  function delta(delta: Record<string, unknown>): string {
    return current ? frame('content_block_delta', { index: current.claudeIndex, delta }) : '';
  }

  return {
    encode(event: StreamEvent): string {
      if (done) return '';
      switch (event.type) {
        case 'message-start':
          return start(event.id, event.model, event.usage);
        case 'text-start':
          return open('text', event.index, { type: 'text', text: '' });
        case 'text-delta':
          return event.delta === '' ? '' : ensure('text', event.index) + delta({ type: 'text_delta', text: event.delta });
        case 'text-end':
          return current?.canonicalIndex === event.index ? close() : '';
        case 'reasoning-start': {
          const redacted = event.providerMetadata?.claude?.redactedData;
          if (typeof redacted === 'string') return open('thinking', event.index, { type: 'redacted_thinking', data: redacted });
          return open('thinking', event.index, { type: 'thinking', thinking: '', signature: '' });
        }
        case 'reasoning-delta':
          return event.delta === '' ? '' : ensure('thinking', event.index) + delta({ type: 'thinking_delta', thinking: event.delta });
        case 'reasoning-end': {
          if (current?.canonicalIndex !== event.index) return '';
          const signature = signatureForClient(event.providerMetadata, 'claude');
          const text = signature ? delta({ type: 'signature_delta', signature }) : '';
          return text + close();
        }
        case 'tool-input-start':
          sawToolCall = true;
          return open('tool', event.index, { type: 'tool_use', id: event.toolCallId, name: toClientToolName(request, event.toolName), input: {} });
        case 'tool-input-delta': {
          // Arguments for a tool block that is no longer open cannot be placed in Claude's stream.
          if (current?.canonicalIndex !== event.index || event.delta === '') return '';
          current.sentArguments = true;
          return delta({ type: 'input_json_delta', partial_json: event.delta });
        }
        case 'tool-input-end':
          return '';
        case 'tool-call': {
          sawToolCall = true;
          let text = '';
          if (!kinds.has(event.index)) {
            text += open('tool', event.index, { type: 'tool_use', id: event.toolCallId, name: toClientToolName(request, event.toolName), input: {} });
          }
          if (current?.canonicalIndex === event.index) {
            if (!current.sentArguments && event.input !== '' && event.input !== '{}') {
              text += delta({ type: 'input_json_delta', partial_json: event.input });
            }
            text += close();
          }
          return text;
        }
        case 'image':
          return '';
        case 'finish': {
          done = true;
          const stopReason = toClaudeStopReason(event.reason, sawToolCall, event.stopSequence);
          return (
            start() +
            close() +
            frame('message_delta', {
              delta: {
                stop_reason: stopReason,
                stop_sequence: stopReason === 'stop_sequence' ? (event.stopSequence ?? null) : null,
              },
              usage: encodeClaudeUsage(event.usage),
            }) +
            frame('message_stop', {})
          );
        }
        case 'error':
          return this.error(event.error);
      }
    },
    error(error: GatewayError): string {
      if (done) return '';
      done = true;
      return `event: error\ndata: ${JSON.stringify(claudeErrorBody(error))}\n\n`;
    },
    end(): string {
      if (done) return '';
      done = true;
      return (
        start() +
        close() +
        frame('message_delta', {
          delta: { stop_reason: sawToolCall ? 'tool_use' : 'end_turn', stop_sequence: null },
          usage: { output_tokens: 0 },
        }) +
        frame('message_stop', {})
      );
    },
  };
}
