/**
 * Writes outcomes into the state store: request outcomes (passive health), probe results (active
 * health) and admin resets. The rules themselves are the pure functions of health.ts.
 */
import type { GatewayError } from '../errors/gateway-error.js';
import { type HealthPolicy, classifyFailure, failureEffect, successEffect } from './health.js';
import type { LeaseOutcome } from './lease.js';
import type { PoolLogger } from './pool-logger.js';
import type { PoolStateStore } from './state-store.js';

export class HealthRecorder {
  constructor(
    private readonly store: PoolStateStore,
    private readonly policy: HealthPolicy,
    private readonly now: () => number,
    private readonly random: () => number,
    private readonly logger: PoolLogger,
  ) {}

  recordOutcome(id: string, model: string, startedAt: number, outcome: LeaseOutcome): void {
    const now = this.now();
    if (outcome.kind === 'success') {
      const sample = { firstByteMs: outcome.firstByteMs, durationMs: now - startedAt };
      this.store.patch(id, successEffect(this.store.get(id), sample, this.policy, now));
    } else if (outcome.kind === 'failure') {
      this.recordFailure(id, model, outcome.error, now);
    }
  }

  recordFailure(id: string, model: string, error: GatewayError, now = this.now()): void {
    const state = this.store.get(id);
    const effect = failureEffect(state, error, model, this.policy, now, this.random);
    if (Object.keys(effect).length > 0) this.store.patch(id, effect);
    if (effect.healthy === false && state.healthy) {
      this.logger.warn({ instance: id, kind: error.kind, status: error.status }, 'pool instance marked unhealthy');
    }
  }

  /**
   * A failed probe. Rate limits and quota cool the instance as usual; any other instance-side
   * failure makes it unhealthy at once (a probe is deliberate evidence, not one unlucky request);
   * a client-class failure (say, a bad probe model) changes nothing.
   */
  recordProbeFailure(id: string, model: string, error: GatewayError): void {
    const now = this.now();
    const failureClass = classifyFailure(error);
    if (failureClass === 'rate_limit' || failureClass === 'quota') this.recordFailure(id, model, error, now);
    const unhealthy = failureClass !== 'client' && failureClass !== 'rate_limit' && failureClass !== 'quota';
    const lastError = { message: error.message, kind: error.kind, status: error.status, at: now };
    this.store.patch(id, { lastHealthCheckAt: now, ...(unhealthy ? { healthy: false, lastError } : {}) });
  }

  /** Probe passed or an admin says so: healthy, error streak cleared. */
  markHealthy(id: string): void {
    this.store.patch(id, { healthy: true, consecutiveErrors: 0, lastHealthCheckAt: this.now() });
  }

  /** Admin reset: healthy, no cooldowns, no error streak, no last error. */
  reset(id: string): void {
    this.store.patch(id, {
      healthy: true,
      needsRefresh: false,
      consecutiveErrors: 0,
      cooldownUntil: 0,
      modelCooldowns: {},
      quotaOutUntil: 0,
      lastError: undefined,
    });
  }
}
