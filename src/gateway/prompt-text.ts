import type { ProtocolId } from '../protocols/protocol-id.js';

/** Text extraction for prompt logs only (PROMPT_LOG_MODE); never on the hot path when logging is off. */
type Json = Record<string, unknown>;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (typeof part === 'string') return part;
        const record = part as Json;
        if (typeof record?.text === 'string') return record.text;
        if (record?.type === 'tool_result') return textOf(record.content);
        return '';
      })
      .filter((text) => text !== '')
      .join('\n');
  }
  return '';
}

/** The conversation a client sent, as `role: text` lines. */
export function extractInputText(protocol: ProtocolId, body: Json): string {
  const lines: string[] = [];
  const push = (role: string, text: string) => {
    if (text !== '') lines.push(`[${role}] ${text}`);
  };
  if (protocol === 'claude') {
    push('system', textOf(body.system));
    for (const message of (body.messages as Json[] | undefined) ?? []) push(String(message.role), textOf(message.content));
  } else if (protocol === 'openai-chat') {
    for (const message of (body.messages as Json[] | undefined) ?? []) push(String(message.role), textOf(message.content));
  } else if (protocol === 'openai-responses') {
    if (typeof body.instructions === 'string') push('system', body.instructions);
    if (typeof body.input === 'string') push('user', body.input);
    else for (const item of (body.input as Json[] | undefined) ?? []) push(String(item.role ?? item.type), textOf(item.content));
  } else {
    push('system', textOf((body.systemInstruction as Json | undefined)?.parts));
    for (const content of (body.contents as Json[] | undefined) ?? []) push(String(content.role ?? 'user'), textOf(content.parts));
  }
  return lines.join('\n');
}

/** Output text of one streamed event's JSON payload. */
export function extractStreamDeltaText(protocol: ProtocolId, payload: Json): string {
  if (protocol === 'claude') {
    const delta = payload.delta as Json | undefined;
    return payload.type === 'content_block_delta' && typeof delta?.text === 'string' ? delta.text : '';
  }
  if (protocol === 'openai-chat') {
    const choice = (payload.choices as Json[] | undefined)?.[0];
    const content = (choice?.delta as Json | undefined)?.content;
    return typeof content === 'string' ? content : '';
  }
  if (protocol === 'gemini') {
    const candidate = (payload.candidates as Json[] | undefined)?.[0];
    return textOf((candidate?.content as Json | undefined)?.parts);
  }
  return payload.type === 'response.output_text.delta' && typeof payload.delta === 'string' ? payload.delta : '';
}

/** Output text of a complete (non-streamed) response. */
export function extractResponseText(protocol: ProtocolId, payload: Json): string {
  if (protocol === 'claude') return textOf(payload.content);
  if (protocol === 'openai-chat') {
    const choice = (payload.choices as Json[] | undefined)?.[0];
    return textOf((choice?.message as Json | undefined)?.content);
  }
  if (protocol === 'gemini') return extractStreamDeltaText('gemini', payload);
  return ((payload.output as Json[] | undefined) ?? []).map((item) => textOf(item.content)).join('\n');
}
