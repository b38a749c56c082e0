import { asArray } from './json.js';
import type { ContentPart } from './types.js';

/**
 * Message content as OpenAI's wire formats carry it: a plain string (empty means no parts) or an array
 * of parts, each read by the protocol's own part decoder (parts it does not know are dropped).
 */
export function decodeContentParts(content: unknown, decodePart: (part: unknown) => ContentPart | undefined): ContentPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const parts: ContentPart[] = [];
  for (const raw of asArray(content)) {
    const part = decodePart(raw);
    if (part !== undefined) parts.push(part);
  }
  return parts;
}
