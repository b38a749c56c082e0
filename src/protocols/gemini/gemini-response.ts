import { asArray, invalidUpstream, isRecord, optionalString, type JsonObject } from '../canonical/json.js';
import { createId, createShortId } from '../canonical/ids.js';
import { signatureForClient, signatureMetadata } from '../canonical/signatures.js';
import { toClientToolName } from '../canonical/tool-names.js';
import type { CanonicalRequest, CanonicalResponse, ContentPart } from '../canonical/types.js';
import { decodeGeminiUsage, encodeGeminiUsage, mapGeminiFinishReason, toGeminiFinishReason } from './gemini-mappings.js';

/** Code Assist wraps each response in {response, traceId}; plain Gemini does not. */
export function unwrapGeminiResponse(body: unknown): JsonObject | undefined {
  if (!isRecord(body)) return undefined;
  return isRecord(body.response) && body.candidates === undefined ? body.response : body;
}

/**
 * One Gemini part -> canonical parts. A thoughtSignature on a non-thought part becomes a signature-only
 * reasoning part placed just before it, so every client protocol can carry it and it returns to the
 * same position.
 */
export function decodeGeminiOutputPart(part: unknown): ContentPart[] {
  if (!isRecord(part)) return [];
  const signature = optionalString(part.thoughtSignature);
  const signatureOnly = (): ContentPart[] =>
    signature !== undefined ? [{ type: 'reasoning', text: '', providerMetadata: signatureMetadata('gemini', signature) }] : [];
  if (typeof part.text === 'string') {
    if (part.thought === true) {
      return [{ type: 'reasoning', text: part.text, ...(signature !== undefined && { providerMetadata: signatureMetadata('gemini', signature) }) }];
    }
    return [...signatureOnly(), ...(part.text === '' ? [] : [{ type: 'text' as const, text: part.text }])];
  }
  if (isRecord(part.functionCall)) {
    return [
      ...signatureOnly(),
      {
        type: 'tool-call',
        toolCallId: optionalString(part.functionCall.id) ?? createShortId('call_'),
        toolName: optionalString(part.functionCall.name) ?? '',
        input: isRecord(part.functionCall.args) ? part.functionCall.args : {},
      },
    ];
  }
  if (isRecord(part.inlineData)) {
    return [
      ...signatureOnly(),
      {
        type: 'image',
        source: {
          kind: 'base64',
          mediaType: optionalString(part.inlineData.mimeType) ?? 'image/png',
          data: optionalString(part.inlineData.data) ?? '',
        },
      },
    ];
  }
  return signatureOnly();
}

/** Gemini generateContent response -> canonical (first candidate). */
export function decodeGeminiResponse(body: unknown): CanonicalResponse {
  const response = unwrapGeminiResponse(body);
  if (!response) throw invalidUpstream('Gemini response is not a JSON object');
  const candidate = asArray(response.candidates).find(isRecord) ?? {};
  const content = isRecord(candidate.content) ? candidate.content : {};
  const parts = asArray(content.parts).flatMap(decodeGeminiOutputPart);
  const hasToolCalls = parts.some((part) => part.type === 'tool-call');
  let raw = optionalString(candidate.finishReason);
  const blocked = isRecord(response.promptFeedback) ? optionalString(response.promptFeedback.blockReason) : undefined;
  if (raw === undefined && blocked !== undefined) raw = 'SAFETY';
  return {
    id: optionalString(response.responseId) ?? createId('gen-'),
    model: optionalString(response.modelVersion) ?? '',
    content: parts,
    finishReason: { unified: mapGeminiFinishReason(raw, hasToolCalls), ...(raw && { raw }) },
    usage: decodeGeminiUsage(response.usageMetadata) ?? { inputTokens: 0, outputTokens: 0 },
  };
}

/** Canonical parts -> Gemini parts; a signature-only reasoning part moves onto the part after it. */
export function encodeGeminiOutputParts(parts: ContentPart[], request: CanonicalRequest): JsonObject[] {
  const encoded: JsonObject[] = [];
  let pending: string | undefined;
  const push = (part: JsonObject) => {
    if (pending !== undefined) {
      part.thoughtSignature = pending;
      pending = undefined;
    }
    encoded.push(part);
  };
  for (const part of parts) {
    switch (part.type) {
      case 'reasoning': {
        const signature = signatureForClient(part.providerMetadata, 'gemini');
        if (part.text === '') pending = signature ?? pending;
        else encoded.push({ text: part.text, thought: true, ...(signature !== undefined && { thoughtSignature: signature }) });
        break;
      }
      case 'text':
        push({ text: part.text });
        break;
      case 'tool-call':
        push({ functionCall: { id: part.toolCallId, name: toClientToolName(request, part.toolName), args: part.input } });
        break;
      case 'image':
        if (part.source.kind === 'base64') push({ inlineData: { mimeType: part.source.mediaType, data: part.source.data } });
        break;
      default:
        break;
    }
  }
  if (pending !== undefined) {
    const last = encoded.at(-1);
    if (last) last.thoughtSignature = pending;
    else encoded.push({ text: '', thoughtSignature: pending });
  }
  return encoded;
}

/** Canonical response -> Gemini generateContent response body. */
export function encodeGeminiResponse(response: CanonicalResponse, request: CanonicalRequest): unknown {
  const parts = encodeGeminiOutputParts(response.content, request);
  return {
    candidates: [
      {
        content: { role: 'model', parts: parts.length > 0 ? parts : [{ text: '' }] },
        finishReason: toGeminiFinishReason(response.finishReason),
        index: 0,
      },
    ],
    usageMetadata: encodeGeminiUsage(response.usage),
    modelVersion: response.model || request.model,
    responseId: response.id,
  };
}
