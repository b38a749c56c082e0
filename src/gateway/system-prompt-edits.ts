import { scanJson } from '../json/json-scan.js';
import { RawJson, RawJsonObject } from '../json/raw-json-object.js';
import type { ProtocolId } from '../protocols/protocol-id.js';
import { applySystemPrompt, type SystemPromptSettings } from './system-prompt.js';

/** The top-level keys applySystemPrompt reads and writes, per client protocol. */
const SYSTEM_PROMPT_KEYS: Record<ProtocolId, readonly string[]> = {
  'openai-chat': ['messages'],
  claude: ['system'],
  'openai-responses': ['instructions'],
  gemini: ['systemInstruction', 'system_instruction'],
};

/**
 * The system prompt override as top-level edits of a raw body: only the keys the override touches are
 * parsed, the override itself is applySystemPrompt's (one behaviour for raw and parsed bodies).
 * OpenAI's `messages` holds the whole conversation, so there only the system and developer messages
 * are parsed and the others travel as the bytes the client sent.
 */
export function systemPromptEdits(protocol: ProtocolId, json: RawJsonObject, settings: SystemPromptSettings): Record<string, unknown> {
  const keys = SYSTEM_PROMPT_KEYS[protocol];
  const before: Record<string, unknown> = {};
  const rawMessages = new Map<object, Uint8Array>();
  for (const key of keys) {
    if (!json.has(key)) continue;
    before[key] = protocol === 'openai-chat' ? messagesWithRawPlaceholders(json, rawMessages) : json.get(key);
  }
  const after = { ...before };
  applySystemPrompt(protocol, after, settings);
  const set: Record<string, unknown> = {};
  for (const key of keys) {
    if (after[key] === before[key]) continue;
    const value = after[key];
    set[key] = rawMessages.size > 0 && Array.isArray(value) ? RawJson.array(value.map((message) => rawOrValue(message, rawMessages))) : value;
  }
  return set;
}

function rawOrValue(value: unknown, raw: ReadonlyMap<object, Uint8Array>): unknown {
  const bytes = typeof value === 'object' && value !== null ? raw.get(value) : undefined;
  return bytes ? new RawJson(bytes) : value;
}

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;

/**
 * OpenAI `messages` with each message that is neither system nor developer replaced by an empty
 * placeholder object mapped to its bytes: applySystemPrompt leaves such messages as they are (same
 * object), so they are written back unparsed.
 */
function messagesWithRawPlaceholders(json: RawJsonObject, raw: Map<object, Uint8Array>): unknown {
  const bytes = json.rawValue('messages');
  if (!bytes || bytes[0] !== OPEN_ARRAY) return json.get('messages');
  return scanJson(bytes).elements.map(({ start, end }) => {
    const element = bytes.subarray(start, end);
    if (element[0] === OPEN_OBJECT) {
      const message = RawJsonObject.from(element) as RawJsonObject;
      const role = message.get('role');
      if (role !== 'system' && role !== 'developer') {
        const placeholder = {};
        raw.set(placeholder, element);
        return placeholder;
      }
    }
    return JSON.parse(element.toString('utf8')) as unknown;
  });
}
