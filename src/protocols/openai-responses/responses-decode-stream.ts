import { isRecord, optionalNumber, optionalString, parseJson } from '../canonical/json.js';
import { createId, createShortId } from '../canonical/ids.js';
import { upstreamStreamError } from '../canonical/stream-collect.js';
import type { StreamDecoder, StreamEvent, Usage } from '../canonical/types.js';
import type { SseFrame } from '../sse/sse-frame-splitter.js';
import { decodeResponsesUsage, mapResponsesStatus } from './responses-mappings.js';
import { reasoningMetadata, reasoningText } from './responses-response.js';

type Item =
  | { kind: 'reasoning'; index: number; text: string; summaryParts: number }
  | { kind: 'message'; index: number | undefined }
  | { kind: 'tool'; index: number; id: string; name: string; args: string; custom: boolean };

/** OpenAI Responses SSE events -> canonical events, one canonical block per output item. */
export function createResponsesStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let nextIndex = 0;
  let sawToolCalls = false;
  const items = new Map<number, Item>();

  function start(response: unknown): StreamEvent[] {
    if (started) return [];
    started = true;
    const body = isRecord(response) ? response : {};
    return [{ type: 'message-start', id: optionalString(body.id) ?? createId('resp_'), model: optionalString(body.model) ?? '' }];
  }

  function openItem(outputIndex: number, item: Record<string, unknown>): StreamEvent[] {
    switch (item.type) {
      case 'reasoning': {
        const index = nextIndex++;
        items.set(outputIndex, { kind: 'reasoning', index, text: '', summaryParts: 0 });
        return [{ type: 'reasoning-start', index }];
      }
      case 'message':
        items.set(outputIndex, { kind: 'message', index: undefined });
        return [];
      case 'function_call':
      case 'custom_tool_call': {
        const index = nextIndex++;
        const custom = item.type === 'custom_tool_call';
        const tool: Item = {
          kind: 'tool',
          index,
          id: optionalString(item.call_id) ?? createShortId('call_'),
          name: optionalString(item.name) ?? '',
          args: '',
          custom,
        };
        items.set(outputIndex, tool);
        sawToolCalls = true;
        return [{ type: 'tool-input-start', index, toolCallId: tool.id, toolName: tool.name, ...(custom && { kind: 'custom' as const }) }];
      }
      default:
        return [];
    }
  }

  function textDelta(outputIndex: number, delta: string): StreamEvent[] {
    let item = items.get(outputIndex);
    if (!item) {
      item = { kind: 'message', index: undefined };
      items.set(outputIndex, item);
    }
    if (item.kind !== 'message' || delta === '') return [];
    const events: StreamEvent[] = [];
    if (item.index === undefined) {
      item.index = nextIndex++;
      events.push({ type: 'text-start', index: item.index });
    }
    events.push({ type: 'text-delta', index: item.index, delta });
    return events;
  }

  function closeItem(outputIndex: number, done: Record<string, unknown>): StreamEvent[] {
    const item = items.get(outputIndex);
    items.delete(outputIndex);
    if (!item) return [];
    switch (item.kind) {
      case 'reasoning': {
        const events: StreamEvent[] = [];
        const full = reasoningText(done);
        // Summaries that were not streamed (Codex sends some only in the done item) are not lost.
        if (full.startsWith(item.text) && full.length > item.text.length) {
          events.push({ type: 'reasoning-delta', index: item.index, delta: full.slice(item.text.length) });
        }
        const metadata = reasoningMetadata(done);
        events.push({ type: 'reasoning-end', index: item.index, ...(metadata && { providerMetadata: metadata }) });
        return events;
      }
      case 'message':
        return item.index === undefined ? [] : [{ type: 'text-end', index: item.index }];
      case 'tool': {
        const finalArgs = item.custom ? JSON.stringify({ input: optionalString(done.input) ?? item.args }) : (optionalString(done.arguments) ?? item.args);
        return [
          { type: 'tool-input-end', index: item.index },
          {
            type: 'tool-call',
            index: item.index,
            toolCallId: item.id,
            toolName: item.name,
            input: finalArgs || '{}',
            ...(item.custom && { kind: 'custom' as const }),
          },
        ];
      }
    }
  }

  function finish(response: unknown): StreamEvent[] {
    finished = true;
    const body = isRecord(response) ? response : {};
    const events: StreamEvent[] = [];
    for (const outputIndex of [...items.keys()]) events.push(...closeItem(outputIndex, {}));
    const status = optionalString(body.status);
    const reason = isRecord(body.incomplete_details) ? optionalString(body.incomplete_details.reason) : undefined;
    const usage: Usage = decodeResponsesUsage(body.usage) ?? { inputTokens: 0, outputTokens: 0 };
    events.push({
      type: 'finish',
      reason: { unified: mapResponsesStatus(status, reason, sawToolCalls), ...(status && { raw: reason ?? status }) },
      usage,
    });
    return events;
  }

  function decodeEvent(data: Record<string, unknown>): StreamEvent[] {
    const outputIndex = optionalNumber(data.output_index) ?? 0;
    switch (data.type) {
      case 'response.created':
      case 'response.in_progress':
        return start(data.response);
      case 'response.output_item.added':
        return [...start(undefined), ...(isRecord(data.item) ? openItem(outputIndex, data.item) : [])];
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        return [...start(undefined), ...textDelta(outputIndex, optionalString(data.delta) ?? '')];
      case 'response.reasoning_summary_part.added': {
        const item = items.get(outputIndex);
        if (item?.kind !== 'reasoning') return [];
        item.summaryParts += 1;
        if (item.summaryParts > 1 && item.text !== '') {
          item.text += '\n\n';
          return [{ type: 'reasoning-delta', index: item.index, delta: '\n\n' }];
        }
        return [];
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        const item = items.get(outputIndex);
        const delta = optionalString(data.delta) ?? '';
        if (item?.kind !== 'reasoning' || delta === '') return [];
        item.text += delta;
        return [{ type: 'reasoning-delta', index: item.index, delta }];
      }
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta': {
        const item = items.get(outputIndex);
        const delta = optionalString(data.delta) ?? '';
        if (item?.kind !== 'tool' || delta === '') return [];
        item.args += delta;
        return item.custom ? [] : [{ type: 'tool-input-delta', index: item.index, delta }];
      }
      case 'response.output_item.done':
        return closeItem(outputIndex, isRecord(data.item) ? data.item : {});
      case 'response.completed':
      case 'response.incomplete':
        return [...start(data.response), ...finish(data.response)];
      case 'response.failed': {
        finished = true;
        const response = isRecord(data.response) ? data.response : {};
        const error = isRecord(response.error) ? response.error : {};
        return [{ type: 'error', error: upstreamStreamError(optionalString(error.message) ?? 'Upstream response failed', optionalString(error.code)) }];
      }
      case 'error': {
        finished = true;
        const error = isRecord(data.error) ? data.error : data;
        return [
          {
            type: 'error',
            error: upstreamStreamError(optionalString(error.message) ?? 'Upstream stream error', optionalString(error.code) ?? optionalString(error.type)),
          },
        ];
      }
      default:
        return [];
    }
  }

  return {
    decode(frame: SseFrame): StreamEvent[] {
      if (finished) return [];
      const data = parseJson(frame.data);
      if (!isRecord(data)) return [];
      if (data.type === undefined && frame.event) data.type = frame.event;
      return decodeEvent(data);
    },
    end(): StreamEvent[] {
      if (finished) return [];
      finished = true;
      return [{ type: 'error', error: upstreamStreamError('Upstream stream ended before response.completed') }];
    },
  };
}
