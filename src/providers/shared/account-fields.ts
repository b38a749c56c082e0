import { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error.js';

/**
 * Building blocks of the providers' account schemas: the fields one account (a pools entry, or the
 * keys of config.json) may set. Every field is optional: a pools entry inherits what config.json
 * sets, and defaults fill the rest. `secret` marks what a UI must mask and a log must never show.
 */

/** Free text: trimmed, never empty (a blank value is dropped before validation: it means "not set"). */
export function textField(description: string) {
  return z.string().trim().min(1).optional().describe(description);
}

export function secretField(description: string) {
  return z.string().trim().min(1).optional().meta({ description, secret: true });
}

/** An http(s) URL; `fallback` is what an account that does not set it gets. */
export function urlField(description: string, fallback: string) {
  return z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .trim()
    .default(fallback)
    .describe(description);
}

/** A whole number, also written as a digit string (hand-edited files, command-line flags). */
export function wholeNumberField(description: string, fallback: number, min = 0) {
  return z
    .union([z.number(), z.string().trim().regex(/^\d+$/).transform(Number)], { error: 'expected a whole number' })
    .pipe(z.number().int().min(min))
    .default(fallback)
    .describe(description);
}

/** A list of names, as a JSON array or one comma-separated string (the original accepted both); blanks are dropped by the reader. */
export function nameListField(description: string) {
  return z
    .union([z.array(z.string()), z.string().transform((text) => text.split(','))])
    .pipe(z.array(z.string().trim()))
    .default([])
    .describe(description);
}

/** PROXY_URL of one account: wins over the global one (http://, https://, socks5://; it may carry a password). */
export const proxyUrlField = secretField(
  'Outbound proxy for this account only (http://, https:// or socks5://, user:password allowed); wins over the global PROXY_URL',
);

/**
 * An account's fields as a user wrote them, ready to validate: `null` and blank strings mean "not
 * set" (the original's files and web UI write both), so they are left out.
 */
export function presentFields(settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const present: Record<string, unknown> = {};
  for (const key in settings) {
    const value = settings[key];
    if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) continue;
    present[key] = value;
  }
  return present;
}

/** `path: message` of each problem, for warnings and config errors (zod's messages name types, never values). */
export function accountIssuesOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(account)'}: ${issue.message}`);
}

/**
 * One account's settings (config.json merged with its pools entry) read through its backend's
 * schema: typed values with defaults filled in. The loaders check the same schema first, so a
 * failure here means settings that bypassed them; it is the account's problem, named by field.
 */
export function parseAccountSettings<Schema extends z.ZodType>(
  schema: Schema,
  settings: Readonly<Record<string, unknown>>,
  providerType: string,
): z.output<Schema> {
  const result = schema.safeParse(presentFields(settings));
  if (result.success) return result.data;
  throw new GatewayError('account_settings_invalid', 'auth', `${providerType}: invalid account settings: ${accountIssuesOf(result.error).join('; ')}`, {
    scope: 'account',
  });
}
