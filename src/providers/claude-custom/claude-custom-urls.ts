/** CLAUDE_BASE_URL is accepted as `https://host` or `https://host/v1` (the original needed `/v1`). */
export function claudeApiRoot(baseUrl: string): string {
  let base = baseUrl.trim().replace(/\/+$/, '');
  base = base.replace(/\/messages$/, '');
  return /\/v1$/.test(base) ? base : `${base}/v1`;
}
