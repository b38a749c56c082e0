/**
 * Failover decisions, pure so the gateway's retry loop stays small and every rule is a table row:
 * whether a failed attempt moves to another instance of the same group, and the ordered (group,
 * model) targets to try when a group cannot serve (providerFallbackChain, then modelFallbackMapping).
 * Unlike the original there is no random wait before switching, and fallbacks may cross protocols.
 */
import type { ErrorKind, GatewayError } from '../errors/gateway-error.js';

/** Failures another instance may not share: the account, the connection or the upstream's mood. */
const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['network', 'timeout', 'upstream', 'overloaded', 'rate_limit', 'quota', 'auth']);

/**
 * After attempt number `attemptNumber` (1-based) failed with `error`: try again (another instance
 * first)? Never for the client's own mistakes, and never past `maxAttempts` (REQUEST_MAX_RETRIES + 1
 * upstream attempts per request, fallbacks included).
 * The caller must also check that no byte reached the client yet.
 */
export function shouldFailover(error: GatewayError, attemptNumber: number, maxAttempts: number): boolean {
  if (attemptNumber >= maxAttempts) return false;
  if (error.detail.scope === 'request') return false;
  return RETRYABLE_KINDS.has(error.kind);
}

/** Statuses that say "the upstream could not take it right now", not "this request is wrong". */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * After a failure, when no other instance is eligible: may the request go to the same instance
 * again (after a REQUEST_BASE_DELAY backoff)? Only for a blip that a moment may cure: a connection
 * refused or reset, a 502/503/504 without a Retry-After (one with it has taken the instance out).
 * Never for timeouts (waiting again for a hung upstream multiplies the client's wait) and never
 * once several instances have failed this request: then the upstream is down, and the client
 * should hear so at once (`instancesTried` > 1).
 */
export function shouldRetrySameInstance(error: GatewayError, instancesTried: number): boolean {
  if (instancesTried > 1 || error.detail.scope === 'request') return false;
  if (error.kind === 'network') return true;
  return error.kind === 'upstream' && TRANSIENT_STATUSES.has(error.status) && error.detail.retryAfterMs === undefined;
}

/** providerFallbackChain: group or type → groups to try in order when it has no usable instance. */
export type ProviderFallbackChain = Readonly<Record<string, readonly string[]>>;

/** modelFallbackMapping: model → where to send it as a last resort. */
export type ModelFallbackMapping = Readonly<Record<string, { readonly targetProviderType: string; readonly targetModel: string }>>;

export interface FallbackTarget {
  readonly group: string;
  readonly model: string;
  readonly reason: 'primary' | 'provider-fallback' | 'model-fallback';
}

export interface FallbackOptions {
  readonly providerFallbackChain?: ProviderFallbackChain;
  readonly modelFallbackMapping?: ModelFallbackMapping;
  /** Adapter type of a group, so a custom group without its own chain uses its type's chain. */
  readonly adapterTypeOf?: (group: string) => string | undefined;
  /** Configured groups only (e.g. pool.hasGroup); others are left out. */
  readonly isConfigured?: (group: string) => boolean;
  /** Whether a group can serve a model at all (its model list); default: yes. */
  readonly supportsModel?: (group: string, model: string) => boolean;
}

function chainOf(group: string, options: FallbackOptions): readonly string[] {
  const chains = options.providerFallbackChain ?? {};
  const own = lookup(chains, group);
  if (own !== undefined) return own;
  const type = options.adapterTypeOf?.(group);
  return (type !== undefined ? lookup(chains, type) : undefined) ?? [];
}

/** Config keys are written by users: match group names case-insensitively like everywhere else. */
function lookup<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  if (Object.hasOwn(record, key)) return record[key];
  const lower = key.toLowerCase();
  for (const [name, value] of Object.entries(record)) if (name.toLowerCase() === lower) return value;
  return undefined;
}

/**
 * Ordered targets for one request: the primary (group, model), then the group's fallback chain with
 * the same model, then the model's fallback mapping and that target's own chain. Each (group, model)
 * appears once. The gateway walks the list, moving on when acquire() reports the group cannot
 * serve (isPoolUnavailableError) or its attempts there are used up.
 */
export function resolveFallbackTargets(group: string, model: string, options: FallbackOptions = {}): FallbackTarget[] {
  const targets: FallbackTarget[] = [];
  const seen = new Set<string>();
  const add = (candidate: string, targetModel: string, reason: FallbackTarget['reason']) => {
    const name = candidate.toLowerCase();
    const key = `${name}\u0000${targetModel}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (reason !== 'primary' && options.isConfigured !== undefined && !options.isConfigured(name)) return;
    if (reason !== 'primary' && options.supportsModel !== undefined && !options.supportsModel(name, targetModel)) return;
    targets.push({ group: name, model: targetModel, reason });
  };
  add(group, model, 'primary');
  for (const next of chainOf(group, options)) add(next, model, 'provider-fallback');
  const mapped = options.modelFallbackMapping === undefined ? undefined : lookup(options.modelFallbackMapping, model);
  if (mapped !== undefined) {
    add(mapped.targetProviderType, mapped.targetModel, 'model-fallback');
    for (const next of chainOf(mapped.targetProviderType, options)) add(next, mapped.targetModel, 'model-fallback');
  }
  return targets;
}
