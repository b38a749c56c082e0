import type { ProtocolCodec } from './canonical/types.js';
import { claudeCodec } from './claude/index.js';
import { geminiCodec } from './gemini/index.js';
import { openaiChatCodec } from './openai-chat/index.js';
import { openaiResponsesCodec } from './openai-responses/index.js';
import type { ProtocolId } from './protocol-id.js';

const CODECS: Readonly<Record<ProtocolId, ProtocolCodec>> = Object.freeze({
  claude: claudeCodec,
  'openai-chat': openaiChatCodec,
  'openai-responses': openaiResponsesCodec,
  gemini: geminiCodec,
});

export function getCodec(id: ProtocolId): ProtocolCodec {
  return CODECS[id];
}
