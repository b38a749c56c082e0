/**
 * Runs at most one refresh at a time per key holder: concurrent callers share the running promise,
 * so 100 requests that find an expired token cause one token-endpoint call.
 */
export class SingleFlight<T> {
  private running: Promise<T> | undefined;

  run(task: () => Promise<T>): Promise<T> {
    if (this.running) return this.running;
    const promise = (async () => {
      try {
        return await task();
      } finally {
        this.running = undefined;
      }
    })();
    this.running = promise;
    return promise;
  }

  get inFlight(): boolean {
    return this.running !== undefined;
  }
}
