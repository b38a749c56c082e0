/** What the throttle logs: counts and addresses, never a tried key. */
export interface ThrottleLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface AuthThrottleOptions {
  /** Failures allowed per address within one window (default 10). */
  readonly maxFailures?: number;
  /** Window length in ms (default one minute). */
  readonly windowMs?: number;
  /** Addresses remembered at most; beyond it the oldest is forgotten (default 10,000). */
  readonly maxAddresses?: number;
  readonly logger?: ThrottleLogger;
  readonly now?: () => number;
}

/** Slows key guessing: after too many failures from one address, it must wait for the window to end. */
export interface AuthThrottle {
  /** Milliseconds the address must still wait, or undefined when it may try. */
  blockedFor(address: string): number | undefined;
  recordFailure(address: string): void;
}

interface FailureWindow {
  startedAt: number;
  failures: number;
}

/**
 * Fixed windows per client address. While an address is over its budget every attempt is refused
 * unchecked, even a right key: otherwise guessing would go on at full speed, only the answers would
 * differ. A success does not reset the count, so a legitimate client on the same address cannot buy
 * a guesser more tries.
 */
export function createAuthThrottle(options: AuthThrottleOptions = {}): AuthThrottle {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const maxAddresses = options.maxAddresses ?? 10_000;
  const now = options.now ?? Date.now;
  const windows = new Map<string, FailureWindow>();

  function forgetExpired(time: number): void {
    for (const [address, window] of windows) if (time - window.startedAt >= windowMs) windows.delete(address);
  }

  return {
    blockedFor(address) {
      if (windows.size === 0) return undefined;
      const window = windows.get(address);
      if (window === undefined || window.failures < maxFailures) return undefined;
      const left = window.startedAt + windowMs - now();
      if (left > 0) return left;
      windows.delete(address);
      return undefined;
    },
    recordFailure(address) {
      const time = now();
      let window = windows.get(address);
      if (window === undefined || time - window.startedAt >= windowMs) {
        if (window === undefined && windows.size >= maxAddresses) {
          forgetExpired(time);
          if (windows.size >= maxAddresses) windows.delete(windows.keys().next().value as string);
        }
        window = { startedAt: time, failures: 0 };
        windows.set(address, window);
      }
      window.failures += 1;
      if (window.failures === maxFailures) {
        options.logger?.warn(
          { address, failures: window.failures, retryAfterSeconds: Math.ceil((window.startedAt + windowMs - time) / 1000) },
          'authentication failures: further attempts from this address are refused until the window ends',
        );
      } else if (window.failures < maxFailures) {
        options.logger?.info({ address, failures: window.failures }, 'authentication failed');
      }
    },
  };
}
