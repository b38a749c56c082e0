import type { ProtocolId } from '../protocol-id.js';
import type { ProviderMetadata } from './types.js';

/**
 * Reasoning signatures belong to the protocol that produced them. When a client of another protocol has
 * to carry one across turns (Claude Code on a Gemini backend echoes thinking blocks back), the value is
 * wrapped with the owner's name in the client's own signature field, and unwrapped byte-exact when it
 * comes back. A wrapped value is never sent to a backend other than its owner.
 */
const SIGNATURE_FIELDS: Record<ProtocolId, string> = {
  claude: 'signature',
  gemini: 'thoughtSignature',
  'openai-responses': 'encryptedContent',
  'openai-chat': 'signature',
};

const WRAP_PREFIX = 'a2a.';

export function readSignature(metadata: ProviderMetadata | undefined, protocol: ProtocolId): string | undefined {
  const value = metadata?.[protocol]?.[SIGNATURE_FIELDS[protocol]];
  return typeof value === 'string' ? value : undefined;
}

export function signatureMetadata(protocol: ProtocolId, value: string): ProviderMetadata {
  return { [protocol]: { [SIGNATURE_FIELDS[protocol]]: value } };
}

/** The value to put in `client`'s signature field: its own signature, else a wrapped foreign one. */
export function signatureForClient(metadata: ProviderMetadata | undefined, client: ProtocolId): string | undefined {
  const own = readSignature(metadata, client);
  if (own !== undefined) return own;
  for (const owner of ['claude', 'gemini', 'openai-responses'] as const) {
    if (owner === client) continue;
    const foreign = readSignature(metadata, owner);
    if (foreign !== undefined) return `${WRAP_PREFIX}${owner}.${foreign}`;
  }
  return undefined;
}

/** Reads a signature a client sent back: a wrapped value returns to its owner, anything else is the client's own. */
export function signatureFromClient(value: string, client: ProtocolId): ProviderMetadata {
  if (value.startsWith(WRAP_PREFIX)) {
    const rest = value.slice(WRAP_PREFIX.length);
    const dot = rest.indexOf('.');
    const owner = rest.slice(0, dot);
    if (dot > 0 && (owner === 'claude' || owner === 'gemini' || owner === 'openai-responses')) {
      return signatureMetadata(owner, rest.slice(dot + 1));
    }
  }
  return signatureMetadata(client, value);
}

export function mergeMetadata(first: ProviderMetadata | undefined, second: ProviderMetadata | undefined): ProviderMetadata | undefined {
  if (!first) return second;
  if (!second) return first;
  const merged: ProviderMetadata = { ...first };
  for (const key of Object.keys(second) as ProtocolId[]) merged[key] = { ...first[key], ...second[key] };
  return merged;
}
