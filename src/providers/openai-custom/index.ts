import { openaiCustomAccountSchema } from './account-schema.js';
import type { ModelInfo, ProviderAdapter, ProviderClient, UpstreamRequest, UpstreamResponse } from '../provider-adapter.js';
import { stringSetting } from '../provider-adapter.js';
import { parseAccountSettings } from '../shared/account-fields.js';
import { postNativeRequest } from '../shared/post-native-request.js';
import { normalizeOpenAiBaseUrl } from './openai-custom-urls.js';

const PROVIDER_TYPE = 'openai-custom';

/** Any OpenAI-compatible Chat Completions API with a static key. */
export const openaiCustomAdapter: ProviderAdapter = {
  type: PROVIDER_TYPE,
  accountSchema: openaiCustomAccountSchema,
  protocol: 'openai-chat',
  setupHint: 'set OPENAI_API_KEY (and OPENAI_BASE_URL) in config.json or a provider pool',
  isConfigured: (settings) => stringSetting(settings, 'OPENAI_API_KEY') !== undefined,
  healthCheck: {
    defaultModel: 'gpt-4o-mini',
    body: (model) => ({ model, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1 }),
  },
  createClient(settings, { http }): ProviderClient {
    const account = parseAccountSettings(openaiCustomAccountSchema, settings, PROVIDER_TYPE);
    const apiKey = account.OPENAI_API_KEY ?? '';
    const base = normalizeOpenAiBaseUrl(account.OPENAI_BASE_URL);
    const chatUrl = `${base}/chat/completions`;
    const modelsUrl = `${base}/models`;
    const authorization = `Bearer ${apiKey}`;
    return {
      send: (request: UpstreamRequest): Promise<UpstreamResponse> =>
        postNativeRequest(http, { url: chatUrl, headers: { authorization }, request, providerType: PROVIDER_TYPE }),
      async listModels(signal): Promise<ModelInfo[]> {
        const response = await http.send({
          method: 'GET',
          url: modelsUrl,
          headers: { authorization, accept: 'application/json' },
          signal,
          providerType: PROVIDER_TYPE,
        });
        const list = (await response.body.json()) as { data?: Array<{ id?: unknown; owned_by?: unknown }> };
        return (list.data ?? [])
          .filter((entry) => typeof entry.id === 'string')
          .map((entry) => ({ id: entry.id as string, ownedBy: typeof entry.owned_by === 'string' ? entry.owned_by : PROVIDER_TYPE }));
      },
    };
  },
};
