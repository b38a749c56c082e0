import { GatewayError } from '../../errors/gateway-error.js';
import { parseToolArguments } from './json.js';
import { mergeMetadata } from './signatures.js';
import type { CanonicalResponse, ContentPart, ProviderMetadata, StreamEvent, Usage } from './types.js';

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0 };
}

/** Total tokens, computed when the backend did not say. */
export function totalTokens(usage: Usage): number {
  return usage.totalTokens ?? usage.inputTokens + usage.outputTokens;
}

/**
 * Folds a canonical stream into one response, for a client that asked for a plain JSON answer from a
 * backend that streamed. Throws the stream's error event if one came.
 */
export function collectStream(events: Iterable<StreamEvent>): CanonicalResponse {
  const response: CanonicalResponse = {
    id: '',
    model: '',
    content: [],
    finishReason: { unified: 'stop' },
    usage: emptyUsage(),
  };
  const blocks = new Map<number, { part: ContentPart; args: string }>();
  const order: number[] = [];
  let startUsage: Partial<Usage> | undefined;
  const open = (index: number, part: ContentPart): void => {
    if (!blocks.has(index)) order.push(index);
    blocks.set(index, { part, args: '' });
  };
  for (const event of events) {
    switch (event.type) {
      case 'message-start':
        response.id = event.id;
        response.model = event.model;
        startUsage = event.usage;
        break;
      case 'text-start':
        open(event.index, { type: 'text', text: '', ...(event.providerMetadata && { providerMetadata: event.providerMetadata }) });
        break;
      case 'reasoning-start':
        open(event.index, {
          type: 'reasoning',
          text: '',
          ...(event.providerMetadata && { providerMetadata: event.providerMetadata }),
        });
        break;
      case 'text-delta':
      case 'reasoning-delta': {
        const block = blocks.get(event.index);
        if (block && (block.part.type === 'text' || block.part.type === 'reasoning')) block.part.text += event.delta;
        break;
      }
      case 'text-end':
      case 'reasoning-end': {
        const block = blocks.get(event.index);
        if (block && event.providerMetadata && (block.part.type === 'text' || block.part.type === 'reasoning')) {
          block.part.providerMetadata = mergeMetadata(block.part.providerMetadata, event.providerMetadata);
        }
        break;
      }
      case 'tool-input-start':
        open(event.index, {
          type: 'tool-call',
          toolCallId: event.toolCallId,
          toolName: event.toolName,
          input: {},
          ...(event.kind && { kind: event.kind }),
          ...(event.providerMetadata && { providerMetadata: event.providerMetadata }),
        });
        break;
      case 'tool-input-delta': {
        const block = blocks.get(event.index);
        if (block) block.args += event.delta;
        break;
      }
      case 'tool-call': {
        const block = blocks.get(event.index);
        const part: ContentPart = {
          type: 'tool-call',
          toolCallId: event.toolCallId,
          toolName: event.toolName,
          input: parseToolArguments(event.input),
          ...(event.kind && { kind: event.kind }),
          ...(event.providerMetadata && { providerMetadata: event.providerMetadata }),
        };
        if (block) block.part = part;
        else open(event.index, part);
        break;
      }
      case 'image':
        open(event.index, {
          type: 'image',
          source: { kind: 'base64', mediaType: event.mediaType, data: event.data },
          ...(event.providerMetadata && { providerMetadata: event.providerMetadata }),
        });
        break;
      case 'finish':
        response.finishReason = event.reason;
        response.usage = { ...event.usage };
        if (startUsage?.inputTokens && !event.usage.inputTokens) response.usage.inputTokens = startUsage.inputTokens;
        if (event.stopSequence !== undefined) response.stopSequence = event.stopSequence;
        if (event.providerMetadata) response.providerMetadata = event.providerMetadata;
        break;
      case 'error':
        throw event.error;
      default:
        break;
    }
  }
  for (const index of order) {
    const block = blocks.get(index);
    if (!block) continue;
    if (block.part.type === 'tool-call' && Object.keys(block.part.input).length === 0 && block.args !== '') {
      block.part.input = parseToolArguments(block.args);
    }
    response.content.push(block.part);
  }
  return response;
}

/** Replays a complete response as a canonical stream, for a streaming client on a non-streamed answer. */
export function responseToStreamEvents(response: CanonicalResponse): StreamEvent[] {
  const events: StreamEvent[] = [{ type: 'message-start', id: response.id, model: response.model }];
  response.content.forEach((part, index) => {
    const metadata = (value: ProviderMetadata | undefined) => (value ? { providerMetadata: value } : {});
    switch (part.type) {
      case 'text':
        events.push({ type: 'text-start', index }, { type: 'text-delta', index, delta: part.text });
        events.push({ type: 'text-end', index, ...metadata(part.providerMetadata) });
        break;
      case 'reasoning':
        events.push({ type: 'reasoning-start', index, ...metadata(part.providerMetadata) });
        if (part.text) events.push({ type: 'reasoning-delta', index, delta: part.text });
        events.push({ type: 'reasoning-end', index, ...metadata(part.providerMetadata) });
        break;
      case 'tool-call': {
        const input = JSON.stringify(part.input);
        const common = { index, toolCallId: part.toolCallId, toolName: part.toolName, ...(part.kind && { kind: part.kind }) };
        events.push({ type: 'tool-input-start', ...common, ...metadata(part.providerMetadata) });
        events.push({ type: 'tool-input-delta', index, delta: input }, { type: 'tool-input-end', index });
        events.push({ type: 'tool-call', ...common, input, ...metadata(part.providerMetadata) });
        break;
      }
      case 'image':
        if (part.source.kind === 'base64') {
          events.push({ type: 'image', index, mediaType: part.source.mediaType, data: part.source.data });
        }
        break;
      default:
        break;
    }
  });
  events.push({
    type: 'finish',
    reason: response.finishReason,
    usage: response.usage,
    ...(response.stopSequence !== undefined && { stopSequence: response.stopSequence }),
  });
  return events;
}

/** An in-stream error that is the backend's fault (used by decoders for upstream error frames). */
export function upstreamStreamError(message: string, upstreamType?: string, status = 502): GatewayError {
  return new GatewayError('upstream_stream_error', status === 529 ? 'overloaded' : 'upstream', message, {
    status,
    scope: 'request',
    ...(upstreamType !== undefined && { upstreamType }),
  });
}
