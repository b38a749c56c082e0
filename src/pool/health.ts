/**
 * Passive health: what one outcome does to an instance's state. Pure functions of (state, outcome,
 * policy, clock, dice) so every rule is a table row in the tests. Unlike the original there is no
 * 10-second window: consecutive failures count however far apart they are, and any success resets.
 */
import type { GatewayError } from '../errors/gateway-error.js';
import type { InstanceState } from './state-store.js';

export type FailureClass = 'network' | 'timeout' | 'server' | 'rate_limit' | 'quota' | 'auth' | 'client';

export interface RateLimitCooldownPolicy {
  /**
   * Off = a 429 without a Retry-After does not cool the instance (the original's default); we default
   * to on. A Retry-After (header or body hint) on a 429 or 503 is honoured either way.
   */
  readonly enabled: boolean;
  /** Cooldown when the upstream gave no Retry-After (RATE_LIMIT_COOLDOWN_MS). */
  readonly ms: number;
  readonly jitterMs: number;
  /** Cap for every cooldown, Retry-After included (RATE_LIMIT_COOLDOWN_MAX_MS). */
  readonly maxMs: number;
}

export interface HealthPolicy {
  /** Consecutive instance failures that make it unhealthy (MAX_ERROR_COUNT). */
  readonly maxErrorCount: number;
  readonly rateLimitCooldown: RateLimitCooldownPolicy;
  /** Weight of the newest sample in the latency averages. */
  readonly ewmaAlpha: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = Object.freeze({
  maxErrorCount: 10,
  rateLimitCooldown: Object.freeze({ enabled: true, ms: 30_000, jitterMs: 5_000, maxMs: 300_000 }),
  ewmaAlpha: 0.3,
});

/** Which failures are the instance's business, and how. */
export function classifyFailure(error: GatewayError): FailureClass {
  // A request-scoped failure (bad body, unknown model for this request) says nothing about the account.
  if (error.detail.scope === 'request') return 'client';
  switch (error.kind) {
    case 'network':
      return 'network';
    case 'timeout':
      return 'timeout';
    case 'upstream':
    case 'overloaded':
      return 'server';
    case 'rate_limit':
      return 'rate_limit';
    case 'quota':
      return 'quota';
    case 'auth':
      return 'auth';
    default:
      // invalid_request, not_found, payload_too_large, internal (our bug), ...: never the instance's fault.
      return 'client';
  }
}

/** Model names come from clients: `constructor` or `__proto__` must read and write as plain keys. */
function modelCooldownOf(state: InstanceState, model: string): number {
  return Object.hasOwn(state.modelCooldowns, model) ? (state.modelCooldowns[model] ?? 0) : 0;
}

function withModelCooldown(state: InstanceState, model: string, until: number, now: number): Record<string, number> {
  const next: Record<string, number> = {};
  // Expired entries are dropped on every write so the record stays as small as the live cooldowns.
  const set = (name: string, time: number) => Object.defineProperty(next, name, { value: time, enumerable: true, writable: true, configurable: true });
  for (const [name, time] of Object.entries(state.modelCooldowns)) if (time > now) set(name, time);
  set(model, Math.max(modelCooldownOf(state, model), until));
  return next;
}

/** The upstream's own "come back in N ms" (Retry-After header or body hint), when it gave one. */
function retryHint(error: GatewayError): number | undefined {
  const hinted = error.detail.retryAfterMs;
  return hinted !== undefined && hinted > 0 ? hinted : undefined;
}

function rateLimitDelay(error: GatewayError, policy: RateLimitCooldownPolicy, random: () => number): number {
  // The upstream said how long: sending sooner only earns more 429s, whatever the flag says.
  const hinted = retryHint(error);
  if (hinted !== undefined) return Math.min(hinted, policy.maxMs);
  if (!policy.enabled) return 0;
  return Math.min(policy.ms + Math.floor(random() * policy.jitterMs), policy.maxMs);
}

/** A cooldown for the instance, or only for `model` when the upstream scoped its answer to it. */
function cooldownEffect(state: InstanceState, model: string, until: number, now: number, scopedToModel: boolean): Partial<InstanceState> {
  if (scopedToModel) return { modelCooldowns: withModelCooldown(state, model, until, now) };
  return { cooldownUntil: Math.max(state.cooldownUntil, until) };
}

/** The state change one failed attempt causes. */
export function failureEffect(
  state: InstanceState,
  error: GatewayError,
  model: string,
  policy: HealthPolicy,
  now: number,
  random: () => number,
): Partial<InstanceState> {
  const failureClass = classifyFailure(error);
  if (failureClass === 'client') return {};
  const lastError = { message: error.message, kind: error.kind, status: error.status, at: now };
  const scopedToModel = error.detail.scope === 'model';
  switch (failureClass) {
    case 'rate_limit': {
      const delay = rateLimitDelay(error, policy.rateLimitCooldown, random);
      if (delay <= 0) return { lastError };
      return { lastError, ...cooldownEffect(state, model, now + delay, now, scopedToModel) };
    }
    case 'quota': {
      // Without a reset time we still take it out for a while rather than hammering an empty quota.
      const until = now + (error.detail.retryAfterMs ?? policy.rateLimitCooldown.maxMs);
      if (scopedToModel) return { lastError, modelCooldowns: withModelCooldown(state, model, until, now) };
      return { lastError, quotaOutUntil: Math.max(state.quotaOutUntil, until) };
    }
    case 'auth': {
      // A refusal that survived the gateway's one refresh-and-retry will not heal by itself: out until a probe passes.
      if (scopedToModel) {
        const until = now + policy.rateLimitCooldown.maxMs;
        return { lastError, modelCooldowns: withModelCooldown(state, model, until, now) };
      }
      return {
        lastError,
        healthy: false,
        consecutiveErrors: state.consecutiveErrors + 1,
        errorCount: state.errorCount + 1,
      };
    }
    default: {
      // 503 + Retry-After: the upstream is pausing this account on purpose and said for how long.
      const hinted = error.status === 503 ? retryHint(error) : undefined;
      if (hinted !== undefined) {
        return { lastError, ...cooldownEffect(state, model, now + Math.min(hinted, policy.rateLimitCooldown.maxMs), now, scopedToModel) };
      }
      const consecutiveErrors = state.consecutiveErrors + 1;
      return {
        lastError,
        consecutiveErrors,
        errorCount: state.errorCount + 1,
        healthy: state.healthy && consecutiveErrors < policy.maxErrorCount,
      };
    }
  }
}

function ewma(previous: number | undefined, sample: number, alpha: number): number {
  return previous === undefined ? sample : previous + alpha * (sample - previous);
}

/** A success proves the instance works: errors reset and latency averages learn. */
export function successEffect(
  state: InstanceState,
  sample: { firstByteMs: number; durationMs: number },
  policy: HealthPolicy,
  now: number,
): Partial<InstanceState> {
  return {
    healthy: true,
    consecutiveErrors: 0,
    lastSuccessAt: now,
    firstByteEwmaMs: ewma(state.firstByteEwmaMs, Math.max(0, sample.firstByteMs), policy.ewmaAlpha),
    latencyEwmaMs: ewma(state.latencyEwmaMs, Math.max(0, sample.durationMs), policy.ewmaAlpha),
  };
}

/**
 * Whether the instance may serve `model` at `now` (model filters are the pool's job). An admin
 * override in the state beats the pools file's isDisabled.
 */
export function isAvailableAt(state: InstanceState, model: string, now: number, disabledInFile = false): boolean {
  return (
    state.healthy &&
    !(state.disabled ?? disabledInFile) &&
    !state.needsRefresh &&
    state.cooldownUntil <= now &&
    state.quotaOutUntil <= now &&
    modelCooldownOf(state, model) <= now
  );
}

/** When a currently cooling instance comes back for `model` (undefined if it is not cooling). */
export function cooldownEndsAt(state: InstanceState, model: string, now: number): number | undefined {
  const until = Math.max(state.cooldownUntil, state.quotaOutUntil, modelCooldownOf(state, model));
  return until > now ? until : undefined;
}
