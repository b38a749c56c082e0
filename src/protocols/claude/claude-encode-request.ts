import { invalidRequest, isRecord, type JsonObject } from '../canonical/json.js';
import { budgetFromEffort } from '../canonical/reasoning.js';
import { readSignature } from '../canonical/signatures.js';
import type { CanonicalMessage, CanonicalRequest, CanonicalTool, ContentPart, MediaSource, ProviderMetadata, ToolChoice } from '../canonical/types.js';
import { CLAUDE_TOOL_NAMES, toBackendToolName } from '../canonical/tool-names.js';
import { defaultClaudeMaxTokens } from './claude-mappings.js';

const claudeName = (name: string): string => toBackendToolName(name, CLAUDE_TOOL_NAMES);

/** Claude tool ids must match ^[a-zA-Z0-9_-]+$; ids minted elsewhere are made to fit, consistently. */
export function toClaudeToolId(id: string): string {
  const cleaned = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return cleaned === '' ? 'toolu_empty' : cleaned;
}

function withCache(block: JsonObject, metadata: ProviderMetadata | undefined): JsonObject {
  const cacheControl = metadata?.claude?.cacheControl;
  if (cacheControl !== undefined) block.cache_control = cacheControl;
  return block;
}

function encodeSource(source: MediaSource): JsonObject {
  return source.kind === 'base64' ? { type: 'base64', media_type: source.mediaType, data: source.data } : { type: 'url', url: source.url };
}

function encodeFile(part: Extract<ContentPart, { type: 'file' }>): JsonObject | undefined {
  const { source } = part;
  const title = part.filename ? { title: part.filename } : {};
  if (source.kind === 'url') return withCache({ type: 'document', source: encodeSource(source), ...title }, part.providerMetadata);
  if (source.mediaType === 'application/pdf') {
    return withCache({ type: 'document', source: encodeSource(source), ...title }, part.providerMetadata);
  }
  if (source.mediaType.startsWith('text/') || source.mediaType === 'application/json') {
    const text = Buffer.from(source.data, 'base64').toString('utf8');
    return withCache({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: text }, ...title }, part.providerMetadata);
  }
  if (source.mediaType.startsWith('image/')) return { type: 'image', source: encodeSource(source) };
  return undefined; // Claude has no block for audio/video/other binaries
}

function encodePart(part: ContentPart): JsonObject | undefined {
  switch (part.type) {
    case 'text':
      return part.text === '' ? undefined : withCache({ type: 'text', text: part.text }, part.providerMetadata);
    case 'image':
      return withCache({ type: 'image', source: encodeSource(part.source) }, part.providerMetadata);
    case 'file':
      return encodeFile(part);
    case 'reasoning': {
      const redacted = part.providerMetadata?.claude?.redactedData;
      if (typeof redacted === 'string') return { type: 'redacted_thinking', data: redacted };
      // Claude rejects thinking blocks whose signature it did not issue: unsigned or foreign ones are dropped.
      const signature = readSignature(part.providerMetadata, 'claude');
      return signature !== undefined ? { type: 'thinking', thinking: part.text, signature } : undefined;
    }
    case 'tool-call':
      return withCache({ type: 'tool_use', id: toClaudeToolId(part.toolCallId), name: claudeName(part.toolName), input: part.input }, part.providerMetadata);
    case 'tool-result': {
      const content = part.content.map(encodePart).filter((block) => block !== undefined);
      return withCache(
        {
          type: 'tool_result',
          tool_use_id: toClaudeToolId(part.toolCallId),
          ...(content.length > 0 && { content }),
          ...(part.isError && { is_error: true }),
        },
        part.providerMetadata,
      );
    }
    default:
      return undefined;
  }
}

interface ClaudeMessage {
  role: 'user' | 'assistant';
  content: JsonObject[];
}

function encodeMessages(messages: CanonicalMessage[]): ClaudeMessage[] {
  const result: ClaudeMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue; // hoisted into `system`
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const content = message.content.map(encodePart).filter((block) => block !== undefined);
    if (content.length === 0) continue;
    const last = result.at(-1);
    if (last && last.role === role) last.content.push(...content);
    else result.push({ role, content });
  }
  for (const message of result) {
    // Claude wants a user turn's tool_result blocks before anything else in it.
    if (message.role === 'user' && message.content.some((block) => block.type === 'tool_result')) {
      message.content = [
        ...message.content.filter((block) => block.type === 'tool_result'),
        ...message.content.filter((block) => block.type !== 'tool_result'),
      ];
    }
  }
  const final = result.at(-1);
  if (final?.role === 'assistant') {
    // A prefilled final assistant turn may not end with whitespace.
    const lastBlock = final.content.at(-1);
    if (lastBlock?.type === 'text' && typeof lastBlock.text === 'string') {
      lastBlock.text = lastBlock.text.trimEnd();
      if (lastBlock.text === '') final.content.pop();
      if (final.content.length === 0) result.pop();
    }
  }
  return result;
}

function encodeSystem(request: CanonicalRequest): string | JsonObject[] | undefined {
  const parts = [...request.system, ...request.messages.filter((message) => message.role === 'system').flatMap((message) => message.content)].filter(
    (part) => part.type === 'text' && part.text !== '',
  );
  if (parts.length === 0) return undefined;
  const hasCache = parts.some((part) => part.providerMetadata?.claude?.cacheControl !== undefined);
  if (!hasCache) return parts.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  return parts.map((part) => withCache({ type: 'text', text: part.type === 'text' ? part.text : '' }, part.providerMetadata));
}

const CUSTOM_TOOL_SCHEMA = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The raw input for the tool' } },
  required: ['input'],
};

function encodeTool(tool: CanonicalTool): JsonObject | undefined {
  switch (tool.kind) {
    case 'function':
      return withCache(
        {
          name: claudeName(tool.name),
          ...(tool.description !== undefined && { description: tool.description }),
          input_schema: tool.inputSchema,
        },
        tool.providerMetadata,
      );
    case 'custom':
      return {
        name: claudeName(tool.name),
        ...(tool.description !== undefined && { description: tool.description }),
        input_schema: CUSTOM_TOOL_SCHEMA,
      };
    default:
      return tool.protocol === 'claude' ? tool.raw : undefined;
  }
}

function encodeToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): JsonObject | undefined {
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  switch (choice?.type) {
    case undefined:
      return parallel === false ? { type: 'auto', ...disable } : undefined;
    case 'auto':
      return { type: 'auto', ...disable };
    case 'required':
      return { type: 'any', ...disable };
    case 'none':
      return { type: 'none' };
    case 'tool':
      return { type: 'tool', name: claudeName(choice.name), ...disable };
  }
}

function encodeThinking(request: CanonicalRequest, maxTokens: number, allowed: boolean): JsonObject | undefined {
  const reasoning = request.reasoning;
  if (!reasoning || reasoning.mode === 'disabled') {
    return request.protocol === 'claude' && reasoning ? { type: 'disabled' } : undefined;
  }
  if (!allowed || reasoning.effort === 'none') return undefined;
  // Adaptive thinking exists only on recent Claude models: only a Claude client knows its model has it.
  if (reasoning.mode === 'adaptive' && request.protocol === 'claude') return { type: 'adaptive' };
  let budget = Math.max(1024, reasoning.budgetTokens ?? budgetFromEffort(reasoning.effort ?? 'medium'));
  if (budget >= maxTokens) {
    // Claude requires budget_tokens < max_tokens: keep room for the answer, or give up on thinking.
    if (maxTokens < 2048) return undefined;
    budget = maxTokens - 1024;
  }
  return { type: 'enabled', budget_tokens: budget };
}

function isSignedThinking(part: ContentPart): boolean {
  return (
    part.type === 'reasoning' &&
    (readSignature(part.providerMetadata, 'claude') !== undefined || typeof part.providerMetadata?.claude?.redactedData === 'string')
  );
}

/**
 * With thinking on, Claude wants the assistant turn of an unfinished tool loop (tool calls after the
 * last real user message) to start with its signed thinking block. Clients of other protocols cannot
 * send it back, so such a request goes without thinking instead of failing.
 */
function toolLoopKeepsThinking(messages: CanonicalMessage[]): boolean {
  let lastUser = -1;
  messages.forEach((message, index) => {
    if (message.role === 'user' && message.content.some((part) => part.type !== 'tool-result')) lastUser = index;
  });
  const firstToolTurn = messages
    .slice(lastUser + 1)
    .find((message) => message.role === 'assistant' && message.content.some((part) => part.type === 'tool-call'));
  return firstToolTurn === undefined || firstToolTurn.content.some(isSignedThinking);
}

/**
 * Claude refuses thinking together with a forced tool choice, a temperature other than 1 or top_k. A
 * client of another protocol that sent those gets them, and no thinking (its effort was only a hint).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking
 */
function thinkingAllowed(request: CanonicalRequest, hasTools: boolean): boolean {
  if (hasTools && (request.toolChoice?.type === 'required' || request.toolChoice?.type === 'tool')) return false;
  if (!toolLoopKeepsThinking(request.messages)) return false;
  if (request.protocol === 'claude') return true;
  // A top_k hint (Gemini CLI always sends topK 64) does not outweigh thinking the client asked for:
  // top_k is left out instead (see encodeClaudeRequest). A temperature other than 1 is a deliberate choice and wins.
  return request.temperature === undefined || request.temperature === 1;
}

/** Canonical -> Claude Messages request body. */
export function encodeClaudeRequest(request: CanonicalRequest): Record<string, unknown> {
  if ((request.candidateCount ?? 1) > 1) throw invalidRequest('n > 1 is not supported by a Claude backend');
  const body: JsonObject = { model: request.model };
  const maxTokens = request.maxOutputTokens ?? defaultClaudeMaxTokens(request.model);
  body.max_tokens = maxTokens;
  const system = encodeSystem(request);
  if (system !== undefined) body.system = system;
  body.messages = encodeMessages(request.messages);
  const tools = request.tools.map(encodeTool).filter((tool) => tool !== undefined);
  if (tools.length > 0) {
    body.tools = tools;
    const choice = encodeToolChoice(request.toolChoice, request.parallelToolCalls);
    if (choice) body.tool_choice = choice;
  }
  const thinking = encodeThinking(request, maxTokens, thinkingAllowed(request, tools.length > 0));
  if (thinking) body.thinking = thinking;
  const outputConfig: JsonObject = {};
  const effort = request.reasoning?.effort;
  if (request.reasoning?.mode === 'adaptive' && effort !== undefined && effort !== 'none') {
    outputConfig.effort = effort === 'minimal' ? 'low' : effort === 'xhigh' ? 'max' : effort;
  }
  if (request.responseFormat?.type === 'json-schema') {
    outputConfig.format = { type: 'json_schema', schema: request.responseFormat.schema };
  }
  if (Object.keys(outputConfig).length > 0) body.output_config = outputConfig;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  // Current Claude models reject temperature and top_p together: a client of another protocol that sent
  // both keeps its temperature.
  // With thinking on, Claude refuses top_k and a top_p below 0.95: those hints are left out.
  const topPAllowed = !thinking || (request.topP !== undefined && request.topP >= 0.95);
  if (request.topP !== undefined && topPAllowed && (request.temperature === undefined || request.protocol === 'claude')) body.top_p = request.topP;
  if (request.topK !== undefined && !thinking) body.top_k = request.topK;
  if (request.stopSequences?.length) body.stop_sequences = request.stopSequences;
  const extras = request.protocol === 'claude' ? request.providerMetadata?.claude : undefined;
  if (extras) Object.assign(body, extras);
  if (request.user !== undefined && !isRecord(body.metadata)) body.metadata = { user_id: request.user };
  if (request.stream) body.stream = true;
  return body;
}
