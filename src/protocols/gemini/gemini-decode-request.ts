import { asArray, invalidRequest, isRecord, optionalNumber, optionalString, readStopSequences, requireRecord, type JsonObject } from '../canonical/json.js';
import { effortFromBudget, parseEffort } from '../canonical/reasoning.js';
import { signatureFromClient } from '../canonical/signatures.js';
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  MediaSource,
  ReasoningConfig,
  RequestContext,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolResultContent,
} from '../canonical/types.js';
import { fromGeminiSchema } from './gemini-schema.js';

function mediaPart(mimeType: string, source: MediaSource): ContentPart {
  if (mimeType.startsWith('image/')) return { type: 'image', source };
  if (mimeType.startsWith('audio/') && source.kind === 'base64') {
    return { type: 'audio', data: source.data, format: mimeType.slice('audio/'.length) };
  }
  return { type: 'file', source };
}

/**
 * Gemini pairs calls and responses by name and order; ids are optional. Calls without an id get one
 * from their position in the history, so the same history always yields the same ids, and each
 * response takes the id of the oldest unanswered call with its name.
 */
class ToolCallIds {
  private readonly pending = new Map<string, string[]>();

  forCall(name: string, id: string | undefined, position: string): string {
    const callId = id ?? `call_${position}`;
    const queue = this.pending.get(name) ?? [];
    queue.push(callId);
    this.pending.set(name, queue);
    return callId;
  }

  forResponse(name: string, id: string | undefined, position: string): string {
    const queue = this.pending.get(name) ?? [];
    if (id !== undefined) {
      const at = queue.indexOf(id);
      if (at !== -1) queue.splice(at, 1);
      return id;
    }
    return queue.shift() ?? `call_${position}`;
  }
}

function decodeFunctionResponse(response: unknown): { content: ToolResultContent[]; isError: boolean } {
  if (!isRecord(response)) return { content: [], isError: false };
  const keys = Object.keys(response);
  // Gemini CLI sends {output: "..."} or {error: "..."}; others send any object.
  if (keys.length === 1 && (typeof response.output === 'string' || typeof response.result === 'string' || typeof response.content === 'string')) {
    return { content: [{ type: 'text', text: String(response.output ?? response.result ?? response.content) }], isError: false };
  }
  if (keys.length === 1 && typeof response.error === 'string') return { content: [{ type: 'text', text: response.error }], isError: true };
  return { content: [{ type: 'text', text: JSON.stringify(response) }], isError: false };
}

function decodePart(part: unknown, ids: ToolCallIds, position: string): ContentPart | undefined {
  if (!isRecord(part)) return undefined;
  const signature = optionalString(part.thoughtSignature) ?? optionalString(part.thought_signature);
  const metadata = signature !== undefined ? { providerMetadata: signatureFromClient(signature, 'gemini') } : {};
  if (typeof part.text === 'string') {
    if (part.thought === true) return { type: 'reasoning', text: part.text, ...metadata };
    return { type: 'text', text: part.text, ...metadata };
  }
  if (isRecord(part.inlineData)) {
    const mimeType = optionalString(part.inlineData.mimeType) ?? 'application/octet-stream';
    return mediaPart(mimeType, { kind: 'base64', mediaType: mimeType, data: optionalString(part.inlineData.data) ?? '' });
  }
  if (isRecord(part.fileData)) {
    const mimeType = optionalString(part.fileData.mimeType) ?? 'application/octet-stream';
    return mediaPart(mimeType, { kind: 'url', url: optionalString(part.fileData.fileUri) ?? '', mediaType: mimeType });
  }
  if (isRecord(part.functionCall)) {
    const name = optionalString(part.functionCall.name) ?? '';
    return {
      type: 'tool-call',
      toolCallId: ids.forCall(name, optionalString(part.functionCall.id), position),
      toolName: name,
      input: isRecord(part.functionCall.args) ? part.functionCall.args : {},
      ...metadata,
    };
  }
  if (isRecord(part.functionResponse)) {
    const name = optionalString(part.functionResponse.name) ?? '';
    const { content, isError } = decodeFunctionResponse(part.functionResponse.response);
    for (const extra of asArray(part.functionResponse.parts)) {
      const decoded = decodePart(extra, ids, position);
      if (decoded && (decoded.type === 'image' || decoded.type === 'file' || decoded.type === 'text')) content.push(decoded);
    }
    return {
      type: 'tool-result',
      toolCallId: ids.forResponse(name, optionalString(part.functionResponse.id), position),
      toolName: name,
      content,
      ...(isError && { isError: true }),
    };
  }
  return undefined;
}

/**
 * Splits each Gemini content into canonical messages: a user content's functionResponse parts become a
 * tool message; a signature-only reasoning part is inserted where a thoughtSignature sat on a
 * non-thought part, so the signature returns to the same place.
 */
function decodeContents(contents: unknown[]): CanonicalMessage[] {
  const ids = new ToolCallIds();
  const messages: CanonicalMessage[] = [];
  /** The Gemini content each message came from: parts of one content may merge, separate contents stay apart. */
  const sources: number[] = [];
  contents.forEach((content, contentIndex) => {
    if (!isRecord(content)) throw invalidRequest(`contents[${contentIndex}]: expected an object`);
    const role = content.role === 'model' ? 'assistant' : 'user';
    const seenResponses = new Set<string>();
    asArray(content.parts).forEach((raw, partIndex) => {
      // Gemini CLI repeats a functionResponse after --resume; one result per call id is all the id-based
      // protocols accept (Anthropic rejects duplicates), so an identical repeat of an id'd result is dropped.
      if (isRecord(raw) && isRecord(raw.functionResponse) && typeof raw.functionResponse.id === 'string') {
        const key = JSON.stringify(raw.functionResponse);
        if (seenResponses.has(key)) return;
        seenResponses.add(key);
      }
      const part = decodePart(raw, ids, `${contentIndex}_${partIndex}`);
      if (!part) return;
      const parts: ContentPart[] = [];
      if (part.type !== 'reasoning' && part.type !== 'tool-result' && part.providerMetadata?.gemini?.thoughtSignature !== undefined) {
        parts.push({ type: 'reasoning', text: '', providerMetadata: part.providerMetadata });
        delete part.providerMetadata;
      }
      parts.push(part);
      const targetRole = part.type === 'tool-result' ? 'tool' : role;
      const last = messages.at(-1);
      if (last && last.role === targetRole && sources.at(-1) === contentIndex) last.content.push(...parts);
      else {
        messages.push({ role: targetRole, content: parts });
        sources.push(contentIndex);
      }
    });
  });
  return messages;
}

function decodeTools(tools: unknown): CanonicalTool[] {
  const result: CanonicalTool[] = [];
  for (const tool of asArray(tools)) {
    if (!isRecord(tool)) continue;
    const declarations = asArray(tool.functionDeclarations ?? tool.function_declarations);
    for (const declaration of declarations) {
      if (!isRecord(declaration) || typeof declaration.name !== 'string') continue;
      const description = optionalString(declaration.description);
      const jsonSchema = declaration.parametersJsonSchema ?? declaration.parameters_json_schema;
      result.push({
        kind: 'function',
        name: declaration.name,
        ...(description !== undefined && { description }),
        inputSchema: isRecord(jsonSchema)
          ? jsonSchema
          : isRecord(declaration.parameters)
            ? fromGeminiSchema(declaration.parameters)
            : { type: 'object', properties: {} },
        ...(isRecord(jsonSchema) && { providerMetadata: { gemini: { schemaField: 'parametersJsonSchema' } } }),
      });
    }
    for (const key of Object.keys(tool)) {
      if (key !== 'functionDeclarations' && key !== 'function_declarations') {
        result.push({ kind: 'builtin', protocol: 'gemini', name: key, raw: { [key]: tool[key] } });
      }
    }
  }
  return result;
}

function decodeToolChoice(toolConfig: unknown): ToolChoice | undefined {
  const config = isRecord(toolConfig) && isRecord(toolConfig.functionCallingConfig) ? toolConfig.functionCallingConfig : undefined;
  switch (config?.mode) {
    case 'AUTO':
    case 'VALIDATED':
      return { type: 'auto' };
    case 'NONE':
      return { type: 'none' };
    case 'ANY': {
      const names = asArray(config.allowedFunctionNames).filter((name): name is string => typeof name === 'string');
      return names.length === 1 && names[0] !== undefined ? { type: 'tool', name: names[0] } : { type: 'required' };
    }
    default:
      return undefined;
  }
}

function decodeThinking(config: unknown): ReasoningConfig | undefined {
  if (!isRecord(config)) return undefined;
  const budget = optionalNumber(config.thinkingBudget ?? config.thinking_budget);
  const level = parseEffort(config.thinkingLevel ?? config.thinking_level);
  const include = config.includeThoughts ?? config.include_thoughts;
  const includeThoughts = typeof include === 'boolean' ? { includeThoughts: include } : {};
  if (level) return { mode: 'enabled', effort: level, ...includeThoughts };
  if (budget === 0) return { mode: 'disabled', ...includeThoughts };
  if (budget === -1) return { mode: 'adaptive', ...includeThoughts };
  if (budget !== undefined) return { mode: 'enabled', budgetTokens: budget, effort: effortFromBudget(budget), ...includeThoughts };
  return Object.keys(includeThoughts).length > 0 ? { mode: 'adaptive', ...includeThoughts } : undefined;
}

function decodeResponseFormat(config: JsonObject): ResponseFormat | undefined {
  const schema = config.responseJsonSchema ?? config.response_json_schema;
  if (isRecord(schema)) return { type: 'json-schema', schema: fromGeminiSchema(schema) };
  if (isRecord(config.responseSchema)) return { type: 'json-schema', schema: fromGeminiSchema(config.responseSchema) };
  if (config.responseMimeType === 'application/json') return { type: 'json' };
  return undefined;
}

export function decodeGeminiRequest(body: unknown, context: RequestContext): CanonicalRequest {
  const request = requireRecord(body, 'request body');
  // Code Assist envelopes ({model, project, request}) are accepted too.
  const inner = isRecord(request.request) && Array.isArray(request.request.contents) ? request.request : request;
  const model = context.model ?? optionalString(request.model);
  if (!model) throw invalidRequest('model is required (from the URL path)');
  if (!Array.isArray(inner.contents)) throw invalidRequest('contents: field required (an array)');
  const systemInstruction = inner.systemInstruction ?? inner.system_instruction;
  const system: TextPart[] = [];
  if (typeof systemInstruction === 'string') system.push({ type: 'text', text: systemInstruction });
  else if (isRecord(systemInstruction)) {
    for (const part of asArray(systemInstruction.parts)) {
      if (isRecord(part) && typeof part.text === 'string') system.push({ type: 'text', text: part.text });
    }
  }
  const config = isRecord(inner.generationConfig) ? inner.generationConfig : isRecord(inner.generation_config) ? inner.generation_config : {};
  const result: CanonicalRequest = {
    protocol: 'gemini',
    model: model.replace(/^models\//, ''),
    stream: context.stream ?? false,
    system,
    messages: decodeContents(inner.contents),
    tools: decodeTools(inner.tools),
  };
  const toolChoice = decodeToolChoice(inner.toolConfig ?? inner.tool_config);
  if (toolChoice) result.toolChoice = toolChoice;
  const numbers: [keyof CanonicalRequest & string, string][] = [
    ['maxOutputTokens', 'maxOutputTokens'],
    ['temperature', 'temperature'],
    ['topP', 'topP'],
    ['topK', 'topK'],
    ['seed', 'seed'],
    ['candidateCount', 'candidateCount'],
    ['frequencyPenalty', 'frequencyPenalty'],
    ['presencePenalty', 'presencePenalty'],
  ];
  for (const [field, key] of numbers) {
    const value = optionalNumber(config[key], `generationConfig.${key}`);
    if (value !== undefined) (result as unknown as JsonObject)[field] = value;
  }
  const stop = readStopSequences(config.stopSequences);
  if (stop) result.stopSequences = stop;
  const format = decodeResponseFormat(config);
  if (format) result.responseFormat = format;
  const reasoning = decodeThinking(config.thinkingConfig ?? config.thinking_config);
  if (reasoning) result.reasoning = reasoning;
  const extras: JsonObject = {};
  for (const key of ['safetySettings', 'cachedContent', 'labels']) if (inner[key] !== undefined) extras[key] = inner[key];
  for (const key of ['responseModalities', 'imageConfig', 'speechConfig', 'mediaResolution']) {
    if (config[key] !== undefined) extras[key] = config[key];
  }
  if (Object.keys(extras).length > 0) result.providerMetadata = { gemini: extras };
  return result;
}
