import {
  asArray,
  invalidRequest,
  isRecord,
  optionalBoolean,
  optionalNumber,
  optionalString,
  parseDataUrl,
  parseToolArguments,
  requireRecord,
  type JsonObject,
} from '../canonical/json.js';
import { decodeContentParts } from '../canonical/content.js';
import { parseEffort } from '../canonical/reasoning.js';
import { signatureFromClient } from '../canonical/signatures.js';
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  RequestContext,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolResultContent,
} from '../canonical/types.js';
import { flatToolName } from './responses-mappings.js';

function decodeContentPart(part: unknown): ContentPart | undefined {
  if (typeof part === 'string') return { type: 'text', text: part };
  if (!isRecord(part)) return undefined;
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return typeof part.text === 'string' ? { type: 'text', text: part.text } : undefined;
    case 'refusal':
      return typeof part.refusal === 'string' ? { type: 'text', text: part.refusal } : undefined;
    case 'input_image': {
      const url = optionalString(part.image_url) ?? (isRecord(part.image_url) ? optionalString(part.image_url.url) : undefined);
      if (!url) return undefined; // file_id references only work on OpenAI itself
      const detail = optionalString(part.detail);
      const data = parseDataUrl(url);
      return {
        type: 'image',
        source: data ? { kind: 'base64', mediaType: data.mediaType, data: data.data } : { kind: 'url', url },
        ...(detail && { detail }),
      };
    }
    case 'input_file': {
      const filename = optionalString(part.filename);
      const fileData = optionalString(part.file_data);
      const parsed = fileData ? parseDataUrl(fileData) : undefined;
      const fileUrl = optionalString(part.file_url);
      if (parsed) return { type: 'file', source: { kind: 'base64', mediaType: parsed.mediaType, data: parsed.data }, ...(filename && { filename }) };
      if (fileUrl) return { type: 'file', source: { kind: 'url', url: fileUrl }, ...(filename && { filename }) };
      return undefined;
    }
    default:
      return undefined;
  }
}

function decodeContent(content: unknown): ContentPart[] {
  return decodeContentParts(content, decodeContentPart);
}

function decodeOutput(output: unknown): ToolResultContent[] {
  return decodeContent(output).filter((part): part is ToolResultContent => part.type === 'text' || part.type === 'image' || part.type === 'file');
}

function decodeTool(tool: unknown, namespace?: string): CanonicalTool[] {
  if (!isRecord(tool)) return [];
  const description = optionalString(tool.description);
  const name = optionalString(tool.name);
  if (tool.type === 'namespace' && name) return asArray(tool.tools).flatMap((inner) => decodeTool(inner, name));
  const responsesMetadata = namespace && name ? { providerMetadata: { 'openai-responses': { namespace, name } } } : {};
  if ((tool.type === 'function' || tool.type === undefined) && name) {
    const strict = optionalBoolean(tool.strict);
    return [
      {
        kind: 'function',
        name: flatToolName(namespace, name),
        ...(description !== undefined && { description }),
        inputSchema: isRecord(tool.parameters) ? tool.parameters : { type: 'object', properties: {} },
        ...(strict !== undefined && { strict }),
        ...responsesMetadata,
      },
    ];
  }
  if (tool.type === 'custom' && name) {
    return [
      {
        kind: 'custom',
        name: flatToolName(namespace, name),
        ...(description !== undefined && { description }),
        ...(tool.format !== undefined && { format: tool.format }),
        ...responsesMetadata,
      },
    ];
  }
  // web_search, file_search, local_shell, image_generation, mcp, ...: only a Responses backend runs them.
  return [{ kind: 'builtin', protocol: 'openai-responses', name: name ?? String(tool.type), raw: tool }];
}

interface DecodedInput {
  system: TextPart[];
  messages: CanonicalMessage[];
  extraTools: CanonicalTool[];
}

function push(messages: CanonicalMessage[], role: CanonicalMessage['role'], parts: ContentPart[]): void {
  if (parts.length === 0) return;
  const last = messages.at(-1);
  // Consecutive calls (or outputs) join one turn: parallel calls are one assistant message.
  if (last && last.role === role && role !== 'user' && role !== 'system') last.content.push(...parts);
  else messages.push({ role, content: parts });
}

function decodeInput(input: unknown): DecodedInput {
  const result: DecodedInput = { system: [], messages: [], extraTools: [] };
  if (typeof input === 'string') {
    result.messages.push({ role: 'user', content: [{ type: 'text', text: input }] });
    return result;
  }
  if (input !== undefined && !Array.isArray(input)) throw invalidRequest('input must be a string or an array');
  const toolNames = new Map<string, string>();
  for (const [index, item] of asArray(input).entries()) {
    if (!isRecord(item)) throw invalidRequest(`input[${index}]: expected an object`);
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message': {
        const role = item.role;
        const parts = decodeContent(item.content);
        if (role === 'system' || role === 'developer') {
          const texts = parts.filter((part): part is TextPart => part.type === 'text');
          if (result.messages.length === 0) result.system.push(...texts);
          else push(result.messages, 'system', texts);
        } else push(result.messages, role === 'assistant' ? 'assistant' : 'user', parts);
        break;
      }
      case 'reasoning': {
        const summary = asArray(item.summary)
          .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
          .filter((text) => text !== '');
        const encrypted = optionalString(item.encrypted_content);
        const metadata = encrypted !== undefined ? signatureFromClient(encrypted, 'openai-responses') : {};
        const id = optionalString(item.id);
        if (id && metadata['openai-responses']) metadata['openai-responses'].itemId = id;
        push(result.messages, 'assistant', [
          { type: 'reasoning', text: summary.join('\n\n'), ...(Object.keys(metadata).length > 0 && { providerMetadata: metadata }) },
        ]);
        break;
      }
      case 'function_call':
      case 'custom_tool_call': {
        const callId = optionalString(item.call_id) ?? optionalString(item.id) ?? '';
        const name = flatToolName(optionalString(item.namespace), optionalString(item.name) ?? '');
        toolNames.set(callId, name);
        push(result.messages, 'assistant', [
          type === 'custom_tool_call'
            ? { type: 'tool-call', toolCallId: callId, toolName: name, kind: 'custom', input: { input: item.input ?? '' } }
            : { type: 'tool-call', toolCallId: callId, toolName: name, input: parseToolArguments(item.arguments) },
        ]);
        break;
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const callId = optionalString(item.call_id) ?? '';
        const name = toolNames.get(callId);
        push(result.messages, 'tool', [
          {
            type: 'tool-result',
            toolCallId: callId,
            ...(name !== undefined && { toolName: name }),
            content: decodeOutput(item.output),
            ...(type === 'custom_tool_call_output' && { kind: 'custom' as const }),
          },
        ]);
        break;
      }
      case 'additional_tools':
        result.extraTools.push(...asArray(item.tools).flatMap((tool) => decodeTool(tool)));
        break;
      default:
        break; // item_reference, web_search_call, ...: no meaning outside OpenAI
    }
  }
  return result;
}

function decodeToolChoice(value: unknown): ToolChoice | undefined {
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (isRecord(value) && (value.type === 'function' || value.type === 'custom') && typeof value.name === 'string') {
    return { type: 'tool', name: value.name };
  }
  if (isRecord(value) && value.type === 'allowed_tools') return { type: value.mode === 'required' ? 'required' : 'auto' };
  return undefined;
}

function decodeTextFormat(text: unknown): ResponseFormat | undefined {
  const format = isRecord(text) && isRecord(text.format) ? text.format : undefined;
  if (!format) return undefined;
  if (format.type === 'json_object') return { type: 'json' };
  if (format.type === 'json_schema' && isRecord(format.schema)) {
    const name = optionalString(format.name);
    const description = optionalString(format.description);
    const strict = optionalBoolean(format.strict);
    return {
      type: 'json-schema',
      schema: format.schema,
      ...(name !== undefined && { name }),
      ...(description !== undefined && { description }),
      ...(strict !== undefined && { strict }),
    };
  }
  return undefined;
}

const RESPONSES_EXTRAS = ['store', 'include', 'previous_response_id', 'metadata', 'prompt_cache_key', 'truncation', 'service_tier', 'text', 'client_metadata'];

export function decodeResponsesRequest(body: unknown, context: RequestContext): CanonicalRequest {
  const request = requireRecord(body, 'request body');
  const model = optionalString(request.model) ?? context.model;
  if (!model) throw invalidRequest('model: field required');
  const input = decodeInput(request.input);
  const instructions = optionalString(request.instructions);
  const result: CanonicalRequest = {
    protocol: 'openai-responses',
    model,
    stream: optionalBoolean(request.stream) ?? context.stream ?? false,
    system: [...(instructions ? [{ type: 'text' as const, text: instructions }] : []), ...input.system],
    messages: input.messages,
    tools: [...asArray(request.tools).flatMap((tool) => decodeTool(tool)), ...input.extraTools],
  };
  const toolChoice = decodeToolChoice(request.tool_choice);
  if (toolChoice) result.toolChoice = toolChoice;
  const parallel = optionalBoolean(request.parallel_tool_calls);
  if (parallel !== undefined) result.parallelToolCalls = parallel;
  const maxTokens = optionalNumber(request.max_output_tokens, 'max_output_tokens');
  if (maxTokens !== undefined) result.maxOutputTokens = maxTokens;
  const temperature = optionalNumber(request.temperature, 'temperature');
  if (temperature !== undefined) result.temperature = temperature;
  const topP = optionalNumber(request.top_p, 'top_p');
  if (topP !== undefined) result.topP = topP;
  const format = decodeTextFormat(request.text);
  if (format) result.responseFormat = format;
  if (isRecord(request.reasoning)) {
    const effort = parseEffort(request.reasoning.effort);
    const summary = optionalString(request.reasoning.summary);
    if (effort || summary) {
      result.reasoning = {
        mode: effort === 'none' ? 'disabled' : 'enabled',
        ...(effort && { effort }),
        ...(summary && { summary }),
      };
    }
  }
  const user = optionalString(request.user) ?? optionalString(request.safety_identifier);
  if (user !== undefined) result.user = user;
  const extras: JsonObject = {};
  for (const key of RESPONSES_EXTRAS) if (request[key] !== undefined) extras[key] = request[key];
  if (Object.keys(extras).length > 0) result.providerMetadata = { 'openai-responses': extras };
  return result;
}
