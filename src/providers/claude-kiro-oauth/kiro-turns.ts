import type { CanonicalMessage, ImagePart, ToolCallPart, ToolResultPart } from '../../protocols/canonical/types.js';

/** One side of the Kiro conversation: adjacent canonical messages of the same side merged. */
export interface Turn {
  role: 'user' | 'assistant';
  /** One entry per merged message (its text blocks joined without separator); joined with `\n`. */
  segments: string[];
  /** Assistant thinking, re-inlined as `<thinking>` text for Kiro. */
  reasoning: string[];
  images: ImagePart[];
  toolResults: ToolResultPart[];
  toolCalls: ToolCallPart[];
}

function sideOf(message: CanonicalMessage): Turn['role'] {
  return message.role === 'assistant' ? 'assistant' : 'user';
}

/** Text of a part Kiro cannot take, so the model still knows something was there. */
function omittedNote(part: CanonicalMessage['content'][number]): string | undefined {
  if (part.type === 'image' && part.source.kind === 'url') return `[image omitted: ${part.source.url}]`;
  if (part.type === 'file') return `[document omitted${part.filename ? `: ${part.filename}` : ''}]`;
  if (part.type === 'audio') return '[audio omitted]';
  return undefined;
}

function appendMessage(turn: Turn, message: CanonicalMessage): void {
  let text = '';
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
        text += part.text;
        break;
      case 'reasoning':
        if (part.text !== '') turn.reasoning.push(part.text);
        break;
      case 'image':
        if (part.source.kind === 'base64') turn.images.push(part);
        else text += omittedNote(part);
        break;
      case 'tool-call':
        turn.toolCalls.push(part);
        break;
      case 'tool-result':
        turn.toolResults.push(part);
        // Kiro tool results carry text only: their images ride on the message itself.
        for (const item of part.content) if (item.type === 'image' && item.source.kind === 'base64') turn.images.push(item);
        break;
      default:
        text += omittedNote(part) ?? '';
    }
  }
  if (text !== '') turn.segments.push(text);
}

/** Claude clients prefill `{` to force JSON; Kiro cannot continue an assistant turn, so it is dropped. */
function withoutJsonPrefill(messages: readonly CanonicalMessage[]): readonly CanonicalMessage[] {
  const last = messages.at(-1);
  const first = last?.content[0];
  if (last?.role !== 'assistant' || first?.type !== 'text' || first.text !== '{') return messages;
  const rest = last.content.slice(1);
  return rest.length > 0 ? [...messages.slice(0, -1), { ...last, content: rest }] : messages.slice(0, -1);
}

/**
 * Canonical messages -> alternating turns. User, tool-result and mid-conversation system messages all
 * belong to the user side; adjacent messages of one side become one turn, because Kiro wants strict
 * alternation.
 */
export function buildTurns(messages: readonly CanonicalMessage[]): Turn[] {
  const turns: Turn[] = [];
  for (const message of withoutJsonPrefill(messages)) {
    const role = sideOf(message);
    let turn = turns.at(-1);
    if (!turn || turn.role !== role) {
      turn = { role, segments: [], reasoning: [], images: [], toolResults: [], toolCalls: [] };
      turns.push(turn);
    }
    appendMessage(turn, message);
  }
  return turns;
}

export function turnText(turn: Turn): string {
  return turn.segments.join('\n');
}
