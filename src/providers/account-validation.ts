import type { ProviderAdapter } from './provider-adapter.js';
import { accountIssuesOf, presentFields } from './shared/account-fields.js';

/** Checks one account's fields against its backend's schema: `path: message` of each problem, or undefined when they are fine. */
export type AccountValidator = (providerType: string, fields: Readonly<Record<string, unknown>>) => string | undefined;

function issuesOf(adapter: ProviderAdapter | undefined, fields: Readonly<Record<string, unknown>>): string[] {
  const result = adapter?.accountSchema.safeParse(presentFields(fields));
  return result === undefined || result.success ? [] : accountIssuesOf(result.error);
}

/** The validator the pools loader uses, built from the registry's account schemas. */
export function createAccountValidator(adapters: ReadonlyMap<string, ProviderAdapter>): AccountValidator {
  return (providerType, fields) => {
    const issues = issuesOf(adapters.get(providerType), fields);
    return issues.length > 0 ? issues.join('; ') : undefined;
  };
}

/** config.json's keys are the default account of every backend: the problems any backend's schema finds in them, each once. */
export function configAccountIssues(adapters: ReadonlyMap<string, ProviderAdapter>, config: Readonly<Record<string, unknown>>): string[] {
  const issues = new Set<string>();
  for (const adapter of adapters.values()) for (const issue of issuesOf(adapter, config)) issues.add(issue);
  return [...issues];
}
