/**
 * OPENAI_BASE_URL may be given as `https://host`, `https://host/v1`, or even the full
 * `.../chat/completions` endpoint; a bare host gets `/v1`, any other path is kept (providers such as
 * `.../api/paas/v4` or `.../v1beta/openai` have their own).
 */
export function normalizeOpenAiBaseUrl(baseUrl: string): string {
  let base = baseUrl.trim().replace(/\/+$/, '');
  base = base.replace(/\/chat\/completions$/, '');
  const url = new URL(base);
  if (url.pathname === '' || url.pathname === '/') return `${url.origin}/v1`;
  return base;
}
