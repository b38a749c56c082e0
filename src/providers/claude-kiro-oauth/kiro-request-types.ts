/** The CodeWhisperer `generateAssistantResponse` body, as far as we send it (providers.md §4.6). */

export interface KiroImage {
  format: string;
  source: { bytes: string };
}

export interface KiroToolResult {
  content: Array<{ text: string }>;
  status: 'success';
  toolUseId: string;
}

export interface KiroToolUse {
  input: Record<string, unknown>;
  name: string;
  toolUseId: string;
}

export interface KiroToolSpecification {
  toolSpecification: { name: string; description: string; inputSchema: { json: Record<string, unknown> } };
}

export interface KiroUserInputMessage {
  content: string;
  modelId: string;
  origin: 'AI_EDITOR';
  images?: KiroImage[];
  userInputMessageContext?: { toolResults?: KiroToolResult[]; tools?: KiroToolSpecification[] };
}

export interface KiroAssistantResponseMessage {
  content: string;
  toolUses?: KiroToolUse[];
}

export type KiroHistoryEntry = { userInputMessage: KiroUserInputMessage } | { assistantResponseMessage: KiroAssistantResponseMessage };

export interface KiroRequestBody {
  conversationState: {
    agentTaskType: 'vibe';
    chatTriggerType: 'MANUAL';
    conversationId: string;
    currentMessage: { userInputMessage: KiroUserInputMessage };
    history?: KiroHistoryEntry[];
  };
  profileArn?: string;
}
