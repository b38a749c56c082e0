/**
 * At most one run of a task at a time: a call while it runs joins that run instead of starting another.
 * The run is recorded before it can end, so a task that returns at once (Redis away) is never left
 * marked as running.
 */
export class SingleFlight {
  #running: Promise<void> | undefined;

  constructor(private readonly task: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.#running === undefined) {
      const running = this.task().finally(() => {
        if (this.#running === running) this.#running = undefined;
      });
      this.#running = running;
    }
    return this.#running;
  }
}
