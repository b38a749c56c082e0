/**
 * Failed logins per client address in a sliding window: after `maxFailures` the address waits until
 * the oldest failure leaves the window. Successful logins do not count.
 */
export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(options: { maxFailures?: number; windowMs?: number; now?: () => number } = {}) {
    this.#maxFailures = options.maxFailures ?? 5;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Milliseconds this address must wait before trying again; 0 when it may try now. */
  retryAfterMs(address: string): number {
    const recent = this.#recent(address);
    if (recent.length < this.#maxFailures) return 0;
    return Math.max(1, (recent[0] as number) + this.#windowMs - this.#now());
  }

  recordFailure(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.#now());
    this.#failures.set(address, recent);
    // Bound memory under a spray of addresses: forget the oldest address once there are many.
    if (this.#failures.size > 10_000) this.#failures.delete(this.#failures.keys().next().value as string);
  }

  #recent(address: string): number[] {
    const cutoff = this.#now() - this.#windowMs;
    const recent = (this.#failures.get(address) ?? []).filter((time) => time > cutoff);
    if (recent.length === 0) this.#failures.delete(address);
    return recent;
  }
}
