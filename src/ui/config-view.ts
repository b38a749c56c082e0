import type { GatewayConfig } from '../config/schema.js';
import { isSecretKey, maskSecret } from './mask-secrets.js';

/** Secrets anywhere in the tree (nested objects included) come out masked. */
function maskDeep(value: unknown, key: string): unknown {
  if (typeof value === 'string') return isSecretKey(key) ? maskSecret(value) : value;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, key));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([childKey, child]) => [childKey, maskDeep(child, childKey)]));
  }
  return value;
}

/** The effective configuration (file, flags and defaults merged) as the gateway runs with it, secrets masked. */
export function createConfigView(config: GatewayConfig): { config: Record<string, unknown> } {
  return { config: maskDeep(config, '') as Record<string, unknown> };
}
