/**
 * Active health: scheduled probes of instances with checkHealth (SCHEDULED_HEALTH_CHECK), and
 * half-open recovery probes of unhealthy instances with exponential backoff, so an instance taken
 * out by passive health comes back by itself. The gateway supplies `probe` (the provider's minimal
 * valid request); every probe gets a hard timeout that aborts it, and only a few run at once.
 */
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';
import type { PoolInstance } from './pool-instance.js';
import { type PoolLogger, noopLogger } from './pool-logger.js';
import type { InstanceState } from './state-store.js';

/** What the checker needs from the pool (ProviderPool implements it). */
export interface HealthCheckTarget {
  allInstances(): readonly PoolInstance[];
  stateOf(id: string): InstanceState;
  markHealthy(id: string): void;
  recordProbeFailure(id: string, model: string, error: GatewayError): void;
}

export type ProbeFunction = (instance: PoolInstance, model: string, signal: AbortSignal) => Promise<void>;

export interface HealthCheckerOptions {
  readonly target: HealthCheckTarget;
  readonly probe: ProbeFunction;
  /** Probe model when the instance has no checkModelName (the provider's default); undefined = skip. */
  readonly defaultProbeModel: (providerType: string) => string | undefined;
  /** SCHEDULED_HEALTH_CHECK; off by default like the original. */
  readonly scheduled?: { readonly enabled: boolean; readonly intervalMs?: number; readonly startupRun?: boolean };
  /** Half-open re-probing of unhealthy instances: first after baseMs, doubling up to maxMs. */
  readonly recovery?: { readonly enabled?: boolean; readonly baseMs?: number; readonly maxMs?: number; readonly tickMs?: number };
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  readonly now?: () => number;
  readonly logger?: PoolLogger;
}

export interface ProbeResult {
  readonly id: string;
  readonly model: string;
  readonly ok: boolean;
  readonly error?: GatewayError;
  readonly durationMs: number;
}

const STOPPED = new GatewayError('health_checker_stopped', 'internal', 'health checker stopped');

interface Backoff {
  attempts: number;
  nextAt: number;
}

export class HealthChecker {
  readonly #options: HealthCheckerOptions;
  readonly #now: () => number;
  readonly #logger: PoolLogger;
  readonly #backoff = new Map<string, Backoff>();
  readonly #running = new Map<string, AbortController>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = true;
  #active = 0;
  readonly #slotWaiters: (() => void)[] = [];

  constructor(options: HealthCheckerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? noopLogger;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const scheduled = this.#options.scheduled;
    if (scheduled?.enabled === true) {
      this.#every(scheduled.intervalMs ?? 600_000, () => this.runScheduled());
      if (scheduled.startupRun === true) this.#after(0, () => this.runScheduled());
    }
    if (this.#options.recovery?.enabled !== false) {
      this.#every(this.#options.recovery?.tickMs ?? 5_000, () => this.runRecovery());
    }
  }

  /** Clears every timer and aborts probes in progress. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const controller of this.#running.values()) controller.abort(STOPPED);
  }

  #every(ms: number, run: () => Promise<unknown>): void {
    const timer = setInterval(() => void run().catch((error: unknown) => this.#logger.error({ err: error }, 'health check round failed')), ms);
    timer.unref();
    this.#timers.add(timer);
  }

  #after(ms: number, run: () => Promise<unknown>): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void run().catch((error: unknown) => this.#logger.error({ err: error }, 'health check round failed'));
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  /** One scheduled round: every enabled instance with checkHealth. */
  runScheduled(): Promise<ProbeResult[]> {
    const due = this.#options.target.allInstances().filter((instance) => instance.checkHealth && !this.#isDisabled(instance));
    return this.#probeAll(due);
  }

  /** Probes unhealthy instances whose backoff has elapsed (half-open); forgets ones that healed. */
  runRecovery(): Promise<ProbeResult[]> {
    const now = this.#now();
    const baseMs = this.#options.recovery?.baseMs ?? 30_000;
    const due: PoolInstance[] = [];
    const seen = new Set<string>();
    for (const instance of this.#options.target.allInstances()) {
      if (this.#options.target.stateOf(instance.id).healthy || this.#isDisabled(instance)) continue;
      seen.add(instance.id);
      const backoff = this.#backoff.get(instance.id);
      if (backoff === undefined) this.#backoff.set(instance.id, { attempts: 0, nextAt: now + baseMs });
      else if (backoff.nextAt <= now) due.push(instance);
    }
    for (const id of this.#backoff.keys()) if (!seen.has(id)) this.#backoff.delete(id);
    return this.#probeAll(due);
  }

  /** Admin "probe now", outside any schedule. */
  async probeNow(id: string): Promise<ProbeResult | undefined> {
    const instance = this.#options.target.allInstances().find((candidate) => candidate.id === id);
    return instance === undefined ? undefined : this.#probeOne(instance);
  }

  #isDisabled(instance: PoolInstance): boolean {
    return this.#options.target.stateOf(instance.id).disabled ?? instance.isDisabled;
  }

  /** Probes a batch; the checker-wide limit applies across rounds and probeNow alike. */
  async #probeAll(instances: readonly PoolInstance[]): Promise<ProbeResult[]> {
    const results = await Promise.all(instances.map((instance) => this.#probeOne(instance)));
    return results.filter((result): result is ProbeResult => result !== undefined);
  }

  /** Waits for one of `concurrency` probe slots, so a big pool never fires hundreds of probes at once. */
  async #takeSlot(): Promise<() => void> {
    if (this.#active >= (this.#options.concurrency ?? 2)) await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
    this.#active += 1;
    return () => {
      this.#active -= 1;
      this.#slotWaiters.shift()?.();
    };
  }

  async #probeOne(instance: PoolInstance): Promise<ProbeResult | undefined> {
    const model = instance.checkModelName ?? this.#options.defaultProbeModel(instance.providerType);
    if (model === undefined || this.#running.has(instance.id)) return undefined;
    const controller = new AbortController();
    this.#running.set(instance.id, controller);
    const releaseSlot = await this.#takeSlot();
    try {
      return await this.#runProbe(instance, model, controller);
    } finally {
      releaseSlot();
      this.#running.delete(instance.id);
    }
  }

  async #runProbe(instance: PoolInstance, model: string, controller: AbortController): Promise<ProbeResult> {
    if (controller.signal.aborted) return { id: instance.id, model, ok: false, error: STOPPED, durationMs: 0 };
    const timeoutMs = this.#options.timeoutMs ?? 15_000;
    const startedAt = this.#now();
    let timer: NodeJS.Timeout | undefined;
    // Racing the abort means a probe that ignores its signal still cannot hang the checker.
    const deadline = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      timer = setTimeout(() => {
        controller.abort(new GatewayError('health_check_timeout', 'timeout', `health check of ${instance.name} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([this.#options.probe(instance, model, controller.signal), deadline]);
      this.#options.target.markHealthy(instance.id);
      this.#backoff.delete(instance.id);
      return { id: instance.id, model, ok: true, durationMs: this.#now() - startedAt };
    } catch (caught) {
      const error = toProbeError(caught, controller.signal);
      // Cut short by stop(): says nothing about the instance.
      if (controller.signal.reason === STOPPED) return { id: instance.id, model, ok: false, error, durationMs: this.#now() - startedAt };
      this.#options.target.recordProbeFailure(instance.id, model, error);
      this.#scheduleRetry(instance.id);
      this.#logger.warn({ instance: instance.id, model, kind: error.kind, status: error.status }, 'health check failed');
      return { id: instance.id, model, ok: false, error, durationMs: this.#now() - startedAt };
    } finally {
      clearTimeout(timer);
    }
  }

  #scheduleRetry(id: string): void {
    const baseMs = this.#options.recovery?.baseMs ?? 30_000;
    const maxMs = this.#options.recovery?.maxMs ?? 600_000;
    const backoff = this.#backoff.get(id) ?? { attempts: 0, nextAt: 0 };
    backoff.attempts += 1;
    backoff.nextAt = this.#now() + Math.min(maxMs, baseMs * 2 ** backoff.attempts);
    this.#backoff.set(id, backoff);
  }
}

function toProbeError(caught: unknown, signal: AbortSignal): GatewayError {
  if (isGatewayError(caught)) return caught;
  if (signal.aborted && isGatewayError(signal.reason)) return signal.reason;
  const message = caught instanceof Error ? caught.message : String(caught);
  return new GatewayError('health_check_failed', 'upstream', `health check failed: ${message}`, { cause: caught });
}
