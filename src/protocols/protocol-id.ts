/** The wire protocols the gateway speaks, on the client side and to backends. */
export type ProtocolId = 'openai-chat' | 'openai-responses' | 'claude' | 'gemini';

export const PROTOCOL_IDS: readonly ProtocolId[] = ['openai-chat', 'openai-responses', 'claude', 'gemini'];
