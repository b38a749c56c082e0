import { toDataUrl, type JsonObject } from '../canonical/json.js';
import { effortOf, openaiEffort } from '../canonical/reasoning.js';
import type { CanonicalMessage, CanonicalRequest, CanonicalTool, ContentPart, MediaSource, ToolChoice, ToolResultPart } from '../canonical/types.js';
import { OPENAI_TOOL_NAMES, toBackendToolName } from '../canonical/tool-names.js';

const openaiName = (name: string): string => toBackendToolName(name, OPENAI_TOOL_NAMES);

function sourceUrl(source: MediaSource): string {
  return source.kind === 'base64' ? toDataUrl(source.mediaType, source.data) : source.url;
}

function encodeUserPart(part: ContentPart): JsonObject | undefined {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image':
      return { type: 'image_url', image_url: { url: sourceUrl(part.source), ...(part.detail && { detail: part.detail }) } };
    case 'file':
      if (part.source.kind === 'url') return { type: 'text', text: `[File: ${part.source.url}]` };
      // Chat file inputs take PDFs only: plain-text documents travel as text.
      if (part.source.mediaType.startsWith('text/') || part.source.mediaType === 'application/json') {
        const title = part.filename ? `[${part.filename}]\n` : '';
        return { type: 'text', text: title + Buffer.from(part.source.data, 'base64').toString('utf8') };
      }
      return {
        type: 'file',
        file: { file_data: sourceUrl(part.source), filename: part.filename ?? defaultFilename(part.source.mediaType) },
      };
    case 'audio':
      return { type: 'input_audio', input_audio: { data: part.data, format: part.format } };
    default:
      return undefined;
  }
}

function defaultFilename(mediaType: string): string {
  const extension = mediaType.split('/')[1]?.split('+')[0] ?? 'bin';
  return `file.${extension}`;
}

/** A single text part stays a plain string, the form every OpenAI-compatible server accepts. */
function encodeUserContent(parts: ContentPart[]): string | JsonObject[] {
  const encoded = parts.map(encodeUserPart).filter((part) => part !== undefined);
  if (encoded.length === 1 && encoded[0]?.type === 'text') return encoded[0].text as string;
  return encoded;
}

function textOf(parts: ContentPart[]): string {
  return parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function encodeToolResults(parts: ToolResultPart[]): JsonObject[] {
  const messages: JsonObject[] = [];
  const media: ContentPart[] = [];
  for (const part of parts) {
    let text = part.content
      .filter((item) => item.type === 'text')
      .map((item) => (item.type === 'text' ? item.text : ''))
      .join('\n');
    const attachments = part.content.filter((item) => item.type !== 'text');
    if (attachments.length > 0) {
      // Tool messages carry text only: images go in a user message right after the tool messages.
      media.push({ type: 'text', text: `[Attachments returned by tool call ${part.toolCallId}]` }, ...attachments);
      if (text === '') text = '[see attached content in the next message]';
    }
    if (part.isError) text = `Error: ${text}`;
    messages.push({ role: 'tool', tool_call_id: part.toolCallId, content: text });
  }
  if (media.length > 0) messages.push({ role: 'user', content: encodeUserContent(media) });
  return messages;
}

function encodeAssistant(message: CanonicalMessage, reasoningOn: boolean): JsonObject {
  const text = textOf(message.content);
  const reasoningParts = message.content.filter((part) => part.type === 'reasoning');
  const reasoning = reasoningParts.map((part) => (part.type === 'reasoning' ? part.text : '')).join('');
  const calls = message.content.flatMap((part) =>
    part.type === 'tool-call'
      ? [{ id: part.toolCallId, type: 'function', function: { name: openaiName(part.toolName), arguments: JSON.stringify(part.input) } }]
      : [],
  );
  const encoded: JsonObject = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
  // DeepSeek/Kimi-style backends want the reasoning of a tool-calling turn sent back when thinking is on.
  if (reasoning !== '' || (reasoningOn && reasoningParts.length > 0)) encoded.reasoning_content = reasoning;
  if (calls.length > 0) encoded.tool_calls = calls;
  return encoded;
}

function encodeMessages(request: CanonicalRequest): JsonObject[] {
  const messages: JsonObject[] = [];
  const systemText = request.system.map((part) => part.text).join('\n');
  if (systemText !== '') messages.push({ role: 'system', content: systemText });
  const reasoningOn = request.reasoning !== undefined && request.reasoning.mode !== 'disabled';
  for (const message of request.messages) {
    switch (message.role) {
      case 'system': {
        const text = textOf(message.content);
        if (text !== '') messages.push({ role: 'system', content: text });
        break;
      }
      case 'assistant': {
        const encoded = encodeAssistant(message, reasoningOn);
        if (encoded.content !== '' || encoded.tool_calls !== undefined || encoded.reasoning_content !== undefined) messages.push(encoded);
        break;
      }
      case 'tool':
        messages.push(...encodeToolResults(message.content.filter((part) => part.type === 'tool-result')));
        break;
      default: {
        // A user turn may also hold tool results (canonical from lenient decoders): results first.
        const results = message.content.filter((part) => part.type === 'tool-result');
        if (results.length > 0) messages.push(...encodeToolResults(results));
        const content = encodeUserContent(message.content.filter((part) => part.type !== 'tool-result'));
        if (content.length > 0) messages.push({ role: 'user', content });
      }
    }
  }
  return messages;
}

const CUSTOM_TOOL_PARAMETERS = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The raw input for the tool' } },
  required: ['input'],
};

function encodeTool(tool: CanonicalTool): JsonObject | undefined {
  switch (tool.kind) {
    case 'function':
      return {
        type: 'function',
        function: {
          name: openaiName(tool.name),
          ...(tool.description !== undefined && { description: tool.description }),
          parameters: tool.inputSchema,
          ...(tool.strict !== undefined && { strict: tool.strict }),
        },
      };
    case 'custom':
      return {
        type: 'function',
        function: {
          name: openaiName(tool.name),
          ...(tool.description !== undefined && { description: tool.description }),
          parameters: CUSTOM_TOOL_PARAMETERS,
        },
      };
    default:
      return tool.protocol === 'openai-chat' ? tool.raw : undefined;
  }
}

function encodeToolChoice(choice: ToolChoice): unknown {
  return choice.type === 'tool' ? { type: 'function', function: { name: openaiName(choice.name) } } : choice.type;
}

/**
 * OpenAI rejects reasoning_effort on its non-reasoning models. Clients of other protocols ask for
 * thinking by default (Claude Code always does), so the effort is not sent to those models.
 */
function isNonReasoningModel(model: string): boolean {
  return /^(gpt-4|gpt-3\.5|chatgpt-4o|gpt-4o)/.test(model) || /^gpt-5(\.\d+)?-chat/.test(model);
}

function usesCompletionTokens(request: CanonicalRequest): boolean {
  const field = request.providerMetadata?.['openai-chat']?.maxTokensField;
  if (field !== undefined) return field === 'max_completion_tokens';
  // OpenAI reasoning models reject max_tokens.
  return /^(o\d|gpt-5)/.test(request.model) || (request.reasoning !== undefined && request.reasoning.mode !== 'disabled');
}

/** Canonical -> OpenAI Chat Completions request body. */
export function encodeOpenAIChatRequest(request: CanonicalRequest): Record<string, unknown> {
  const body: JsonObject = { model: request.model, messages: encodeMessages(request) };
  const tools = request.tools.map(encodeTool).filter((tool) => tool !== undefined);
  if (tools.length > 0) {
    body.tools = tools;
    if (request.toolChoice) body.tool_choice = encodeToolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.maxOutputTokens !== undefined) {
    body[usesCompletionTokens(request) ? 'max_completion_tokens' : 'max_tokens'] = request.maxOutputTokens;
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences?.length) body.stop = request.stopSequences;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.candidateCount !== undefined) body.n = request.candidateCount;
  const format = request.responseFormat;
  if (format?.type === 'json') body.response_format = { type: 'json_object' };
  if (format?.type === 'json-schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: {
        name: format.name ?? 'response',
        ...(format.description !== undefined && { description: format.description }),
        schema: format.schema,
        ...(format.strict !== undefined && { strict: format.strict }),
      },
    };
  }
  if (request.reasoning && (request.protocol === 'openai-chat' || !isNonReasoningModel(request.model))) {
    const effort = effortOf(request.reasoning);
    // Only an OpenAI client's own "none" is forwarded; other backends may not know the value.
    if (effort !== 'none' || request.protocol === 'openai-chat') body.reasoning_effort = openaiEffort(effort);
  }
  // Claude Code's metadata.user_id is a long JSON string: only an OpenAI client's own `user` is forwarded.
  if (request.user !== undefined && request.protocol === 'openai-chat') body.user = request.user;
  if (request.stream) {
    body.stream = true;
    // Always ask for usage: the client's protocol may need it even if it did not ask.
    body.stream_options = { include_usage: true };
  }
  return body;
}
