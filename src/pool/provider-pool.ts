/**
 * The pool the gateway uses: groups of instances, selection through a strategy over cached
 * candidates, per-instance concurrency slots with bounded FIFO queues, and passive health from the
 * outcome each lease reports. Choosing (strategies), knowing (health, state store) and retrying
 * (failover) live in their own modules; this class only wires them together.
 */
import type { GatewayError } from '../errors/gateway-error.js';
import type { HealthCheckTarget } from './health-checker.js';
import { DEFAULT_HEALTH_POLICY, type HealthPolicy, type RateLimitCooldownPolicy, isAvailableAt } from './health.js';
import { HealthRecorder } from './health-recorder.js';
import type { Lease, LeaseOutcome } from './lease.js';
import { createNoInstanceError, createSaturatedError } from './pool-errors.js';
import { type PoolInstance, initialStateFrom } from './pool-instance.js';
import { type PoolLogger, noopLogger } from './pool-logger.js';
import { type PoolGroupConfig, type PoolGroups, buildGroups } from './pool-groups.js';
import { type PoolSummary, summarizeInstances } from './pool-summary.js';
import type { InstanceState, PoolStateStore } from './state-store.js';
import type { SharedSlots } from './shared-slots.js';
import type { PickContext, StrategyName } from './strategies/index.js';
import { type Waiter, WaitQueues } from './wait-queue.js';

export interface ProviderPoolOptions extends PoolGroupConfig {
  readonly store: PoolStateStore;
  /** MAX_ERROR_COUNT (default 10). */
  readonly maxErrorCount?: number;
  /** RATE_LIMIT_COOLDOWN_ENABLED / _MS / _JITTER_MS / _MAX_MS (defaults: on, 30 s, 5 s, 5 min). */
  readonly rateLimitCooldown?: Partial<RateLimitCooldownPolicy>;
  /** Weight of the newest latency sample (default 0.3). */
  readonly ewmaAlpha?: number;
  /** How long a request waits in an instance's queue before a 429 (default 60 s). */
  readonly queueTimeoutMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly logger?: PoolLogger;
}

export interface AcquireOptions {
  readonly signal?: AbortSignal;
  /** Instance ids already tried for this request: never picked again. */
  readonly exclude?: ReadonlySet<string>;
}

const NOTHING_EXCLUDED: ReadonlySet<string> = new Set();

type Attempt = { lease: Lease } | { queueOn: PoolInstance } | { shared: PoolInstance };

export class ProviderPool implements HealthCheckTarget {
  readonly #options: ProviderPoolOptions;
  readonly #store: PoolStateStore;
  readonly #health: HealthRecorder;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #logger: PoolLogger;
  readonly #queues = new WaitQueues();
  readonly #unsubscribe: () => void;
  /** Set when the store counts concurrency slots across processes (Redis). */
  readonly #slots: SharedSlots | undefined;
  readonly #unsubscribeSlots: (() => void) | undefined;
  /** Instances whose queue head is waiting for a shared slot right now (one take at a time each). */
  readonly #taking = new Set<string>();
  #groups: PoolGroups;

  constructor(options: ProviderPoolOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger ?? noopLogger;
    const policy: HealthPolicy = {
      maxErrorCount: options.maxErrorCount ?? DEFAULT_HEALTH_POLICY.maxErrorCount,
      rateLimitCooldown: { ...DEFAULT_HEALTH_POLICY.rateLimitCooldown, ...options.rateLimitCooldown },
      ewmaAlpha: options.ewmaAlpha ?? DEFAULT_HEALTH_POLICY.ewmaAlpha,
    };
    this.#health = new HealthRecorder(this.#store, policy, this.#now, this.#random, this.#logger);
    this.#groups = this.#build(options);
    // Every eligibility change (ours or, with a shared store, another process's) drops that group's cache.
    this.#unsubscribe = this.#store.subscribe((id) => this.#groups.byInstance.get(id)?.group.cache.invalidate());
    this.#slots = this.#store.slots;
    // A slot freed here or in another process goes to this process's waiters, if any.
    this.#unsubscribeSlots = this.#slots?.onFreed((id) => this.#drain(id));
  }

  #build(config: PoolGroupConfig, previous?: PoolGroups): PoolGroups {
    const groups = buildGroups(config, (id) => this.#store.get(id), previous);
    for (const { instance, settings } of groups.byInstance.values()) {
      this.#store.ensure(instance.id, initialStateFrom(settings));
    }
    return groups;
  }

  hasGroup(group: string): boolean {
    return this.#groups.groups.has(group.toLowerCase());
  }

  groups(): string[] {
    return [...this.#groups.groups.keys()];
  }

  instances(group: string): PoolInstance[] {
    return [...(this.#groups.groups.get(group.toLowerCase())?.instances ?? [])];
  }

  /** How many instances a group has, without copying the list (asked on every request). */
  instanceCount(group: string): number {
    return this.#groups.groups.get(group.toLowerCase())?.instances.length ?? 0;
  }

  /** The provider type of a group's instances (a group holds one type). */
  providerTypeOf(group: string): string | undefined {
    return this.#groups.groups.get(group.toLowerCase())?.instances[0]?.providerType;
  }

  /** Every instance of every group (the health checker walks this). */
  allInstances(): PoolInstance[] {
    return [...this.#groups.byInstance.values()].map((entry) => entry.instance);
  }

  stateOf(id: string): InstanceState {
    return this.#store.get(id);
  }

  findInstance(id: string): PoolInstance | undefined {
    return this.#groups.byInstance.get(id)?.instance;
  }

  /**
   * A lease on an instance of `group` able to serve `model`. Throws GatewayError 503
   * `no_healthy_instance` when nothing is eligible (or all were excluded), 429 `pool_saturated` /
   * `pool_queue_timeout` when every candidate is busy; rejects with the signal's reason on abort.
   */
  acquire(group: string, model: string, options: AcquireOptions = {}): Promise<Lease> {
    try {
      options.signal?.throwIfAborted();
      const exclude = options.exclude ?? NOTHING_EXCLUDED;
      const name = group.toLowerCase();
      const result = this.#tryAcquire(name, model, exclude);
      if ('lease' in result) return Promise.resolve(result.lease);
      if ('shared' in result) return this.#acquireShared(result.shared, name, model, exclude, options.signal);
      return this.#wait(result.queueOn, name, model, exclude, options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #wait(instance: PoolInstance, group: string, model: string, exclude: ReadonlySet<string>, signal: AbortSignal | undefined): Promise<Lease> {
    return this.#queues.wait(
      instance.id,
      { group, model, exclude },
      {
        timeoutMs: this.#options.queueTimeoutMs ?? 60_000,
        signal,
        onTimeout: () => createSaturatedError(group, model, this.#retryAfterBusy(this.instances(group)), true),
      },
    );
  }

  /**
   * The picked instance has a limit counted across processes: take the slot in the shared store.
   * When another process took the last one meanwhile, the local view now knows it is full, so the
   * next pick goes elsewhere or queues.
   */
  async #acquireShared(first: PoolInstance, group: string, model: string, exclude: ReadonlySet<string>, signal: AbortSignal | undefined): Promise<Lease> {
    const slots = this.#slots as SharedSlots;
    let instance = first;
    for (let tries = 1; ; tries += 1) {
      const token = await slots.take(instance.id, instance.concurrencyLimit);
      if (token !== undefined) {
        if (signal?.aborted || !this.#groups.byInstance.has(instance.id)) {
          slots.release(instance.id, token);
          signal?.throwIfAborted();
        } else {
          return this.#grant(instance, model, token);
        }
      }
      signal?.throwIfAborted();
      const next = this.#tryAcquire(group, model, exclude);
      if ('lease' in next) return next.lease;
      if ('queueOn' in next) return this.#wait(next.queueOn, group, model, exclude, signal);
      // Bounded: each failed take marks that instance full here; a pick that keeps racing queues.
      if (tries >= 8 && next.shared.queueLimit > this.#queues.length(next.shared.id)) return this.#wait(next.shared, group, model, exclude, signal);
      if (tries >= 8) throw createSaturatedError(group, model, this.#retryAfterBusy(this.instances(group)));
      instance = next.shared;
    }
  }

  #tryAcquire(groupName: string, model: string, exclude: ReadonlySet<string>): Attempt {
    const now = this.#now();
    const group = this.#groups.groups.get(groupName);
    if (group === undefined) throw createNoInstanceError(groupName, model, now);
    const candidates = group.cache.lookup(model, now);
    const context: PickContext = {
      key: model,
      isAvailable: (instance) => !exclude.has(instance.id) && this.#hasFreeSlot(instance),
      stateOf: (id) => this.#store.get(id),
      random: this.#random,
    };
    const picked = group.strategy.pick(candidates.instances, context);
    if (picked !== undefined) {
      if (this.#slots !== undefined && picked.concurrencyLimit > 0) return { shared: picked };
      return { lease: this.#grant(picked, model) };
    }
    // Nothing free: queue where there is most room. O(n), but only on the saturated path.
    let queueOn: PoolInstance | undefined;
    let untried = false;
    for (const instance of candidates.instances) {
      if (exclude.has(instance.id)) continue;
      untried = true;
      const waiting = this.#queues.length(instance.id);
      if (waiting < instance.queueLimit && (queueOn === undefined || waiting < this.#queues.length(queueOn.id))) {
        queueOn = instance;
      }
    }
    if (!untried) throw createNoInstanceError(groupName, model, now, candidates.nextChangeAt);
    if (queueOn === undefined) throw createSaturatedError(groupName, model, this.#retryAfterBusy(candidates.instances));
    return { queueOn };
  }

  #hasFreeSlot(instance: PoolInstance): boolean {
    if (instance.concurrencyLimit === 0) return true;
    // Waiters come first: a newcomer never overtakes the queue.
    return this.#queues.length(instance.id) === 0 && this.#busy(instance.id) < instance.concurrencyLimit;
  }

  /** Slots in use: across processes when they are shared, else this process's in-flight count. */
  #busy(id: string): number {
    return this.#slots !== undefined ? this.#slots.inUse(id) : this.#store.get(id).inFlight;
  }

  /** A busy pool frees up about when a typical request finishes: the shortest average duration. */
  #retryAfterBusy(instances: readonly PoolInstance[]): number {
    let shortest = Number.POSITIVE_INFINITY;
    for (const instance of instances) shortest = Math.min(shortest, this.#store.get(instance.id).latencyEwmaMs ?? Infinity);
    return Number.isFinite(shortest) ? Math.min(60_000, Math.max(1000, Math.ceil(shortest))) : 1000;
  }

  /** `slot`: the shared slot's token, when the instance's limit is counted across processes. */
  #grant(instance: PoolInstance, model: string, slot?: string): Lease {
    const id = instance.id;
    const startedAt = this.#now();
    this.#store.update(id, { inFlight: 1, usageCount: 1 }, { lastUsedAt: startedAt });
    // One-shot by construction: the first outcome frees the slot, any later call finds nothing to do.
    let settle: ((outcome: LeaseOutcome) => void) | undefined = (outcome) => {
      if (slot !== undefined) this.#slots?.release(id, slot);
      this.#release(instance, model, startedAt, outcome);
    };
    return {
      instance,
      release: (outcome) => {
        const first = settle;
        settle = undefined;
        first?.(outcome);
      },
    };
  }

  #release(instance: PoolInstance, model: string, startedAt: number, outcome: LeaseOutcome): void {
    const id = instance.id;
    // An instance removed by a reload keeps no state; its leases just end.
    if (!this.#groups.byInstance.has(id)) return;
    this.#store.increment(id, 'inFlight', -1);
    this.#health.recordOutcome(id, model, startedAt, outcome);
    this.#drain(id);
  }

  /** Hands freed slots to waiters in order; a waiter whose instance became unusable is re-dispatched. */
  #drain(id: string): void {
    const instance = this.#groups.byInstance.get(id)?.instance;
    // Bounded by the queue's length now: a re-dispatched waiter may land in this queue again.
    for (let remaining = this.#queues.length(id); remaining > 0; remaining -= 1) {
      if (instance !== undefined && instance.concurrencyLimit > 0 && this.#busy(id) >= instance.concurrencyLimit) return;
      const head = this.#queues.peek(id);
      if (head === undefined) return;
      const usable = instance !== undefined && isAvailableAt(this.#store.get(id), head.model, this.#now(), instance.isDisabled);
      if (usable && this.#slots !== undefined && instance.concurrencyLimit > 0) {
        this.#drainShared(instance, head);
        return;
      }
      const waiter = this.#queues.shift(id) as Waiter;
      if (usable) {
        waiter.dispose();
        waiter.resolve(this.#grant(instance, waiter.model));
      } else {
        this.#redispatch(waiter);
      }
    }
  }

  /**
   * The queue head takes a shared slot; it stays queued meanwhile (so its timeout and abort still
   * work) and gets the lease only if it is still waiting when the slot arrives.
   */
  #drainShared(instance: PoolInstance, waiter: Waiter): void {
    const id = instance.id;
    if (this.#taking.has(id)) return;
    this.#taking.add(id);
    const slots = this.#slots as SharedSlots;
    void slots.take(id, instance.concurrencyLimit).then((token) => {
      this.#taking.delete(id);
      if (token === undefined) return; // still full: the next freed slot drains again
      if (!this.#groups.byInstance.has(id) || !this.#queues.remove(waiter)) {
        slots.release(id, token);
        return;
      }
      waiter.dispose();
      waiter.resolve(this.#grant(instance, waiter.model, token));
      this.#drain(id);
    });
  }

  #redispatch(waiter: Waiter): void {
    try {
      const result = this.#tryAcquire(waiter.group, waiter.model, waiter.exclude);
      if ('lease' in result) {
        waiter.dispose();
        waiter.resolve(result.lease);
      } else if ('shared' in result) {
        // A free shared slot is likely there: queue on it and let the drain take it.
        this.#queues.push(result.shared.id, waiter);
        this.#drain(result.shared.id);
      } else {
        this.#queues.push(result.queueOn.id, waiter);
      }
    } catch (error) {
      waiter.dispose();
      waiter.reject(error);
    }
  }

  /** Hot reload: new instance set; state is kept by uuid, cursors by group; waiters on removed instances move. */
  replaceGroups(config: Omit<PoolGroupConfig, 'globalConfig'> & Partial<Pick<PoolGroupConfig, 'globalConfig'>>): void {
    const previous = this.#groups;
    this.#groups = this.#build({ ...this.#options, ...config, globalConfig: config.globalConfig ?? this.#options.globalConfig }, previous);
    for (const id of previous.byInstance.keys()) {
      if (this.#groups.byInstance.has(id)) continue;
      this.#store.remove(id);
      for (const waiter of this.#queues.takeAll(id)) this.#redispatch(waiter);
    }
    // A raised concurrencyLimit frees slots for waiters right away.
    for (const id of this.#groups.byInstance.keys()) if (this.#queues.length(id) > 0) this.#drain(id);
  }

  /** Health summary like the original's /provider_health, for one group or all. Never includes credentials. */
  summary(group?: string): PoolSummary {
    const instances = group === undefined ? this.allInstances() : this.instances(group);
    return summarizeInstances(
      instances,
      (id) => this.#store.get(id),
      (id) => this.#queues.length(id),
      this.#now(),
    );
  }

  /** Admin: disabled true/false overrides the file; undefined follows the file again. */
  setDisabled(id: string, disabled: boolean | undefined): void {
    this.#store.patch(id, { disabled });
  }

  /** Probe passed or an admin says so: healthy, error streak cleared. */
  markHealthy(id: string): void {
    this.#health.markHealthy(id);
  }

  /** A failed probe (see HealthRecorder.recordProbeFailure). */
  recordProbeFailure(id: string, model: string, error: GatewayError): void {
    this.#health.recordProbeFailure(id, model, error);
  }

  /** OAuth: exclude the instance while its token is refreshed; clear it afterwards. */
  markNeedsRefresh(id: string, needsRefresh: boolean): void {
    this.#store.patch(id, { needsRefresh });
  }

  /** Admin reset: healthy, no cooldowns, no error streak, no last error. */
  reset(id: string): void {
    this.#health.reset(id);
  }

  /** Rejects queued waiters and detaches from the store (the store is closed by its owner). */
  close(): void {
    this.#unsubscribe();
    this.#unsubscribeSlots?.();
    for (const waiter of this.#queues.takeAll()) {
      waiter.dispose();
      waiter.reject(createNoInstanceError(waiter.group, waiter.model, this.#now()));
    }
  }
}

export type { StrategyName };
