import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { parseDurationMs } from '../../upstream/upstream-error.js';
import { PROVIDER_TYPE } from './gemini-settings.js';

/** A wait this long is a used-up daily/plan quota rather than a short burst limit. */
const QUOTA_THRESHOLD_MS = 15 * 60_000;

/**
 * Classifies a Code Assist failure for the pool. The HTTP client already parsed status, message,
 * `error.status` and the retry hint (RetryInfo.retryDelay, quotaResetDelay or "reset after Ns");
 * here the Code Assist specifics are added: a 403 PERMISSION_DENIED almost always means the project
 * is wrong or not enabled for this account (issue #159), and a 429 limits one model, not the account.
 */
export function classifyCodeAssistError(error: unknown, context: { project: string | undefined; projectSource: 'config' | 'discovered' }): unknown {
  if (!isGatewayError(error) || error.status === undefined) return error;
  const { status, detail } = error;
  if (status === 403) {
    const permissionDenied = detail.upstreamType === 'PERMISSION_DENIED' || /permission denied/i.test(error.message);
    if (!permissionDenied) return error;
    const hint =
      context.projectSource === 'config'
        ? "check PROJECT_ID (or remove it to let the gateway discover the account's own project)"
        : 'the project the account reported cannot be used; set PROJECT_ID to a project with Gemini Code Assist enabled';
    return new GatewayError(
      'gemini_project_forbidden',
      'auth',
      `${PROVIDER_TYPE}: Google denied this account access to project "${context.project ?? ''}" (PERMISSION_DENIED: ${error.message}); ${hint}`,
      { ...detail, status: 403, scope: 'account' },
    );
  }
  if (status === 429) {
    // "Your quota will reset after 2h31m5s." (the shared parser only knows s/ms/m in messages).
    const resetText = /reset after ((?:\d+(?:\.\d+)?(?:ms|h|m|s))+)/i.exec(error.message)?.[1];
    const retryAfterMs = detail.retryAfterMs ?? (resetText ? parseDurationMs(resetText) : undefined);
    const exhaustedQuota = /per day|daily/i.test(error.message) || (retryAfterMs !== undefined && retryAfterMs >= QUOTA_THRESHOLD_MS);
    return new GatewayError(exhaustedQuota ? 'gemini_quota_exhausted' : error.code, exhaustedQuota ? 'quota' : 'rate_limit', error.message, {
      ...detail,
      status: 429,
      retryAfterMs,
      scope: 'model',
    });
  }
  return error;
}
