import { z } from 'zod';
import { proxyUrlField, secretField, urlField } from '../shared/account-fields.js';

/** One claude-custom account: the Anthropic Messages API (or a compatible one) with a static key. */
export const claudeCustomAccountSchema = z
  .object({
    CLAUDE_API_KEY: secretField('API key, sent as `x-api-key`'),
    CLAUDE_BASE_URL: urlField('API base, `https://host` or `https://host/v1`', 'https://api.anthropic.com'),
    PROXY_URL: proxyUrlField,
  })
  .describe('The Anthropic API or a compatible one with a key');
