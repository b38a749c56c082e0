import { asArray, invalidUpstream, isRecord, optionalString, type JsonObject } from '../canonical/json.js';
import { createId } from '../canonical/ids.js';
import { signatureForClient, signatureMetadata } from '../canonical/signatures.js';
import { toClientToolName } from '../canonical/tool-names.js';
import type { CanonicalRequest, CanonicalResponse, ContentPart } from '../canonical/types.js';
import { decodeClaudeUsage, encodeClaudeUsage, mapClaudeStopReason, toClaudeStopReason } from './claude-mappings.js';

function decodeOutputBlock(block: unknown): ContentPart | undefined {
  if (!isRecord(block)) return undefined;
  switch (block.type) {
    case 'text':
      return { type: 'text', text: optionalString(block.text) ?? '' };
    case 'thinking': {
      const signature = optionalString(block.signature);
      return {
        type: 'reasoning',
        text: optionalString(block.thinking) ?? '',
        ...(signature && { providerMetadata: signatureMetadata('claude', signature) }),
      };
    }
    case 'redacted_thinking':
      return { type: 'reasoning', text: '', providerMetadata: { claude: { redactedData: block.data } } };
    case 'tool_use':
      return {
        type: 'tool-call',
        toolCallId: optionalString(block.id) ?? createId('toolu_'),
        toolName: optionalString(block.name) ?? '',
        input: isRecord(block.input) ? block.input : {},
      };
    default:
      return undefined;
  }
}

/** Claude Messages response -> canonical. */
export function decodeClaudeResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body)) throw invalidUpstream('Claude response is not a JSON object');
  const stopReason = optionalString(body.stop_reason);
  const stopSequence = optionalString(body.stop_sequence);
  return {
    id: optionalString(body.id) ?? createId('msg_'),
    model: optionalString(body.model) ?? '',
    content: asArray(body.content)
      .map(decodeOutputBlock)
      .filter((part) => part !== undefined),
    finishReason: { unified: mapClaudeStopReason(stopReason), ...(stopReason && { raw: stopReason }) },
    ...(stopSequence !== undefined && { stopSequence }),
    usage: decodeClaudeUsage(body.usage),
  };
}

function encodeOutputPart(part: ContentPart, request: CanonicalRequest): JsonObject | undefined {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'reasoning': {
      const redacted = part.providerMetadata?.claude?.redactedData;
      if (typeof redacted === 'string') return { type: 'redacted_thinking', data: redacted };
      const signature = signatureForClient(part.providerMetadata, 'claude');
      return { type: 'thinking', thinking: part.text, signature: signature ?? '' };
    }
    case 'tool-call':
      return { type: 'tool_use', id: part.toolCallId, name: toClientToolName(request, part.toolName), input: part.input };
    default:
      return undefined;
  }
}

export function claudeMessageId(id: string): string {
  return id.startsWith('msg_') ? id : createId('msg_');
}

/** Canonical response -> Claude Messages response body. */
export function encodeClaudeResponse(response: CanonicalResponse, request: CanonicalRequest): unknown {
  const content = response.content.map((part) => encodeOutputPart(part, request)).filter((block) => block !== undefined);
  const hasToolCalls = response.content.some((part) => part.type === 'tool-call');
  const stopReason = toClaudeStopReason(response.finishReason, hasToolCalls, response.stopSequence);
  return {
    id: claudeMessageId(response.id),
    type: 'message',
    role: 'assistant',
    model: response.model || request.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? (response.stopSequence ?? null) : null,
    usage: encodeClaudeUsage(response.usage),
  };
}
