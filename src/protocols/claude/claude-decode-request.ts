import {
  asArray,
  invalidRequest,
  isRecord,
  optionalBoolean,
  optionalNumber,
  optionalString,
  readStopSequences,
  requireRecord,
  type JsonObject,
} from '../canonical/json.js';
import { parseEffort } from '../canonical/reasoning.js';
import { signatureFromClient } from '../canonical/signatures.js';
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  FilePart,
  ImagePart,
  ProviderMetadata,
  ReasoningConfig,
  RequestContext,
  TextPart,
  ToolChoice,
  ToolResultContent,
} from '../canonical/types.js';

function cacheMetadata(block: JsonObject): ProviderMetadata | undefined {
  return isRecord(block.cache_control) ? { claude: { cacheControl: block.cache_control } } : undefined;
}

function withMetadata<T extends object>(part: T, metadata: ProviderMetadata | undefined): T {
  return metadata ? { ...part, providerMetadata: metadata } : part;
}

function decodeSource(source: unknown): ImagePart['source'] | undefined {
  if (!isRecord(source)) return undefined;
  if (source.type === 'base64' && typeof source.data === 'string') {
    return { kind: 'base64', mediaType: optionalString(source.media_type) ?? 'application/octet-stream', data: source.data };
  }
  if (source.type === 'url' && typeof source.url === 'string') return { kind: 'url', url: source.url };
  if (source.type === 'text' && typeof source.data === 'string') {
    return {
      kind: 'base64',
      mediaType: optionalString(source.media_type) ?? 'text/plain',
      data: Buffer.from(source.data, 'utf8').toString('base64'),
    };
  }
  return undefined;
}

function decodeMediaBlock(block: JsonObject): ImagePart | FilePart | undefined {
  const source = decodeSource(block.source);
  if (!source) return undefined;
  if (block.type === 'image') return withMetadata<ImagePart>({ type: 'image', source }, cacheMetadata(block));
  const title = optionalString(block.title);
  return withMetadata<FilePart>({ type: 'file', source, ...(title && { filename: title }) }, cacheMetadata(block));
}

function decodeToolResultContent(content: unknown): ToolResultContent[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const parts: ToolResultContent[] = [];
  for (const block of asArray(content)) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') {
      parts.push(withMetadata<TextPart>({ type: 'text', text: block.text }, cacheMetadata(block)));
    } else if (block.type === 'image' || block.type === 'document') {
      const media = decodeMediaBlock(block);
      if (media) parts.push(media);
    }
  }
  return parts;
}

function decodeBlock(block: unknown, toolNames: Map<string, string>): ContentPart | undefined {
  if (typeof block === 'string') return { type: 'text', text: block };
  if (!isRecord(block)) return undefined;
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' ? withMetadata<TextPart>({ type: 'text', text: block.text }, cacheMetadata(block)) : undefined;
    case 'image':
    case 'document':
      return decodeMediaBlock(block);
    case 'thinking': {
      const signature = optionalString(block.signature);
      return withMetadata<ContentPart>(
        { type: 'reasoning', text: optionalString(block.thinking) ?? '' },
        signature ? signatureFromClient(signature, 'claude') : undefined,
      );
    }
    case 'redacted_thinking':
      return { type: 'reasoning', text: '', providerMetadata: { claude: { redactedData: block.data } } };
    case 'tool_use': {
      const id = optionalString(block.id) ?? '';
      const name = optionalString(block.name) ?? '';
      toolNames.set(id, name);
      return withMetadata<ContentPart>(
        { type: 'tool-call', toolCallId: id, toolName: name, input: isRecord(block.input) ? block.input : {} },
        cacheMetadata(block),
      );
    }
    case 'tool_result': {
      const id = optionalString(block.tool_use_id) ?? '';
      const name = toolNames.get(id);
      return withMetadata<ContentPart>(
        {
          type: 'tool-result',
          toolCallId: id,
          ...(name !== undefined && { toolName: name }),
          content: decodeToolResultContent(block.content),
          ...(block.is_error === true && { isError: true }),
        },
        cacheMetadata(block),
      );
    }
    default:
      // server_tool_use, web_search_tool_result, container_upload...: meaningful only to Claude itself.
      return undefined;
  }
}

/** Splits a Claude user turn into canonical tool and user messages, keeping the order of the runs. */
function decodeMessage(message: unknown, index: number, toolNames: Map<string, string>): CanonicalMessage[] {
  if (!isRecord(message)) throw invalidRequest(`messages[${index}]: expected an object`);
  const role = message.role;
  const blocks = typeof message.content === 'string' ? [message.content] : asArray(message.content);
  const parts = blocks.map((block) => decodeBlock(block, toolNames)).filter((part) => part !== undefined);
  if (role === 'assistant') return [{ role: 'assistant', content: parts }];
  if (role === 'system') return [{ role: 'system', content: parts.filter((part) => part.type === 'text') }];
  if (role !== 'user') throw invalidRequest(`messages[${index}].role: must be "user" or "assistant", got ${JSON.stringify(role) ?? 'nothing'}`);
  const result: CanonicalMessage[] = [];
  for (const part of parts) {
    const targetRole = part.type === 'tool-result' ? 'tool' : 'user';
    const last = result.at(-1);
    if (last && last.role === targetRole) last.content.push(part);
    else result.push({ role: targetRole, content: [part] });
  }
  return result;
}

function decodeSystem(system: unknown): TextPart[] {
  if (typeof system === 'string') return system === '' ? [] : [{ type: 'text', text: system }];
  const parts: TextPart[] = [];
  for (const block of asArray(system)) {
    if (isRecord(block) && typeof block.text === 'string') {
      parts.push(withMetadata<TextPart>({ type: 'text', text: block.text }, cacheMetadata(block)));
    }
  }
  return parts;
}

function decodeTool(tool: unknown): CanonicalTool | undefined {
  if (!isRecord(tool) || typeof tool.name !== 'string') return undefined;
  const type = optionalString(tool.type);
  if (type !== undefined && type !== 'custom') {
    // Anthropic server tools (web_search_20250305, bash_..., text_editor_...): only Claude knows them.
    return { kind: 'builtin', protocol: 'claude', name: tool.name, raw: tool };
  }
  const description = optionalString(tool.description);
  return withMetadata<CanonicalTool>(
    {
      kind: 'function',
      name: tool.name,
      ...(description !== undefined && { description }),
      inputSchema: isRecord(tool.input_schema) ? tool.input_schema : { type: 'object', properties: {} },
    },
    cacheMetadata(tool),
  );
}

function decodeToolChoice(value: unknown): { toolChoice?: ToolChoice; parallelToolCalls?: boolean } {
  if (!isRecord(value)) return {};
  const parallel = value.disable_parallel_tool_use === true ? { parallelToolCalls: false } : {};
  switch (value.type) {
    case 'auto':
      return { toolChoice: { type: 'auto' }, ...parallel };
    case 'any':
      return { toolChoice: { type: 'required' }, ...parallel };
    case 'none':
      return { toolChoice: { type: 'none' } };
    case 'tool':
      return typeof value.name === 'string' ? { toolChoice: { type: 'tool', name: value.name }, ...parallel } : parallel;
    default:
      return parallel;
  }
}

function decodeReasoning(thinking: unknown, outputConfig: JsonObject | undefined): ReasoningConfig | undefined {
  const effort = parseEffort(outputConfig?.effort);
  if (!isRecord(thinking)) return effort ? { mode: 'enabled', effort } : undefined;
  const type = thinking.type;
  if (type === 'disabled') return { mode: 'disabled' };
  if (type === 'adaptive') return { mode: 'adaptive', ...(effort && { effort }), includeThoughts: true };
  if (type === 'enabled') {
    const budget = optionalNumber(thinking.budget_tokens);
    return {
      mode: 'enabled',
      ...(budget !== undefined && { budgetTokens: budget }),
      ...(effort && { effort }),
      includeThoughts: true,
    };
  }
  return undefined;
}

export function decodeClaudeRequest(body: unknown, context: RequestContext): CanonicalRequest {
  const request = requireRecord(body, 'request body');
  const model = optionalString(request.model) ?? context.model;
  if (!model) throw invalidRequest('model: field required');
  if (!Array.isArray(request.messages)) throw invalidRequest('messages: field required (an array)');
  const toolNames = new Map<string, string>();
  const messages = request.messages.flatMap((message, index) => decodeMessage(message, index, toolNames));
  const outputConfig = isRecord(request.output_config) ? request.output_config : undefined;
  const reasoning = decodeReasoning(request.thinking, outputConfig);
  const format = isRecord(outputConfig?.format) ? outputConfig.format : undefined;
  const metadata = isRecord(request.metadata) ? request.metadata : undefined;
  const claudeExtras: JsonObject = {};
  for (const key of ['metadata', 'context_management', 'service_tier', 'container', 'mcp_servers']) {
    if (request[key] !== undefined) claudeExtras[key] = request[key];
  }
  const result: CanonicalRequest = {
    protocol: 'claude',
    model,
    stream: optionalBoolean(request.stream) ?? context.stream ?? false,
    system: decodeSystem(request.system),
    messages,
    tools: asArray(request.tools)
      .map(decodeTool)
      .filter((tool) => tool !== undefined),
    ...decodeToolChoice(request.tool_choice),
  };
  const maxTokens = optionalNumber(request.max_tokens, 'max_tokens');
  if (maxTokens !== undefined) result.maxOutputTokens = maxTokens;
  const temperature = optionalNumber(request.temperature, 'temperature');
  if (temperature !== undefined) result.temperature = temperature;
  const topP = optionalNumber(request.top_p, 'top_p');
  if (topP !== undefined) result.topP = topP;
  const topK = optionalNumber(request.top_k, 'top_k');
  if (topK !== undefined) result.topK = topK;
  const stop = readStopSequences(request.stop_sequences);
  if (stop) result.stopSequences = stop;
  if (reasoning) result.reasoning = reasoning;
  if (format && format.type === 'json_schema' && isRecord(format.schema)) {
    result.responseFormat = { type: 'json-schema', schema: format.schema };
  }
  const userId = optionalString(metadata?.user_id);
  if (userId !== undefined) result.user = userId;
  if (Object.keys(claudeExtras).length > 0) result.providerMetadata = { claude: claudeExtras };
  return result;
}
