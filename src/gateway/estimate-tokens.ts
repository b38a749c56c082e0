import type { CanonicalRequest, ContentPart } from '../protocols/canonical/types.js';

/** Rough size of an image for token estimates (Claude bills ~1,600 tokens for a typical screenshot). */
const IMAGE_TOKENS = 1600;

function partLength(part: ContentPart): number {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return part.text.length;
    case 'tool-call':
      return part.toolName.length + JSON.stringify(part.input).length;
    case 'tool-result':
      return part.content.reduce((sum, item) => sum + partLength(item), 0);
    case 'image':
    case 'file':
      return IMAGE_TOKENS * 4;
    default:
      return 0;
  }
}

/**
 * Input tokens estimated from text length (about 4 characters a token for English and code), for
 * count_tokens / countTokens when the backend has no counting endpoint. An estimate, said so in the docs.
 */
export function estimateInputTokens(request: CanonicalRequest): number {
  let characters = 0;
  for (const part of request.system) characters += part.text.length;
  for (const message of request.messages) for (const part of message.content) characters += partLength(part);
  for (const tool of request.tools) characters += JSON.stringify(tool).length;
  return Math.max(1, Math.ceil(characters / 4));
}
