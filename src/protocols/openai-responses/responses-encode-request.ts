import { invalidRequest, toDataUrl, type JsonObject } from '../canonical/json.js';
import { effortOf, openaiEffort } from '../canonical/reasoning.js';
import { readSignature } from '../canonical/signatures.js';
import type { CanonicalRequest, CanonicalTool, ContentPart, MediaSource, ToolChoice, ToolResultContent } from '../canonical/types.js';
import { OPENAI_TOOL_NAMES, toBackendToolName } from '../canonical/tool-names.js';
import { describeToolCall } from './responses-mappings.js';

const responsesName = (name: string): string => toBackendToolName(name, OPENAI_TOOL_NAMES);

function sourceUrl(source: MediaSource): string {
  return source.kind === 'base64' ? toDataUrl(source.mediaType, source.data) : source.url;
}

function encodeInputPart(part: ContentPart): JsonObject | undefined {
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: part.text };
    case 'image':
      return { type: 'input_image', image_url: sourceUrl(part.source), ...(part.detail && { detail: part.detail }) };
    case 'file':
      if (part.source.kind === 'base64' && (part.source.mediaType.startsWith('text/') || part.source.mediaType === 'application/json')) {
        const title = part.filename ? `[${part.filename}]\n` : '';
        return { type: 'input_text', text: title + Buffer.from(part.source.data, 'base64').toString('utf8') };
      }
      return part.source.kind === 'base64'
        ? { type: 'input_file', file_data: sourceUrl(part.source), filename: part.filename ?? 'file' }
        : { type: 'input_file', file_url: part.source.url };
    default:
      return undefined;
  }
}

function encodeOutput(content: ToolResultContent[], isError: boolean | undefined): string | JsonObject[] {
  const prefix = isError ? 'Error: ' : '';
  if (content.every((part) => part.type === 'text')) {
    return prefix + content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  }
  return content.map(encodeInputPart).filter((part) => part !== undefined);
}

function encodeInput(request: CanonicalRequest): JsonObject[] {
  const items: JsonObject[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') {
      const content = message.content.map(encodeInputPart).filter((part) => part !== undefined);
      if (content.length > 0) items.push({ type: 'message', role: 'developer', content });
      continue;
    }
    if (message.role === 'user') {
      const content = message.content.map(encodeInputPart).filter((part) => part !== undefined);
      if (content.length > 0) items.push({ type: 'message', role: 'user', content });
    }
    let text = '';
    const flushText = () => {
      if (text !== '') items.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
      text = '';
    };
    for (const part of message.content) {
      if (message.role === 'assistant' && part.type === 'text') {
        text += part.text;
        continue;
      }
      if (part.type === 'reasoning') {
        // Only reasoning this API produced (with its encrypted content) can be replayed.
        const encrypted = readSignature(part.providerMetadata, 'openai-responses');
        if (encrypted === undefined) continue;
        flushText();
        const id = part.providerMetadata?.['openai-responses']?.itemId;
        items.push({
          type: 'reasoning',
          ...(typeof id === 'string' && { id }),
          summary: part.text === '' ? [] : [{ type: 'summary_text', text: part.text }],
          encrypted_content: encrypted,
        });
      } else if (part.type === 'tool-call') {
        flushText();
        // Names stay flat, matching the flat tool list sent with them.
        if (part.kind === 'custom' || describeToolCall(request, part.toolName).kind === 'custom') {
          items.push({ type: 'custom_tool_call', call_id: part.toolCallId, name: responsesName(part.toolName), input: String(part.input.input ?? '') });
        } else {
          items.push({ type: 'function_call', call_id: part.toolCallId, name: responsesName(part.toolName), arguments: JSON.stringify(part.input) });
        }
      } else if (part.type === 'tool-result') {
        const custom = part.kind === 'custom' || (part.toolName !== undefined && describeToolCall(request, part.toolName).kind === 'custom');
        items.push({
          type: custom ? 'custom_tool_call_output' : 'function_call_output',
          call_id: part.toolCallId,
          output: encodeOutput(part.content, part.isError),
        });
      }
    }
    flushText();
  }
  return items;
}

function encodeTools(tools: CanonicalTool[]): JsonObject[] {
  const result: JsonObject[] = [];
  for (const tool of tools) {
    if (tool.kind === 'builtin') {
      if (tool.protocol === 'openai-responses') result.push(tool.raw);
      continue;
    }
    // Namespaced tools stay flat here: the flat name is unambiguous and every backend accepts it.
    const description = tool.description !== undefined ? { description: tool.description } : {};
    if (tool.kind === 'custom') {
      result.push({ type: 'custom', name: responsesName(tool.name), ...description, ...(tool.format !== undefined && { format: tool.format }) });
    } else {
      result.push({
        type: 'function',
        name: responsesName(tool.name),
        ...description,
        parameters: tool.inputSchema,
        ...(tool.strict !== undefined && { strict: tool.strict }),
      });
    }
  }
  return result;
}

function encodeToolChoice(choice: ToolChoice, tools: CanonicalTool[]): unknown {
  if (choice.type !== 'tool') return choice.type;
  const custom = tools.some((tool) => tool.kind === 'custom' && tool.name === choice.name);
  return { type: custom ? 'custom' : 'function', name: responsesName(choice.name) };
}

/** Canonical -> OpenAI Responses request body. */
export function encodeResponsesRequest(request: CanonicalRequest): Record<string, unknown> {
  if ((request.candidateCount ?? 1) > 1) throw invalidRequest('n > 1 is not supported by the Responses API');
  const body: JsonObject = { model: request.model };
  const instructions = request.system.map((part) => part.text).join('\n');
  if (instructions !== '') body.instructions = instructions;
  body.input = encodeInput(request);
  const tools = encodeTools(request.tools);
  if (tools.length > 0) {
    body.tools = tools;
    if (request.toolChoice) body.tool_choice = encodeToolChoice(request.toolChoice, request.tools);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.maxOutputTokens !== undefined) body.max_output_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  const extras = request.protocol === 'openai-responses' ? request.providerMetadata?.['openai-responses'] : undefined;
  if (extras) Object.assign(body, extras);
  if (request.reasoning) {
    const effort = effortOf(request.reasoning);
    if (effort !== 'none' || request.protocol === 'openai-responses') {
      body.reasoning = {
        effort: openaiEffort(effort),
        ...(request.reasoning.summary !== undefined && { summary: request.reasoning.summary }),
      };
    }
  }
  const format = request.responseFormat;
  if (format?.type === 'json') body.text = { format: { type: 'json_object' } };
  if (format?.type === 'json-schema') {
    body.text = {
      format: {
        type: 'json_schema',
        name: format.name ?? 'response',
        schema: format.schema,
        ...(format.description !== undefined && { description: format.description }),
        ...(format.strict !== undefined && { strict: format.strict }),
      },
    };
  }
  if (request.user !== undefined && body.user === undefined && request.protocol !== 'claude') body.user = request.user;
  if (request.stream) body.stream = true;
  return body;
}
