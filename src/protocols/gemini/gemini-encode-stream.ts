import type { GatewayError } from '../../errors/gateway-error.js';
import { geminiErrorBody } from '../error-bodies.js';
import { createId } from '../canonical/ids.js';
import { parseToolArguments } from '../canonical/json.js';
import { signatureForClient } from '../canonical/signatures.js';
import { toClientToolName } from '../canonical/tool-names.js';
import type { CanonicalRequest, StreamEncoder, StreamEncoderOptions, StreamEvent } from '../canonical/types.js';
import { encodeGeminiUsage, toGeminiFinishReason } from './gemini-mappings.js';

/**
 * Canonical events -> Gemini stream chunks, as SSE (`alt=sse`) or as the JSON array Google serves
 * without it. Each chunk carries the parts of one event; the last chunk always has finishReason and
 * usageMetadata, which Gemini CLI requires.
 */
export function createGeminiStreamEncoder(request: CanonicalRequest, options: StreamEncoderOptions = {}): StreamEncoder {
  const format = options.format ?? 'sse';
  let responseId = createId('gen-');
  let model = request.model;
  let chunks = 0;
  let finished = false;
  let closed = false;
  let pendingSignature: string | undefined;
  const reasoningText = new Map<number, boolean>();

  function write(payload: unknown): string {
    const json = JSON.stringify(payload);
    chunks += 1;
    if (format === 'sse') return `data: ${json}\n\n`;
    return chunks === 1 ? `[${json}` : `,\r\n${json}`;
  }

  function chunk(parts: Record<string, unknown>[], extra: Record<string, unknown> = {}): string {
    const first = parts[0];
    if (first && pendingSignature !== undefined) {
      first.thoughtSignature = pendingSignature;
      pendingSignature = undefined;
    }
    return write({
      candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }],
      modelVersion: model,
      responseId,
    });
  }

  return {
    encode(event: StreamEvent): string {
      if (finished) return '';
      switch (event.type) {
        case 'message-start':
          if (chunks === 0) {
            responseId = event.id || responseId;
            model = event.model || model;
          }
          return '';
        case 'text-delta':
          return event.delta === '' ? '' : chunk([{ text: event.delta }]);
        case 'reasoning-delta':
          reasoningText.set(event.index, true);
          return event.delta === '' ? '' : chunk([{ text: event.delta, thought: true }]);
        case 'reasoning-end': {
          const signature = signatureForClient(event.providerMetadata, 'gemini');
          if (signature === undefined) return '';
          if (!reasoningText.get(event.index)) {
            pendingSignature = signature; // a signature-only block belongs to the next part
            return '';
          }
          return chunk([{ text: '', thought: true, thoughtSignature: signature }]);
        }
        case 'tool-call':
          return chunk([{ functionCall: { id: event.toolCallId, name: toClientToolName(request, event.toolName), args: parseToolArguments(event.input) } }]);
        case 'image':
          return chunk([{ inlineData: { mimeType: event.mediaType, data: event.data } }]);
        case 'finish': {
          finished = true;
          const part: Record<string, unknown> = { text: '' };
          if (pendingSignature !== undefined) part.thoughtSignature = pendingSignature;
          return write({
            candidates: [{ content: { role: 'model', parts: [part] }, finishReason: toGeminiFinishReason(event.reason), index: 0 }],
            usageMetadata: encodeGeminiUsage(event.usage),
            modelVersion: model,
            responseId,
          });
        }
        case 'error':
          return this.error(event.error);
        default:
          return '';
      }
    },
    error(error: GatewayError): string {
      if (finished) return '';
      finished = true;
      return write(geminiErrorBody(error));
    },
    end(): string {
      let text = '';
      if (!finished) {
        finished = true;
        text += write({
          candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: encodeGeminiUsage({ inputTokens: 0, outputTokens: 0 }),
          modelVersion: model,
          responseId,
        });
      }
      if (format === 'json-array' && !closed) {
        closed = true;
        text += chunks === 0 ? '[]' : ']';
      }
      return text;
    },
  };
}
