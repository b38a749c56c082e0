import { isRecord, optionalNumber, optionalString } from '../canonical/json.js';
import { toClientToolName } from '../canonical/tool-names.js';
import type { CanonicalRequest, CanonicalTool, FinishInfo, FinishReason, Usage } from '../canonical/types.js';

/** Responses usage has the same semantics as OpenAI Chat: input includes cached, output includes reasoning. */
export function decodeResponsesUsage(value: unknown): Usage | undefined {
  if (!isRecord(value)) return undefined;
  const inputDetails = isRecord(value.input_tokens_details) ? value.input_tokens_details : {};
  const outputDetails = isRecord(value.output_tokens_details) ? value.output_tokens_details : {};
  const usage: Usage = {
    inputTokens: optionalNumber(value.input_tokens) ?? 0,
    outputTokens: optionalNumber(value.output_tokens) ?? 0,
  };
  const total = optionalNumber(value.total_tokens);
  if (total !== undefined) usage.totalTokens = total;
  const cached = optionalNumber(inputDetails.cached_tokens);
  if (cached !== undefined) usage.cacheReadTokens = cached;
  const reasoning = optionalNumber(outputDetails.reasoning_tokens);
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

export function encodeResponsesUsage(usage: Usage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens ?? 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.totalTokens ?? usage.inputTokens + usage.outputTokens,
  };
}

/** status + incomplete_details.reason -> canonical finish. */
export function mapResponsesStatus(status: string | undefined, reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (status === 'incomplete') return reason === 'content_filter' ? 'content-filter' : 'length';
  if (status === 'failed' || status === 'cancelled') return 'error';
  return hasToolCalls ? 'tool-calls' : 'stop';
}

/** Canonical finish -> Responses status and incomplete_details (there is no status for tool calls). */
export function toResponsesStatus(finish: FinishInfo): { status: string; incomplete_details: unknown } {
  switch (finish.unified) {
    case 'length':
      return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
    case 'content-filter':
      return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
    default:
      return { status: 'completed', incomplete_details: null };
  }
}

/**
 * Namespaced Responses tools (Codex `additional_tools`) travel to other backends under one flat name;
 * the name maps back to {namespace, name} on the way out.
 */
export const NAMESPACE_SEPARATOR = '__';

export function flatToolName(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}${NAMESPACE_SEPARATOR}${name}` : name;
}

export function findTool(request: CanonicalRequest, name: string): CanonicalTool | undefined {
  return request.tools.find((tool) => tool.name === name);
}

/** The Responses-side identity of a tool call name: custom or function, and its namespace. */
export function describeToolCall(request: CanonicalRequest, backendName: string): { kind: 'function' | 'custom'; name: string; namespace?: string } {
  const name = toClientToolName(request, backendName);
  const tool = findTool(request, name);
  const kind = tool?.kind === 'custom' ? 'custom' : 'function';
  const metadata = tool && tool.kind !== 'builtin' ? tool.providerMetadata?.['openai-responses'] : undefined;
  const namespace = optionalString(metadata?.namespace);
  const original = optionalString(metadata?.name);
  return namespace && original ? { kind, name: original, namespace } : { kind, name };
}
