import { claudeCustomAccountSchema } from './account-schema.js';
import type { ModelInfo, ProviderAdapter, ProviderClient, UpstreamRequest, UpstreamResponse } from '../provider-adapter.js';
import { stringSetting } from '../provider-adapter.js';
import { parseAccountSettings } from '../shared/account-fields.js';
import { postNativeRequest } from '../shared/post-native-request.js';
import { claudeApiRoot } from './claude-custom-urls.js';
import { CLAUDE_FALLBACK_MODELS } from './claude-models.js';

const PROVIDER_TYPE = 'claude-custom';
const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The Anthropic Messages API (or a compatible one) with a static key. */
export const claudeCustomAdapter: ProviderAdapter = {
  type: PROVIDER_TYPE,
  accountSchema: claudeCustomAccountSchema,
  protocol: 'claude',
  setupHint: 'set CLAUDE_API_KEY (and CLAUDE_BASE_URL) in config.json or a provider pool',
  isConfigured: (settings) => stringSetting(settings, 'CLAUDE_API_KEY') !== undefined,
  healthCheck: {
    defaultModel: 'claude-haiku-4-5',
    // max_tokens is required by the real API (the original's probe omitted it and always failed).
    body: (model) => ({ model, max_tokens: 1, messages: [{ role: 'user', content: 'Hi' }] }),
  },
  createClient(settings, { http }): ProviderClient {
    const account = parseAccountSettings(claudeCustomAccountSchema, settings, PROVIDER_TYPE);
    const apiKey = account.CLAUDE_API_KEY ?? '';
    const root = claudeApiRoot(account.CLAUDE_BASE_URL);
    const messagesUrl = `${root}/messages`;
    const modelsUrl = `${root}/models`;
    return {
      send(request: UpstreamRequest): Promise<UpstreamResponse> {
        const headers: Record<string, string> = {
          'x-api-key': apiKey,
          'anthropic-version': headerValue(request.clientHeaders['anthropic-version']) ?? DEFAULT_ANTHROPIC_VERSION,
        };
        const beta = headerValue(request.clientHeaders['anthropic-beta']);
        if (beta) headers['anthropic-beta'] = beta;
        return postNativeRequest(http, { url: messagesUrl, headers, request, providerType: PROVIDER_TYPE });
      },
      async listModels(signal): Promise<ModelInfo[]> {
        try {
          const response = await http.send({
            method: 'GET',
            url: `${modelsUrl}?limit=1000`,
            headers: { 'x-api-key': apiKey, 'anthropic-version': DEFAULT_ANTHROPIC_VERSION },
            signal,
            providerType: PROVIDER_TYPE,
          });
          const list = (await response.body.json()) as { data?: Array<{ id?: unknown }> };
          const models = (list.data ?? []).filter((entry) => typeof entry.id === 'string');
          if (models.length > 0) return models.map((entry) => ({ id: entry.id as string, ownedBy: 'anthropic' }));
        } catch (error) {
          if (signal.aborted) throw error;
        }
        return CLAUDE_FALLBACK_MODELS.map((id) => ({ id, ownedBy: 'anthropic' }));
      },
    };
  },
};
