import { z } from 'zod';
import { proxyUrlField, secretField, urlField } from '../shared/account-fields.js';

/** One openai-custom account: any OpenAI-compatible Chat Completions API with a static key. */
export const openaiCustomAccountSchema = z
  .object({
    OPENAI_API_KEY: secretField('API key, sent as `Authorization: Bearer`'),
    OPENAI_BASE_URL: urlField('API base: `https://host` (then /v1 is added), `https://host/v1`, or a base with its own path', 'https://api.openai.com/v1'),
    PROXY_URL: proxyUrlField,
  })
  .describe('Any OpenAI-compatible API with a key');
