import { asArray, isRecord, optionalNumber, optionalString, parseJson } from '../canonical/json.js';
import { createId } from '../canonical/ids.js';
import { upstreamStreamError } from '../canonical/stream-collect.js';
import type { ContentPart, StreamDecoder, StreamEvent, Usage } from '../canonical/types.js';
import type { SseFrame } from '../sse/sse-frame-splitter.js';
import { decodeGeminiUsage, mapGeminiFinishReason } from './gemini-mappings.js';
import { decodeGeminiOutputPart, unwrapGeminiResponse } from './gemini-response.js';

/**
 * Gemini stream chunks -> canonical events. Consecutive text (or thought) parts across chunks form one
 * block; function calls arrive whole and become start/delta/end/tool-call at once. The finish is
 * emitted with the chunk carrying finishReason (Gemini puts the last text, the reason and the usage in
 * the same chunk).
 */
export function createGeminiStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let nextIndex = 0;
  let current: { kind: 'text' | 'reasoning'; index: number } | undefined;
  let usage: Usage | undefined;
  let sawToolCalls = false;

  function close(): StreamEvent[] {
    const open = current;
    current = undefined;
    if (!open) return [];
    return [{ type: open.kind === 'text' ? 'text-end' : 'reasoning-end', index: open.index }];
  }

  function partEvents(part: ContentPart): StreamEvent[] {
    const events: StreamEvent[] = [];
    switch (part.type) {
      case 'text':
      case 'reasoning': {
        const kind = part.type;
        const signature = part.providerMetadata;
        if (current?.kind !== kind || (kind === 'reasoning' && part.text === '' && signature)) {
          events.push(...close());
          current = { kind, index: nextIndex++ };
          events.push({ type: kind === 'text' ? 'text-start' : 'reasoning-start', index: current.index });
        }
        if (part.text !== '') events.push({ type: kind === 'text' ? 'text-delta' : 'reasoning-delta', index: current.index, delta: part.text });
        if (signature) {
          // The signature closes its thought (Gemini sends it on the last part of the thought).
          events.push({ type: kind === 'text' ? 'text-end' : 'reasoning-end', index: current.index, providerMetadata: signature });
          current = undefined;
        }
        return events;
      }
      case 'tool-call': {
        events.push(...close());
        sawToolCalls = true;
        const index = nextIndex++;
        const input = JSON.stringify(part.input);
        events.push(
          { type: 'tool-input-start', index, toolCallId: part.toolCallId, toolName: part.toolName },
          { type: 'tool-input-delta', index, delta: input },
          { type: 'tool-input-end', index },
          { type: 'tool-call', index, toolCallId: part.toolCallId, toolName: part.toolName, input },
        );
        return events;
      }
      case 'image': {
        events.push(...close());
        if (part.source.kind === 'base64') {
          events.push({ type: 'image', index: nextIndex++, mediaType: part.source.mediaType, data: part.source.data });
        }
        return events;
      }
      default:
        return events;
    }
  }

  function finish(raw: string | undefined): StreamEvent[] {
    finished = true;
    return [
      ...close(),
      {
        type: 'finish',
        reason: { unified: mapGeminiFinishReason(raw, sawToolCalls), ...(raw && { raw }) },
        usage: usage ?? { inputTokens: 0, outputTokens: 0 },
      },
    ];
  }

  function decodeChunk(body: Record<string, unknown>): StreamEvent[] {
    if (isRecord(body.error)) {
      finished = true;
      const status = optionalNumber(body.error.code) ?? 502;
      return [
        {
          type: 'error',
          error: upstreamStreamError(optionalString(body.error.message) ?? 'Upstream stream error', optionalString(body.error.status), status),
        },
      ];
    }
    const response = unwrapGeminiResponse(body) ?? {};
    const events: StreamEvent[] = [];
    if (!started) {
      started = true;
      events.push({
        type: 'message-start',
        id: optionalString(response.responseId) ?? createId('gen-'),
        model: optionalString(response.modelVersion) ?? '',
      });
    }
    const chunkUsage = decodeGeminiUsage(response.usageMetadata);
    if (chunkUsage && (chunkUsage.inputTokens > 0 || chunkUsage.outputTokens > 0)) usage = chunkUsage;
    const candidate = asArray(response.candidates).find(isRecord);
    const content = candidate && isRecord(candidate.content) ? candidate.content : {};
    for (const part of asArray(content.parts).flatMap(decodeGeminiOutputPart)) events.push(...partEvents(part));
    const reason = candidate ? optionalString(candidate.finishReason) : undefined;
    const blocked = isRecord(response.promptFeedback) ? optionalString(response.promptFeedback.blockReason) : undefined;
    if (reason !== undefined) events.push(...finish(reason));
    else if (blocked !== undefined) events.push(...finish('SAFETY'));
    return events;
  }

  return {
    decode(frame: SseFrame): StreamEvent[] {
      if (finished) return [];
      const body = parseJson(frame.data);
      if (Array.isArray(body)) return body.filter(isRecord).flatMap((item) => (finished ? [] : decodeChunk(item)));
      return isRecord(body) ? decodeChunk(body) : [];
    },
    end(): StreamEvent[] {
      if (finished) return [];
      if (started) return finish(undefined); // some Gemini backends end without a finishReason
      finished = true;
      return [{ type: 'error', error: upstreamStreamError('Upstream stream ended without any response') }];
    },
  };
}
