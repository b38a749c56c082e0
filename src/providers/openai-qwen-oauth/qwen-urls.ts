/**
 * The chat base for a credential: `resource_url` is where Qwen's OAuth server says this account's
 * API lives. The real service returns a bare host (`portal.qwen.ai`), which becomes
 * `https://portal.qwen.ai/v1`; a value with a scheme (a mock, a proxy) keeps it. `/v1` is added
 * unless the path already ends with it. Without `resource_url`, QWEN_BASE_URL is used as given.
 */
export function deriveQwenChatBase(resourceUrl: unknown, fallbackBaseUrl: string): string {
  if (typeof resourceUrl !== 'string' || resourceUrl.trim() === '') return fallbackBaseUrl.trim().replace(/\/+$/, '');
  let base = resourceUrl.trim().replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(base)) base = `https://${base}`;
  return base.endsWith('/v1') ? base : `${base}/v1`;
}
