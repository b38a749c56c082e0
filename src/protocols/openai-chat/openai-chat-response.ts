import { asArray, invalidUpstream, isRecord, optionalString, parseToolArguments, type JsonObject } from '../canonical/json.js';
import { createId, nowSeconds } from '../canonical/ids.js';
import { toClientToolName } from '../canonical/tool-names.js';
import type { CanonicalRequest, CanonicalResponse, ContentPart } from '../canonical/types.js';
import { decodeOpenAIUsage, encodeOpenAIUsage, mapOpenAIFinishReason, toOpenAIFinishReason } from './openai-chat-mappings.js';

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/** OpenAI Chat Completions response -> canonical (first choice). */
export function decodeOpenAIChatResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body)) throw invalidUpstream('OpenAI response is not a JSON object');
  const choice = asArray(body.choices).find(isRecord) ?? {};
  const message = isRecord(choice.message) ? choice.message : {};
  const content: ContentPart[] = [];
  const reasoning = optionalString(message.reasoning_content) ?? optionalString(message.reasoning);
  if (reasoning) content.push({ type: 'reasoning', text: reasoning });
  const text = contentText(message.content);
  if (text !== '') content.push({ type: 'text', text });
  for (const call of asArray(message.tool_calls)) {
    if (!isRecord(call)) continue;
    const id = optionalString(call.id) ?? createId('call_');
    if (call.type === 'custom' && isRecord(call.custom)) {
      content.push({
        type: 'tool-call',
        toolCallId: id,
        toolName: optionalString(call.custom.name) ?? '',
        kind: 'custom',
        input: { input: call.custom.input ?? '' },
      });
      continue;
    }
    const fn = isRecord(call.function) ? call.function : {};
    content.push({
      type: 'tool-call',
      toolCallId: id,
      toolName: optionalString(fn.name) ?? '',
      input: parseToolArguments(fn.arguments),
    });
  }
  const finish = optionalString(choice.finish_reason);
  return {
    id: optionalString(body.id) ?? createId('chatcmpl-'),
    model: optionalString(body.model) ?? '',
    content,
    finishReason: { unified: mapOpenAIFinishReason(finish), ...(finish && { raw: finish }) },
    usage: decodeOpenAIUsage(body.usage) ?? { inputTokens: 0, outputTokens: 0 },
    ...(typeof body.created === 'number' && { created: body.created }),
  };
}

export function openaiCompletionId(id: string): string {
  return id.startsWith('chatcmpl') ? id : createId('chatcmpl-');
}

/** Canonical response -> OpenAI Chat Completions body. */
export function encodeOpenAIChatResponse(response: CanonicalResponse, request: CanonicalRequest): unknown {
  const text = response.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  const reasoning = response.content.map((part) => (part.type === 'reasoning' ? part.text : '')).join('');
  const toolCalls = response.content.flatMap((part) =>
    part.type === 'tool-call'
      ? [{ id: part.toolCallId, type: 'function', function: { name: toClientToolName(request, part.toolName), arguments: JSON.stringify(part.input) } }]
      : [],
  );
  const message: JsonObject = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: openaiCompletionId(response.id),
    object: 'chat.completion',
    created: response.created ?? nowSeconds(),
    model: response.model || request.model,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: toOpenAIFinishReason(response.finishReason, toolCalls.length > 0),
      },
    ],
    usage: encodeOpenAIUsage(response.usage),
  };
}
