import { claudeCustomAdapter } from './claude-custom/index.js';
import { claudeKiroOauthAdapter } from './claude-kiro-oauth/index.js';
import { geminiCliOAuthAdapter } from './gemini-cli-oauth/index.js';
import { openaiCustomAdapter } from './openai-custom/index.js';
import { openaiQwenOauthAdapter } from './openai-qwen-oauth/index.js';
import type { ProviderAdapter } from './provider-adapter.js';

/** Every backend this gateway implements: adding one is a folder plus a line here. */
export const PROVIDER_ADAPTERS: ReadonlyMap<string, ProviderAdapter> = new Map(
  [openaiCustomAdapter, claudeCustomAdapter, geminiCliOAuthAdapter, openaiQwenOauthAdapter, claudeKiroOauthAdapter].map((adapter) => [adapter.type, adapter]),
);
