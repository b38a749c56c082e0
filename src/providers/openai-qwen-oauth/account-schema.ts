import { z } from 'zod';
import { proxyUrlField, textField, urlField, wholeNumberField } from '../shared/account-fields.js';

/** One openai-qwen-oauth account: a Qwen OAuth credential file (Qwen Code's, or written by `aiclient2api auth qwen`). */
export const qwenAccountSchema = z
  .object({
    QWEN_OAUTH_CREDS_FILE_PATH: textField(
      'Credential file (read, refreshed and written back; shared with Qwen Code). Default ~/.qwen/oauth_creds.json; relative to the working directory',
    ),
    QWEN_OAUTH_BASE_URL: urlField('OAuth server (device code and token endpoints)', 'https://chat.qwen.ai'),
    QWEN_BASE_URL: urlField('Chat API base, used only when the credentials carry no resource_url', 'https://dashscope.aliyuncs.com/compatible-mode/v1'),
    QWEN_REFRESH_SKEW_MS: wholeNumberField('Refresh the token this many ms before it expires', 300_000),
    PROXY_URL: proxyUrlField,
  })
  .describe('Qwen Code models with Qwen OAuth');

export type QwenAccount = z.output<typeof qwenAccountSchema>;
