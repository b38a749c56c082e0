import type { CanonicalRequest, ContentPart } from './types.js';

/**
 * A local input-token estimate for count_tokens endpoints, good enough for clients' context management:
 * about 4 characters per token over every text the model reads (system, messages, tool calls and
 * results, tool definitions as JSON), a flat 1,600 tokens per image (Claude's cost for a ~1.2 MP
 * image), base64 documents at 3/4 of their length divided by 4, and 4 tokens of framing per message.
 */
const CHARS_PER_TOKEN = 4;
const IMAGE_TOKENS = 1600;
const MESSAGE_OVERHEAD = 4;

function partCharacters(part: ContentPart): { characters: number; tokens: number } {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return { characters: part.text.length, tokens: 0 };
    case 'image':
      return { characters: 0, tokens: IMAGE_TOKENS };
    case 'file':
      return part.source.kind === 'base64'
        ? { characters: Math.ceil(part.source.data.length * 0.75), tokens: 0 }
        : { characters: part.source.url.length, tokens: 0 };
    case 'audio':
      return { characters: Math.ceil(part.data.length * 0.75), tokens: 0 };
    case 'tool-call':
      return { characters: part.toolName.length + JSON.stringify(part.input).length, tokens: 0 };
    case 'tool-result': {
      let characters = 0;
      let tokens = 0;
      for (const item of part.content) {
        const counted = partCharacters(item);
        characters += counted.characters;
        tokens += counted.tokens;
      }
      return { characters, tokens };
    }
  }
}

export function estimateInputTokens(request: CanonicalRequest): number {
  let characters = request.system.reduce((sum, part) => sum + part.text.length, 0);
  let tokens = request.system.length > 0 ? MESSAGE_OVERHEAD : 0;
  for (const message of request.messages) {
    tokens += MESSAGE_OVERHEAD;
    for (const part of message.content) {
      const counted = partCharacters(part);
      characters += counted.characters;
      tokens += counted.tokens;
    }
  }
  for (const tool of request.tools) {
    characters += tool.kind === 'builtin' ? JSON.stringify(tool.raw).length : JSON.stringify(tool).length;
  }
  return tokens + Math.ceil(characters / CHARS_PER_TOKEN);
}
