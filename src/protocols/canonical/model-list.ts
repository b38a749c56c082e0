import type { ProtocolId } from '../protocol-id.js';

export interface ModelInfo {
  id: string;
  displayName?: string;
  ownedBy?: string;
  /** Unix seconds. */
  created?: number;
  inputTokenLimit?: number;
  outputTokenLimit?: number;
}

/**
 * A model list in the shape each client expects: OpenAI `{object:"list", data}` (also for Responses
 * clients), Anthropic `{data, has_more, first_id, last_id}` (when the request carries
 * anthropic-version), Gemini `{models:[{name:"models/..."}]}`.
 */
export function encodeModelList(protocol: ProtocolId, models: readonly ModelInfo[]): unknown {
  switch (protocol) {
    case 'claude':
      return {
        data: models.map((model) => ({
          type: 'model',
          id: model.id,
          display_name: model.displayName ?? model.id,
          created_at: new Date((model.created ?? 0) * 1000).toISOString(),
        })),
        has_more: false,
        first_id: models[0]?.id ?? null,
        last_id: models.at(-1)?.id ?? null,
      };
    case 'gemini':
      return {
        models: models.map((model) => ({
          name: `models/${model.id}`,
          version: '001',
          displayName: model.displayName ?? model.id,
          description: model.displayName ?? model.id,
          inputTokenLimit: model.inputTokenLimit ?? 1048576,
          outputTokenLimit: model.outputTokenLimit ?? 65536,
          supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
        })),
      };
    default:
      return {
        object: 'list',
        data: models.map((model) => ({ id: model.id, object: 'model', created: model.created ?? 0, owned_by: model.ownedBy ?? 'aiclient2api' })),
      };
  }
}
