import {
  asArray,
  invalidRequest,
  isRecord,
  optionalBoolean,
  optionalNumber,
  optionalString,
  parseDataUrl,
  parseToolArguments,
  readStopSequences,
  requireRecord,
  type JsonObject,
} from '../canonical/json.js';
import { createId } from '../canonical/ids.js';
import { decodeContentParts } from '../canonical/content.js';
import { parseEffort } from '../canonical/reasoning.js';
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  ProviderMetadata,
  ReasoningConfig,
  RequestContext,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolResultContent,
} from '../canonical/types.js';

/** Some OpenAI-compatible clients (OpenRouter style) put Anthropic cache_control on parts: keep it for Claude. */
function cacheMetadata(part: JsonObject): ProviderMetadata | undefined {
  return isRecord(part.cache_control) ? { claude: { cacheControl: part.cache_control } } : undefined;
}

function decodePart(part: unknown): ContentPart | undefined {
  if (typeof part === 'string') return { type: 'text', text: part };
  if (!isRecord(part)) return undefined;
  const metadata = cacheMetadata(part);
  const meta = metadata ? { providerMetadata: metadata } : {};
  switch (part.type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return typeof part.text === 'string' ? { type: 'text', text: part.text, ...meta } : undefined;
    case 'image_url': {
      const image = isRecord(part.image_url) ? part.image_url : { url: part.image_url };
      const url = optionalString(image.url);
      if (!url) return undefined;
      const detail = optionalString(image.detail);
      const data = parseDataUrl(url);
      return {
        type: 'image',
        source: data ? { kind: 'base64', mediaType: data.mediaType, data: data.data } : { kind: 'url', url },
        ...(detail && { detail }),
        ...meta,
      };
    }
    case 'input_audio': {
      const audio = isRecord(part.input_audio) ? part.input_audio : {};
      const data = optionalString(audio.data);
      return data ? { type: 'audio', data, format: optionalString(audio.format) ?? 'wav' } : undefined;
    }
    case 'file': {
      const file = isRecord(part.file) ? part.file : {};
      const fileData = optionalString(file.file_data);
      const filename = optionalString(file.filename);
      const parsed = fileData ? parseDataUrl(fileData) : undefined;
      if (!parsed) return undefined; // file_id references only work on OpenAI itself
      return {
        type: 'file',
        source: { kind: 'base64', mediaType: parsed.mediaType, data: parsed.data },
        ...(filename && { filename }),
        ...meta,
      };
    }
    default:
      return undefined;
  }
}

function decodeContent(content: unknown): ContentPart[] {
  return decodeContentParts(content, decodePart);
}

function textOf(content: unknown): TextPart[] {
  return decodeContent(content).filter((part): part is TextPart => part.type === 'text');
}

function decodeToolCalls(message: JsonObject, toolNames: Map<string, string>): ContentPart[] {
  const calls: ContentPart[] = [];
  for (const call of asArray(message.tool_calls)) {
    if (!isRecord(call)) continue;
    const id = optionalString(call.id) ?? createId('call_');
    if (call.type === 'custom' && isRecord(call.custom)) {
      const name = optionalString(call.custom.name) ?? '';
      toolNames.set(id, name);
      calls.push({ type: 'tool-call', toolCallId: id, toolName: name, kind: 'custom', input: { input: call.custom.input ?? '' } });
      continue;
    }
    const fn = isRecord(call.function) ? call.function : {};
    const name = optionalString(fn.name) ?? '';
    toolNames.set(id, name);
    calls.push({ type: 'tool-call', toolCallId: id, toolName: name, input: parseToolArguments(fn.arguments) });
  }
  if (isRecord(message.function_call)) {
    const name = optionalString(message.function_call.name) ?? '';
    toolNames.set(name, name);
    calls.push({ type: 'tool-call', toolCallId: name, toolName: name, input: parseToolArguments(message.function_call.arguments) });
  }
  return calls;
}

function toolResultContent(content: unknown): ToolResultContent[] {
  return decodeContent(content).filter((part): part is ToolResultContent => part.type === 'text' || part.type === 'image' || part.type === 'file');
}

function decodeMessages(value: unknown[]): { system: TextPart[]; messages: CanonicalMessage[] } {
  const system: TextPart[] = [];
  const messages: CanonicalMessage[] = [];
  const toolNames = new Map<string, string>();
  for (const [index, entry] of value.entries()) {
    if (!isRecord(entry)) throw invalidRequest(`messages[${index}]: expected an object`);
    const role = entry.role;
    if (role === 'system' || role === 'developer') {
      const parts = textOf(entry.content);
      // Leading system messages form the system prompt; later ones stay in place.
      if (messages.length === 0) system.push(...parts);
      else if (parts.length > 0) messages.push({ role: 'system', content: parts });
      continue;
    }
    if (role === 'assistant') {
      const content: ContentPart[] = [];
      const reasoning = optionalString(entry.reasoning_content) ?? optionalString(entry.reasoning);
      if (reasoning) content.push({ type: 'reasoning', text: reasoning });
      content.push(...decodeContent(entry.content), ...decodeToolCalls(entry, toolNames));
      messages.push({ role: 'assistant', content });
      continue;
    }
    if (role === 'tool' || role === 'function') {
      const id = optionalString(entry.tool_call_id) ?? optionalString(entry.name) ?? '';
      const name = toolNames.get(id) ?? (role === 'function' ? optionalString(entry.name) : undefined);
      const part: ContentPart = {
        type: 'tool-result',
        toolCallId: id,
        ...(name !== undefined && { toolName: name }),
        content: toolResultContent(entry.content),
      };
      const last = messages.at(-1);
      if (last?.role === 'tool') last.content.push(part);
      else messages.push({ role: 'tool', content: [part] });
      continue;
    }
    if (role !== 'user') throw invalidRequest(`messages[${index}].role: ${JSON.stringify(role) ?? 'nothing'} is not supported`);
    messages.push({ role: 'user', content: decodeContent(entry.content) });
  }
  return { system, messages };
}

function decodeTool(tool: unknown): CanonicalTool | undefined {
  if (!isRecord(tool)) return undefined;
  if (tool.type === 'custom' && isRecord(tool.custom) && typeof tool.custom.name === 'string') {
    const description = optionalString(tool.custom.description);
    return {
      kind: 'custom',
      name: tool.custom.name,
      ...(description !== undefined && { description }),
      ...(tool.custom.format !== undefined && { format: tool.custom.format }),
    };
  }
  const fn = isRecord(tool.function) ? tool.function : tool;
  if (typeof fn.name !== 'string') return undefined;
  if (tool.type !== undefined && tool.type !== 'function') {
    return { kind: 'builtin', protocol: 'openai-chat', name: fn.name, raw: tool };
  }
  const description = optionalString(fn.description);
  const strict = optionalBoolean(fn.strict);
  return {
    kind: 'function',
    name: fn.name,
    ...(description !== undefined && { description }),
    inputSchema: isRecord(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
    ...(strict !== undefined && { strict }),
  };
}

function decodeToolChoice(value: unknown): ToolChoice | undefined {
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (isRecord(value)) {
    const fn = isRecord(value.function) ? value.function : isRecord(value.custom) ? value.custom : value;
    if (typeof fn.name === 'string') return { type: 'tool', name: fn.name };
    if (value.type === 'allowed_tools') return { type: 'auto' };
  }
  return undefined;
}

function decodeResponseFormat(value: unknown): ResponseFormat | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === 'json_object') return { type: 'json' };
  if (value.type === 'text') return { type: 'text' };
  if (value.type === 'json_schema' && isRecord(value.json_schema) && isRecord(value.json_schema.schema)) {
    const spec = value.json_schema;
    const name = optionalString(spec.name);
    const description = optionalString(spec.description);
    const strict = optionalBoolean(spec.strict);
    return {
      type: 'json-schema',
      schema: spec.schema as JsonObject,
      ...(name !== undefined && { name }),
      ...(description !== undefined && { description }),
      ...(strict !== undefined && { strict }),
    };
  }
  return undefined;
}

function decodeReasoning(request: JsonObject): ReasoningConfig | undefined {
  // `reasoning: {effort, max_tokens, enabled}` is the OpenRouter form.
  const reasoning = isRecord(request.reasoning) ? request.reasoning : {};
  const effort = parseEffort(request.reasoning_effort) ?? parseEffort(reasoning.effort);
  const budget = optionalNumber(reasoning.max_tokens);
  if (reasoning.enabled === false) return { mode: 'disabled' };
  if (effort) return effort === 'none' ? { mode: 'disabled', effort } : { mode: 'enabled', effort, ...(budget !== undefined && { budgetTokens: budget }) };
  if (budget !== undefined) return { mode: 'enabled', budgetTokens: budget };
  if (reasoning.enabled === true) return { mode: 'enabled' };
  // Anthropic-style `thinking` (sent by some OpenAI-compatible clients, or as the SDK's extra_body).
  const thinking = isRecord(request.thinking) ? request.thinking : undefined;
  if (thinking?.type === 'enabled') {
    const budget = optionalNumber(thinking.budget_tokens);
    return { mode: 'enabled', ...(budget !== undefined && { budgetTokens: budget }) };
  }
  if (thinking?.type === 'adaptive') return { mode: 'adaptive' };
  if (thinking?.type === 'disabled') return { mode: 'disabled' };
  return undefined;
}

export function decodeOpenAIChatRequest(body: unknown, context: RequestContext): CanonicalRequest {
  const request = requireRecord(body, 'request body');
  const model = optionalString(request.model) ?? context.model;
  if (!model) throw invalidRequest('you must provide a model parameter');
  if (!Array.isArray(request.messages)) throw invalidRequest('messages: field required (an array)');
  const { system, messages } = decodeMessages(request.messages);
  const result: CanonicalRequest = {
    protocol: 'openai-chat',
    model,
    stream: optionalBoolean(request.stream) ?? context.stream ?? false,
    system,
    messages,
    tools: [...asArray(request.tools), ...asArray(request.functions)].map(decodeTool).filter((tool) => tool !== undefined),
  };
  const toolChoice = decodeToolChoice(request.tool_choice ?? request.function_call);
  if (toolChoice) result.toolChoice = toolChoice;
  const parallel = optionalBoolean(request.parallel_tool_calls);
  if (parallel !== undefined) result.parallelToolCalls = parallel;
  const maxCompletion = optionalNumber(request.max_completion_tokens, 'max_completion_tokens');
  const maxTokens = maxCompletion ?? optionalNumber(request.max_tokens, 'max_tokens');
  if (maxTokens !== undefined) result.maxOutputTokens = maxTokens;
  const numbers: [keyof CanonicalRequest & string, string][] = [
    ['temperature', 'temperature'],
    ['topP', 'top_p'],
    ['topK', 'top_k'],
    ['seed', 'seed'],
    ['frequencyPenalty', 'frequency_penalty'],
    ['presencePenalty', 'presence_penalty'],
    ['candidateCount', 'n'],
  ];
  for (const [field, key] of numbers) {
    const value = optionalNumber(request[key], key);
    if (value !== undefined) (result as unknown as JsonObject)[field] = value;
  }
  const stop = readStopSequences(request.stop);
  if (stop) result.stopSequences = stop;
  const responseFormat = decodeResponseFormat(request.response_format);
  if (responseFormat) result.responseFormat = responseFormat;
  const reasoning = decodeReasoning(request);
  if (reasoning) result.reasoning = reasoning;
  if (isRecord(request.stream_options) && request.stream_options.include_usage === true) result.includeUsage = true;
  const user = optionalString(request.user);
  if (user !== undefined) result.user = user;
  result.providerMetadata = {
    'openai-chat': { maxTokensField: maxCompletion !== undefined ? 'max_completion_tokens' : 'max_tokens' },
  };
  return result;
}
