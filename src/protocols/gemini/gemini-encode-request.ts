import { invalidRequest, type JsonObject } from '../canonical/json.js';
import { budgetFromEffort, effortOf } from '../canonical/reasoning.js';
import { readSignature } from '../canonical/signatures.js';
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  MediaSource,
  ReasoningEffort,
  ToolChoice,
  ToolResultPart,
} from '../canonical/types.js';
import { GEMINI_TOOL_NAMES, toBackendToolName } from '../canonical/tool-names.js';
import { usesThinkingLevel } from './gemini-mappings.js';
import { toGeminiParameters, toGeminiSchema } from './gemini-schema.js';

const geminiName = (name: string): string => toBackendToolName(name, GEMINI_TOOL_NAMES);

/**
 * Gemini 3 rejects a function call in history without a thought signature. When the call came from
 * another backend there is none; Google documents this value for exactly that case.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

function guessMimeType(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  const types: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    pdf: 'application/pdf',
    mp3: 'audio/mpeg',
    wav: 'audio/wav',
    mp4: 'video/mp4',
  };
  return (extension && types[extension]) ?? 'image/jpeg';
}

function encodeMedia(source: MediaSource): JsonObject {
  return source.kind === 'base64'
    ? { inlineData: { mimeType: source.mediaType, data: source.data } }
    : { fileData: { mimeType: source.mediaType ?? guessMimeType(source.url), fileUri: source.url } };
}

function toolResultText(part: ToolResultPart): string {
  return part.content.flatMap((item) => (item.type === 'text' ? [item.text] : [])).join('\n');
}

interface EncodeState {
  toolNames: Map<string, string>;
  pendingSignature?: string;
}

function encodePart(part: ContentPart, state: EncodeState): JsonObject[] {
  switch (part.type) {
    case 'text':
      return part.text === '' ? [] : [{ text: part.text }];
    case 'image':
    case 'file':
      return [encodeMedia(part.source)];
    case 'audio':
      return [{ inlineData: { mimeType: `audio/${part.format}`, data: part.data } }];
    case 'reasoning': {
      const signature = readSignature(part.providerMetadata, 'gemini');
      if (signature === undefined) return []; // thoughts from other backends mean nothing to Gemini
      if (part.text === '') {
        state.pendingSignature = signature; // it sat on the part that follows
        return [];
      }
      return [{ text: part.text, thought: true, thoughtSignature: signature }];
    }
    case 'tool-call':
      return [{ functionCall: { id: part.toolCallId, name: geminiName(part.toolName), args: part.input } }];
    case 'tool-result': {
      const name = geminiName(part.toolName ?? state.toolNames.get(part.toolCallId) ?? part.toolCallId);
      const text = toolResultText(part);
      const media = part.content.filter((item) => item.type !== 'text').map((item) => encodeMedia(item.source));
      return [{ functionResponse: { id: part.toolCallId, name, response: part.isError ? { error: text } : { output: text } } }, ...media];
    }
  }
}

function encodeContents(messages: CanonicalMessage[]): JsonObject[] {
  const state: EncodeState = { toolNames: new Map() };
  for (const message of messages) {
    for (const part of message.content) if (part.type === 'tool-call') state.toolNames.set(part.toolCallId, part.toolName);
  }
  const contents: { role: string; parts: JsonObject[] }[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue; // in systemInstruction
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts: JsonObject[] = [];
    for (const part of message.content) {
      const encoded = encodePart(part, state);
      const first = encoded[0];
      if (first && state.pendingSignature !== undefined) {
        first.thoughtSignature = state.pendingSignature;
        state.pendingSignature = undefined;
      }
      parts.push(...encoded);
    }
    if (state.pendingSignature !== undefined) {
      const last = parts.at(-1);
      if (last) last.thoughtSignature = state.pendingSignature;
      state.pendingSignature = undefined;
    }
    if (role === 'model') {
      const firstCall = parts.find((part) => part.functionCall !== undefined);
      if (firstCall && firstCall.thoughtSignature === undefined) firstCall.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
    }
    if (parts.length === 0) continue;
    const last = contents.at(-1);
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }
  return contents;
}

const CUSTOM_TOOL_PARAMETERS = { type: 'OBJECT', properties: { input: { type: 'STRING' } }, required: ['input'] };

function encodeTools(tools: CanonicalTool[]): JsonObject[] {
  const declarations: JsonObject[] = [];
  const builtins: JsonObject[] = [];
  for (const tool of tools) {
    if (tool.kind === 'builtin') {
      if (tool.protocol === 'gemini') builtins.push(tool.raw);
      continue;
    }
    const declaration: JsonObject = { name: geminiName(tool.name) };
    if (tool.description !== undefined) declaration.description = tool.description;
    if (tool.kind === 'custom') declaration.parameters = CUSTOM_TOOL_PARAMETERS;
    else if (tool.providerMetadata?.gemini?.schemaField === 'parametersJsonSchema') {
      declaration.parametersJsonSchema = tool.inputSchema;
    } else {
      const parameters = toGeminiParameters(tool.inputSchema);
      if (parameters) declaration.parameters = parameters;
    }
    declarations.push(declaration);
  }
  return [...(declarations.length > 0 ? [{ functionDeclarations: declarations }] : []), ...builtins];
}

function encodeToolConfig(choice: ToolChoice): JsonObject {
  switch (choice.type) {
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'tool':
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [geminiName(choice.name)] } };
  }
}

const GEMINI_BUDGETS: Record<ReasoningEffort, number> = {
  none: 0,
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
  max: 32768,
};

function thinkingLevel(effort: ReasoningEffort, model: string): string {
  // Gemini 3 Pro only knows LOW and HIGH; Flash also MINIMAL and MEDIUM.
  const pro = /pro/.test(model);
  switch (effort) {
    case 'none':
    case 'minimal':
      return pro ? 'LOW' : 'MINIMAL';
    case 'low':
      return 'LOW';
    case 'medium':
      return pro ? 'HIGH' : 'MEDIUM';
    default:
      return 'HIGH';
  }
}

function encodeThinking(request: CanonicalRequest): JsonObject | undefined {
  const reasoning = request.reasoning;
  if (!reasoning) return undefined;
  const level = usesThinkingLevel(request.model);
  const include = reasoning.includeThoughts ?? reasoning.mode !== 'disabled';
  if (reasoning.mode === 'disabled') {
    if (level) return { thinkingLevel: thinkingLevel('minimal', request.model) };
    // 2.5 Pro cannot turn thinking off; the others take a zero budget.
    return /2\.5-pro/.test(request.model) ? undefined : { thinkingBudget: 0 };
  }
  if (reasoning.mode === 'adaptive' && reasoning.effort === undefined) {
    return level ? { includeThoughts: include } : { thinkingBudget: -1, includeThoughts: include };
  }
  if (level) return { thinkingLevel: thinkingLevel(effortOf(reasoning), request.model), includeThoughts: include };
  const budget = reasoning.budgetTokens ?? GEMINI_BUDGETS[effortOf(reasoning)] ?? budgetFromEffort(effortOf(reasoning));
  // 2.5 Pro takes 128..32768 thinking tokens, Flash 0..24576: budgets from other protocols are clamped.
  const [low, high] = /pro/.test(request.model) ? [128, 32768] : [1, 24576];
  return { thinkingBudget: Math.min(high, Math.max(low, budget)), includeThoughts: include };
}

/** Canonical -> Gemini generateContent request body (no `model`: it goes in the URL). */
export function encodeGeminiRequest(request: CanonicalRequest): Record<string, unknown> {
  if ((request.candidateCount ?? 1) > 1) throw invalidRequest('n > 1 is not supported by a Gemini backend here');
  const body: JsonObject = {};
  const systemParts = [...request.system, ...request.messages.filter((message) => message.role === 'system').flatMap((message) => message.content)]
    .filter((part) => part.type === 'text' && part.text !== '')
    .map((part) => ({ text: part.type === 'text' ? part.text : '' }));
  let contents = encodeContents(request.messages);
  if (contents.length === 0 && systemParts.length > 0) {
    // Gemini needs at least one content: a lone system prompt becomes the user turn.
    contents = [{ role: 'user', parts: systemParts }];
  } else if (systemParts.length > 0) {
    body.systemInstruction = { role: 'user', parts: systemParts };
  }
  body.contents = contents;
  const tools = encodeTools(request.tools);
  if (tools.length > 0) body.tools = tools;
  if (request.toolChoice && tools.length > 0) body.toolConfig = encodeToolConfig(request.toolChoice);
  const config: JsonObject = {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
  if (request.stopSequences?.length) config.stopSequences = request.stopSequences;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.candidateCount !== undefined) config.candidateCount = request.candidateCount;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;
  const format = request.responseFormat;
  if (format?.type === 'json' || format?.type === 'json-schema') config.responseMimeType = 'application/json';
  if (format?.type === 'json-schema') config.responseSchema = toGeminiSchema(format.schema);
  const thinking = encodeThinking(request);
  if (thinking) config.thinkingConfig = thinking;
  const extras = request.protocol === 'gemini' ? request.providerMetadata?.gemini : undefined;
  for (const key of ['responseModalities', 'imageConfig', 'speechConfig', 'mediaResolution']) {
    if (extras?.[key] !== undefined) config[key] = extras[key];
  }
  if (Object.keys(config).length > 0) body.generationConfig = config;
  for (const key of ['safetySettings', 'cachedContent', 'labels']) if (extras?.[key] !== undefined) body[key] = extras[key];
  return body;
}
