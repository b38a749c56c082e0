import type { GatewayConfig } from '../config/schema.js';
import { maskSecrets as maskSecretsInText } from '../security/mask-secrets.js';
import { isSecretKey, maskSecret } from './mask-secrets.js';

/** Secrets anywhere in the tree (nested objects included) come out masked. */
function maskDeep(value: unknown, key: string, isSecret: (key: string) => boolean): unknown {
  // Other values keep their shape with any credential inside hidden (REDIS_URL's password, say).
  if (typeof value === 'string') return isSecret(key) ? maskSecret(value) : maskSecretsInText(value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, key, isSecret));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([childKey, child]) => [childKey, maskDeep(child, childKey, isSecret)]));
  }
  return value;
}

/**
 * The effective configuration (file, flags and defaults merged) as the gateway runs with it, secrets
 * masked: keys whose names say so, and `secretKeys` (what the backends' account schemas mark secret).
 */
export function createConfigView(config: GatewayConfig, secretKeys: ReadonlySet<string> = new Set()): { config: Record<string, unknown> } {
  return { config: maskDeep(config, '', (key) => isSecretKey(key) || secretKeys.has(key)) as Record<string, unknown> };
}
