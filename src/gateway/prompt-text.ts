import type { ProtocolId } from '../protocols/protocol-id.js';

/**
 * Text extraction for prompt logs only (PROMPT_LOG_MODE); never on the hot path when logging is off.
 * Reads client and upstream bodies that no codec has checked, so every function here is total: any
 * JSON value (null list entries, numbers where text belongs) yields text or '' and never throws.
 */
type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  const texts: string[] = [];
  for (const part of list(content)) {
    let text = '';
    if (typeof part === 'string') text = part;
    else if (isRecord(part)) {
      if (typeof part.text === 'string') text = part.text;
      else if (part.type === 'tool_result') text = textOf(part.content);
    }
    if (text !== '') texts.push(text);
  }
  return texts.join('\n');
}

function roleOf(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** The conversation a client sent, as `role: text` lines. */
export function extractInputText(protocol: ProtocolId, body: Json): string {
  const lines: string[] = [];
  const push = (role: string, text: string) => {
    if (text !== '') lines.push(`[${role}] ${text}`);
  };
  if (protocol === 'claude') {
    push('system', textOf(body.system));
    for (const message of list(body.messages)) push(roleOf(field(message, 'role'), 'user'), textOf(field(message, 'content')));
  } else if (protocol === 'openai-chat') {
    for (const message of list(body.messages)) push(roleOf(field(message, 'role'), 'user'), textOf(field(message, 'content')));
  } else if (protocol === 'openai-responses') {
    if (typeof body.instructions === 'string') push('system', body.instructions);
    if (typeof body.input === 'string') push('user', body.input);
    else {
      for (const item of list(body.input)) push(roleOf(field(item, 'role'), roleOf(field(item, 'type'), 'user')), textOf(field(item, 'content')));
    }
  } else {
    const instruction = body.systemInstruction ?? body.system_instruction;
    push('system', typeof instruction === 'string' ? instruction : textOf(field(instruction, 'parts')));
    for (const content of list(body.contents)) push(roleOf(field(content, 'role'), 'user'), textOf(field(content, 'parts')));
  }
  return lines.join('\n');
}

/** Output text of one streamed event's JSON payload (any JSON value). */
export function extractStreamDeltaText(protocol: ProtocolId, payload: unknown): string {
  if (protocol === 'claude') {
    const text = field(field(payload, 'delta'), 'text');
    return field(payload, 'type') === 'content_block_delta' && typeof text === 'string' ? text : '';
  }
  if (protocol === 'openai-chat') {
    const content = field(field(list(field(payload, 'choices'))[0], 'delta'), 'content');
    return typeof content === 'string' ? content : '';
  }
  if (protocol === 'gemini') return textOf(field(field(list(field(payload, 'candidates'))[0], 'content'), 'parts'));
  const delta = field(payload, 'delta');
  return field(payload, 'type') === 'response.output_text.delta' && typeof delta === 'string' ? delta : '';
}

/** Output text of a complete (non-streamed) response (any JSON value). */
export function extractResponseText(protocol: ProtocolId, payload: unknown): string {
  if (protocol === 'claude') return textOf(field(payload, 'content'));
  if (protocol === 'openai-chat') return textOf(field(field(list(field(payload, 'choices'))[0], 'message'), 'content'));
  if (protocol === 'gemini') return extractStreamDeltaText('gemini', payload);
  return list(field(payload, 'output'))
    .map((item) => textOf(field(item, 'content')))
    .join('\n');
}
