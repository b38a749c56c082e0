import { asArray, invalidUpstream, isRecord, optionalNumber, optionalString, parseToolArguments, type JsonObject } from '../canonical/json.js';
import { createId, createShortId, nowSeconds } from '../canonical/ids.js';
import { signatureForClient } from '../canonical/signatures.js';
import type { CanonicalRequest, CanonicalResponse, ContentPart, ProviderMetadata } from '../canonical/types.js';
import { decodeResponsesUsage, describeToolCall, encodeResponsesUsage, mapResponsesStatus, toResponsesStatus } from './responses-mappings.js';

export function reasoningMetadata(item: JsonObject): ProviderMetadata | undefined {
  const encrypted = optionalString(item.encrypted_content);
  const id = optionalString(item.id);
  if (encrypted === undefined && id === undefined) return undefined;
  return { 'openai-responses': { ...(encrypted !== undefined && { encryptedContent: encrypted }), ...(id !== undefined && { itemId: id }) } };
}

export function reasoningText(item: JsonObject): string {
  const summary = asArray(item.summary).map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''));
  if (summary.some((text) => text !== '')) return summary.filter((text) => text !== '').join('\n\n');
  return asArray(item.content)
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/** One Responses output item -> canonical parts. */
export function decodeOutputItem(item: unknown): ContentPart[] {
  if (!isRecord(item)) return [];
  switch (item.type) {
    case 'reasoning': {
      const metadata = reasoningMetadata(item);
      return [{ type: 'reasoning', text: reasoningText(item), ...(metadata && { providerMetadata: metadata }) }];
    }
    case 'message':
      return asArray(item.content).flatMap((part): ContentPart[] => {
        if (!isRecord(part)) return [];
        if (part.type === 'output_text' && typeof part.text === 'string') return [{ type: 'text', text: part.text }];
        if (part.type === 'refusal' && typeof part.refusal === 'string') return [{ type: 'text', text: part.refusal }];
        return [];
      });
    case 'function_call':
      return [
        {
          type: 'tool-call',
          toolCallId: optionalString(item.call_id) ?? createShortId('call_'),
          toolName: optionalString(item.name) ?? '',
          input: parseToolArguments(item.arguments),
        },
      ];
    case 'custom_tool_call':
      return [
        {
          type: 'tool-call',
          toolCallId: optionalString(item.call_id) ?? createShortId('call_'),
          toolName: optionalString(item.name) ?? '',
          kind: 'custom',
          input: { input: optionalString(item.input) ?? '' },
        },
      ];
    default:
      return [];
  }
}

/** OpenAI Responses response -> canonical. */
export function decodeResponsesResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body)) throw invalidUpstream('Responses API response is not a JSON object');
  const content = asArray(body.output).flatMap(decodeOutputItem);
  const status = optionalString(body.status);
  const reason = isRecord(body.incomplete_details) ? optionalString(body.incomplete_details.reason) : undefined;
  const created = optionalNumber(body.created_at);
  return {
    id: optionalString(body.id) ?? createId('resp_'),
    model: optionalString(body.model) ?? '',
    content,
    finishReason: {
      unified: mapResponsesStatus(
        status,
        reason,
        content.some((part) => part.type === 'tool-call'),
      ),
      ...(status && { raw: reason ?? status }),
    },
    usage: decodeResponsesUsage(body.usage) ?? { inputTokens: 0, outputTokens: 0 },
    ...(created !== undefined && { created }),
  };
}

export function responseId(id: string): string {
  return id.startsWith('resp_') ? id : createShortId('resp_', 24);
}

/** Canonical part -> Responses output item (ids minted for items the backend did not name). */
export function encodeOutputItem(part: ContentPart, request: CanonicalRequest): JsonObject | undefined {
  switch (part.type) {
    case 'reasoning': {
      const encrypted = signatureForClient(part.providerMetadata, 'openai-responses');
      const itemId = part.providerMetadata?.['openai-responses']?.itemId;
      return {
        id: typeof itemId === 'string' ? itemId : createShortId('rs_', 24),
        type: 'reasoning',
        summary: part.text === '' ? [] : [{ type: 'summary_text', text: part.text }],
        ...(encrypted !== undefined && { encrypted_content: encrypted }),
      };
    }
    case 'text':
      return {
        id: createShortId('msg_', 24),
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: part.text, annotations: [], logprobs: [] }],
      };
    case 'tool-call': {
      const described = describeToolCall(request, part.toolName);
      const namespace = described.namespace ? { namespace: described.namespace } : {};
      if (described.kind === 'custom' || part.kind === 'custom') {
        return {
          id: createShortId('ctc_', 24),
          type: 'custom_tool_call',
          status: 'completed',
          call_id: part.toolCallId,
          name: described.name,
          input: typeof part.input.input === 'string' ? part.input.input : JSON.stringify(part.input),
          ...namespace,
        };
      }
      return {
        id: createShortId('fc_', 24),
        type: 'function_call',
        status: 'completed',
        call_id: part.toolCallId,
        name: described.name,
        arguments: JSON.stringify(part.input),
        ...namespace,
      };
    }
    default:
      return undefined;
  }
}

/** The response object shared by the JSON answer and the stream's created/completed events. */
export function responseEnvelope(id: string, model: string, created: number, request: CanonicalRequest): JsonObject {
  return {
    id,
    object: 'response',
    created_at: created,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: request.maxOutputTokens ?? null,
    model,
    output: [],
    parallel_tool_calls: request.parallelToolCalls ?? true,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: request.providerMetadata?.['openai-responses']?.store ?? false,
    temperature: request.temperature ?? null,
    tool_choice: 'auto',
    tools: [],
    top_p: request.topP ?? null,
    usage: null,
  };
}

/** Canonical response -> OpenAI Responses body. */
export function encodeResponsesResponse(response: CanonicalResponse, request: CanonicalRequest): unknown {
  const output: JsonObject[] = [];
  let text: { part: ContentPart; item: JsonObject } | undefined;
  for (const part of response.content) {
    // Adjacent text parts form one message item.
    if (part.type === 'text' && text) {
      const content = (text.item.content as JsonObject[])[0];
      if (content) content.text = `${String(content.text)}${part.text}`;
      continue;
    }
    const item = encodeOutputItem(part, request);
    if (!item) continue;
    text = part.type === 'text' ? { part, item } : undefined;
    output.push(item);
  }
  return {
    ...responseEnvelope(responseId(response.id), response.model || request.model, response.created ?? nowSeconds(), request),
    ...toResponsesStatus(response.finishReason),
    output,
    usage: encodeResponsesUsage(response.usage),
  };
}
