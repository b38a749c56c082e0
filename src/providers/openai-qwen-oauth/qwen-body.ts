/**
 * The one change the service needs: it rejects the `developer` role that OpenAI clients send for
 * system instructions ("developer is not one of ['system', 'assistant', 'user', 'tool', 'function']",
 * seen in CLIProxyAPI issue #930), so such messages are sent as `system`. Everything else is
 * forwarded byte for byte: no injected "You are Qwen Code." system message and no dummy `ext` tool
 * (the original's workarounds; nothing shows the service requires them, and they change answers).
 */
const DEVELOPER_ROLE = /"role"\s*:\s*"developer"/;

export function prepareQwenBody(body: Buffer): Buffer {
  // Cheap byte test first: almost every request has no developer message and stays untouched.
  if (!DEVELOPER_ROLE.test(body.toString('latin1'))) return body;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return body;
  }
  if (!Array.isArray(parsed.messages)) return body;
  let changed = false;
  parsed.messages = parsed.messages.map((message: unknown) => {
    if (typeof message === 'object' && message !== null && (message as { role?: unknown }).role === 'developer') {
      changed = true;
      return { ...(message as Record<string, unknown>), role: 'system' };
    }
    return message;
  });
  return changed ? Buffer.from(JSON.stringify(parsed)) : body;
}
