/**
 * The headers Qwen Code sends (providers.md §5.2). The service identifies OAuth traffic by
 * `X-DashScope-AuthType: qwen-oauth`; the user agent and Stainless fields mirror Qwen Code's own
 * OpenAI SDK client, since the portal is built for that client.
 */
const QWEN_CODE_VERSION = '0.14.2';

function stainlessArch(): string {
  return process.arch === 'x64' ? 'x86_64' : process.arch;
}

export function buildQwenHeaders(accessToken: string, stream: boolean): Record<string, string> {
  const userAgent = `QwenCode/${QWEN_CODE_VERSION} (${process.platform}; ${process.arch})`;
  return {
    'content-type': 'application/json',
    authorization: `Bearer ${accessToken}`,
    'user-agent': userAgent,
    'x-dashscope-useragent': userAgent,
    'x-stainless-runtime-version': 'v22.17.0',
    'x-stainless-lang': 'js',
    'x-stainless-arch': stainlessArch(),
    'x-stainless-package-version': '5.11.0',
    'x-dashscope-cachecontrol': 'enable',
    'x-dashscope-authtype': 'qwen-oauth',
    'x-stainless-runtime': 'node',
    accept: stream ? 'text/event-stream' : 'application/json',
  };
}
