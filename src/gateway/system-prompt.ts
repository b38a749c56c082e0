import type { ProtocolId } from '../protocols/protocol-id.js';

export interface SystemPromptSettings {
  /** Text from SYSTEM_PROMPT_FILE_PATH; empty means no override. */
  readonly text: string;
  readonly mode: 'overwrite' | 'append';
  readonly replacements: ReadonlyArray<{ readonly old: string; readonly new: string }>;
}

export function isSystemPromptActive(settings: SystemPromptSettings): boolean {
  return settings.text !== '' || settings.replacements.length > 0;
}

function replaceAll(text: string, settings: SystemPromptSettings): string {
  let result = text;
  for (const { old, new: replacement } of settings.replacements) result = result.split(old).join(replacement);
  return result;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Applies replacements to every text part of a content value (string or array of typed parts). */
function mapContentText(content: unknown, map: (text: string) => string): unknown {
  if (typeof content === 'string') return map(content);
  if (Array.isArray(content)) {
    return content.map((part) =>
      part && typeof part === 'object' && typeof (part as Json).text === 'string' ? { ...(part as Json), text: map((part as Json).text as string) } : part,
    );
  }
  return content;
}

function appendToContent(content: unknown, text: string, partType: string): unknown {
  if (typeof content === 'string') return content === '' ? text : `${content}\n${text}`;
  if (Array.isArray(content)) return [...content, { type: partType, text }];
  return text;
}

function applyToOpenAiChat(body: Json, settings: SystemPromptSettings): void {
  if (!Array.isArray(body.messages)) return;
  let messages = body.messages as unknown[];
  // Entries are unchecked client JSON: anything but an object is left for the codec (or upstream) to refuse.
  const isSystem = (message: unknown): message is Json => isRecord(message) && (message.role === 'system' || message.role === 'developer');
  if (settings.text !== '') {
    if (settings.mode === 'overwrite') {
      messages = [{ role: 'system', content: settings.text }, ...messages.filter((message) => !isSystem(message))];
    } else {
      const index = messages.findIndex(isSystem);
      if (index === -1) messages = [{ role: 'system', content: settings.text }, ...messages];
      else {
        messages = [...messages];
        const message = messages[index] as Json;
        messages[index] = { ...message, content: appendToContent(message.content, settings.text, 'text') };
      }
    }
  }
  if (settings.replacements.length > 0) {
    messages = messages.map((message) =>
      isSystem(message) ? { ...message, content: mapContentText(message.content, (text) => replaceAll(text, settings)) } : message,
    );
  }
  body.messages = messages;
}

function applyToClaude(body: Json, settings: SystemPromptSettings): void {
  if (settings.text !== '') {
    body.system = settings.mode === 'overwrite' || body.system === undefined ? settings.text : appendToContent(body.system, settings.text, 'text');
  }
  if (settings.replacements.length > 0 && body.system !== undefined) {
    body.system = mapContentText(body.system, (text) => replaceAll(text, settings));
  }
}

function applyToResponses(body: Json, settings: SystemPromptSettings): void {
  if (settings.text !== '') {
    const current = typeof body.instructions === 'string' ? body.instructions : '';
    body.instructions = settings.mode === 'overwrite' || current === '' ? settings.text : `${current}\n${settings.text}`;
  }
  if (settings.replacements.length > 0 && typeof body.instructions === 'string') {
    body.instructions = replaceAll(body.instructions, settings);
  }
}

function applyToGemini(body: Json, settings: SystemPromptSettings): void {
  const key = body.systemInstruction !== undefined || body.system_instruction === undefined ? 'systemInstruction' : 'system_instruction';
  // Gemini clients may send the instruction as a plain string; it becomes the first part, not lost.
  const given = body[key];
  const current: Json | undefined = typeof given === 'string' ? { parts: [{ text: given }] } : isRecord(given) ? given : undefined;
  if (settings.text !== '') {
    const parts = Array.isArray(current?.parts) ? (current.parts as unknown[]) : [];
    body[key] = {
      ...current,
      parts: settings.mode === 'overwrite' ? [{ text: settings.text }] : [...parts, { text: settings.text }],
    };
  }
  const instruction = body[key];
  if (settings.replacements.length > 0 && typeof instruction === 'string') body[key] = replaceAll(instruction, settings);
  else if (settings.replacements.length > 0 && isRecord(instruction) && Array.isArray(instruction.parts)) {
    body[key] = { ...instruction, parts: mapContentText(instruction.parts, (text) => replaceAll(text, settings)) };
  }
}

/**
 * Applies SYSTEM_PROMPT_FILE_PATH (overwrite or append) and SYSTEM_PROMPT_REPLACEMENTS to a client
 * body in its own protocol, so it works the same for every client and before any conversion.
 * Mutates `body`, which must be the gateway's own copy.
 */
export function applySystemPrompt(protocol: ProtocolId, body: Json, settings: SystemPromptSettings): void {
  switch (protocol) {
    case 'openai-chat':
      applyToOpenAiChat(body, settings);
      return;
    case 'claude':
      applyToClaude(body, settings);
      return;
    case 'openai-responses':
      applyToResponses(body, settings);
      return;
    case 'gemini':
      applyToGemini(body, settings);
      return;
  }
}
