import { z } from 'zod';
import { proxyUrlField, secretField, textField, wholeNumberField } from '../shared/account-fields.js';

/** One claude-kiro-oauth account: a Kiro IDE token. URL overrides may hold `{{region}}`, replaced per request. */
export const kiroAccountSchema = z
  .object({
    KIRO_OAUTH_CREDS_FILE_PATH: textField('Credential file (read, refreshed and written back). Default <KIRO_OAUTH_CREDS_DIR_PATH>/kiro-auth-token.json'),
    KIRO_OAUTH_CREDS_DIR_PATH: textField('Folder of kiro-auth-token.json when no file path is given. Default ~/.aws/sso/cache'),
    KIRO_OAUTH_CREDS_BASE64: secretField('The credential file as base64 JSON; wins over the file, refreshed tokens stay in memory'),
    KIRO_BASE_URL: textField('generateAssistantResponse URL override (`{{region}}` is substituted)'),
    KIRO_REFRESH_URL: textField('Social-login refresh URL override (`{{region}}` is substituted)'),
    KIRO_REFRESH_IDC_URL: textField('Builder ID / IdC token URL override (`{{region}}` is substituted)'),
    KIRO_CLIENT_VERSION: z.string().trim().min(1).default('0.11.63').describe('Kiro IDE version sent in the user agent (newer ones once broke the AWS path)'),
    KIRO_REFRESH_SKEW_SECONDS: wholeNumberField('Refresh the token this many seconds before it expires', 300),
    PROXY_URL: proxyUrlField,
  })
  .describe('Claude models through Kiro with a Kiro IDE token');

export type KiroAccount = z.output<typeof kiroAccountSchema>;
