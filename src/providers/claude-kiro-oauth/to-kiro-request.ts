import { randomUUID } from 'node:crypto';
import type { CanonicalRequest, ImagePart, ReasoningConfig } from '../../protocols/canonical/types.js';
import { toKiroModelId } from './kiro-models.js';
import type { KiroHistoryEntry, KiroImage, KiroRequestBody, KiroToolResult, KiroToolUse, KiroUserInputMessage } from './kiro-request-types.js';
import type { ToolNameMap } from './kiro-tool-names.js';
import { buildKiroTools } from './kiro-tools.js';
import { buildTurns, turnText, type Turn } from './kiro-turns.js';

/** Images older than this many turns from the end are replaced by a note (they cost credits each time). */
const IMAGE_TURN_WINDOW = 5;

export interface KiroRequestOptions {
  readonly names: ToolNameMap;
  readonly profileArn?: string | undefined;
  /** Fixed in tests; a fresh uuid per request otherwise. */
  readonly conversationId?: string;
}

/** Kiro has no thinking parameter: thinking is asked for with tags at the top of the system text. */
export function thinkingPrefix(reasoning: ReasoningConfig | undefined): string | undefined {
  if (reasoning?.mode === 'enabled') {
    const budget = Math.min(24_576, Math.max(1024, Math.floor(reasoning.budgetTokens ?? 20_000)));
    return `<thinking_mode>enabled</thinking_mode><max_thinking_length>${budget}</max_thinking_length>`;
  }
  if (reasoning?.mode === 'adaptive') {
    const effort = reasoning.effort === 'low' || reasoning.effort === 'minimal' ? 'low' : reasoning.effort === 'medium' ? 'medium' : 'high';
    return `<thinking_mode>adaptive</thinking_mode><thinking_effort>${effort}</thinking_effort>`;
  }
  return undefined;
}

function systemText(request: CanonicalRequest): string {
  const system = request.system.map((part) => part.text).join('\n');
  const prefix = thinkingPrefix(request.reasoning);
  if (!prefix || system.includes('<thinking_mode>') || system.includes('<max_thinking_length>')) return system;
  return system === '' ? prefix : `${prefix}\n${system}`;
}

function toKiroImage(image: ImagePart): KiroImage | undefined {
  if (image.source.kind !== 'base64') return undefined;
  const subtype = image.source.mediaType.split('/')[1] ?? 'png';
  return { format: subtype === 'jpg' ? 'jpeg' : subtype, source: { bytes: image.source.data } };
}

/** Removes the key `""`, which Kiro rejects in tool inputs. */
function cleanInput(input: Record<string, unknown>): Record<string, unknown> {
  if (!('' in input)) return input;
  const { '': _removed, ...rest } = input;
  return rest;
}

interface BuildContext {
  readonly modelId: string;
  readonly names: ToolNameMap;
  /** Tool result ids already sent: Kiro rejects a request that repeats one. */
  readonly seenToolResults: Set<string>;
}

function userMessage(turn: Turn, keepImages: boolean, context: BuildContext, fallback: string): KiroUserInputMessage {
  let content = turnText(turn);
  const images = keepImages ? turn.images.map(toKiroImage).filter((image) => image !== undefined) : [];
  if (!keepImages && turn.images.length > 0) {
    content += `${content ? '\n' : ''}[${turn.images.length} image(s) omitted from history]`;
  }
  const toolResults: KiroToolResult[] = [];
  for (const result of turn.toolResults) {
    if (context.seenToolResults.has(result.toolCallId)) continue;
    context.seenToolResults.add(result.toolCallId);
    const text = result.content
      .map((part) =>
        part.type === 'text'
          ? part.text
          : part.type === 'image' && part.source.kind === 'base64'
            ? '[image attached to the message]'
            : `[${part.type} omitted]`,
      )
      .join('\n');
    toolResults.push({ content: [{ text }], status: 'success', toolUseId: result.toolCallId });
  }
  if (content === '' && fallback !== '') content = toolResults.length > 0 ? 'Tool results provided.' : fallback;
  return {
    content,
    modelId: context.modelId,
    origin: 'AI_EDITOR',
    ...(images.length > 0 && { images }),
    ...(toolResults.length > 0 && { userInputMessageContext: { toolResults } }),
  };
}

function assistantEntry(turn: Turn, context: BuildContext): KiroHistoryEntry {
  const thinking = turn.reasoning.map((text) => `<thinking>${text}</thinking>\n\n`).join('');
  const toolUses: KiroToolUse[] = turn.toolCalls.map((call) => ({
    input: cleanInput(call.input),
    name: context.names.toKiro(call.toolName),
    toolUseId: call.toolCallId,
  }));
  return { assistantResponseMessage: { content: thinking + turnText(turn), ...(toolUses.length > 0 && { toolUses }) } };
}

const emptyTurn = (role: Turn['role'], text: string): Turn => ({
  role,
  segments: text === '' ? [] : [text],
  reasoning: [],
  images: [],
  toolResults: [],
  toolCalls: [],
});

/**
 * Canonical request -> CodeWhisperer `conversationState` (providers.md §4.6), keeping the invariants
 * that avoid Kiro's 400 "Improperly formed request.": history alternates user/assistant starting
 * with user and ending with assistant, the current message is a user message with non-empty content,
 * at least one tool, tool result ids unique, no null values.
 */
export function toKiroRequest(request: CanonicalRequest, options: KiroRequestOptions): KiroRequestBody {
  const context: BuildContext = { modelId: toKiroModelId(request.model), names: options.names, seenToolResults: new Set() };
  const turns = buildTurns(request.messages);
  const system = systemText(request);
  if (turns[0]?.role !== 'user') turns.unshift(emptyTurn('user', system === '' ? 'Continue' : system));
  else if (system !== '') {
    const first = turns[0]!;
    // System text, blank line, then the first user text (Kiro has no system field).
    if (first.segments.length > 0) first.segments.unshift(`${system}\n`);
    else first.segments.push(system);
  }
  // An assistant turn at the end (prefill) goes to history; Kiro then continues from "Continue".
  if (turns.at(-1)!.role === 'assistant') turns.push(emptyTurn('user', 'Continue'));
  const current = turns.pop()!;
  const history: KiroHistoryEntry[] = turns.map((turn, index) =>
    turn.role === 'assistant' ? assistantEntry(turn, context) : { userInputMessage: userMessage(turn, turns.length - index < IMAGE_TURN_WINDOW, context, '') },
  );
  const currentMessage = userMessage(current, true, context, 'Continue');
  currentMessage.userInputMessageContext = {
    ...currentMessage.userInputMessageContext,
    tools: buildKiroTools(request.tools, options.names),
  };
  return {
    conversationState: {
      agentTaskType: 'vibe',
      chatTriggerType: 'MANUAL',
      conversationId: options.conversationId ?? randomUUID(),
      currentMessage: { userInputMessage: currentMessage },
      ...(history.length > 0 && { history }),
    },
    ...(options.profileArn && { profileArn: options.profileArn }),
  };
}
