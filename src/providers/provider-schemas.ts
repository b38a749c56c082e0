import { z } from 'zod';
import type { ProviderAdapter } from './provider-adapter.js';

/** What the admin API tells a UI about one backend type: enough to build its add / edit form. */
export interface ProviderDescription {
  readonly type: string;
  readonly protocol: string;
  readonly setupHint: string;
  /** `aiclient2api auth <command>`, when the backend has a login. */
  readonly loginCommand: string | undefined;
  /** JSON Schema (2020-12) of one account's fields; secret ones carry `"secret": true`. */
  readonly accountSchema: Record<string, unknown>;
}

/**
 * Each backend's account schema as JSON Schema, in the shape a user writes (digit strings allowed
 * where numbers are), with the defaults an account gets when it leaves a field out.
 */
export function describeProviders(adapters: ReadonlyMap<string, ProviderAdapter>): ProviderDescription[] {
  return [...adapters.values()].map((adapter) => {
    // Output side: pipes show their target type and defaults are listed; no field is required (config.json may supply it).
    const {
      required: _required,
      additionalProperties: _closed,
      ...accountSchema
    } = z.toJSONSchema(adapter.accountSchema, {
      io: 'output',
      unrepresentable: 'any',
    }) as Record<string, unknown>;
    return {
      type: adapter.type,
      protocol: adapter.protocol,
      setupHint: adapter.setupHint,
      loginCommand: adapter.login?.command,
      accountSchema,
    };
  });
}

/**
 * Every field any backend's account schema reads (its config.json and pools-file keys). A backend
 * declares its keys only there, never in the gateway's config schema, so code that asks "does the
 * gateway read this key?" asks both.
 */
export function accountFieldNames(adapters: ReadonlyMap<string, ProviderAdapter>): Set<string> {
  return new Set(describeProviders(adapters).flatMap((provider) => Object.keys(propertiesOf(provider))));
}

/** Every field some backend marks secret (`secretField`): what a UI masks even when its name does not say so (PROXY_URL). */
export function secretAccountFields(adapters: ReadonlyMap<string, ProviderAdapter>): Set<string> {
  return new Set(
    describeProviders(adapters).flatMap((provider) =>
      Object.entries(propertiesOf(provider))
        .filter(([, property]) => property.secret === true)
        .map(([field]) => field),
    ),
  );
}

function propertiesOf(provider: ProviderDescription): Record<string, { secret?: unknown }> {
  return (provider.accountSchema.properties ?? {}) as Record<string, { secret?: unknown }>;
}
