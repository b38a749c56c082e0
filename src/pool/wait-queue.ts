/**
 * FIFO waiters per instance for requests that found every candidate at its concurrency limit.
 * A waiter may move to another instance's queue when the one it waited for became unusable.
 */
import type { Lease } from './lease.js';

export interface Waiter {
  readonly group: string;
  readonly model: string;
  readonly exclude: ReadonlySet<string>;
  /** Id of the instance whose queue holds the waiter now. */
  queuedOn: string;
  resolve(lease: Lease): void;
  reject(error: unknown): void;
  /** Clears the waiter's timer and abort listener. */
  dispose(): void;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The error a waiter gets when its time is up. */
  readonly onTimeout: () => unknown;
}

export class WaitQueues {
  readonly #queues = new Map<string, Waiter[]>();

  /** Queues a request on instance `id` until a slot is handed to it, the wait times out or the signal aborts. */
  wait(id: string, request: Pick<Waiter, 'group' | 'model' | 'exclude'>, options: WaitOptions): Promise<Lease> {
    return new Promise<Lease>((resolve, reject) => {
      const { signal } = options;
      const onAbort = () => {
        if (this.remove(waiter)) {
          waiter.dispose();
          reject(signal?.reason);
        }
      };
      const timer = setTimeout(() => {
        if (this.remove(waiter)) {
          waiter.dispose();
          reject(options.onTimeout());
        }
      }, options.timeoutMs);
      timer.unref();
      const waiter: Waiter = {
        ...request,
        queuedOn: id,
        resolve,
        reject,
        dispose: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.push(id, waiter);
    });
  }

  length(id: string): number {
    return this.#queues.get(id)?.length ?? 0;
  }

  push(id: string, waiter: Waiter): void {
    waiter.queuedOn = id;
    const queue = this.#queues.get(id);
    if (queue === undefined) this.#queues.set(id, [waiter]);
    else queue.push(waiter);
  }

  peek(id: string): Waiter | undefined {
    return this.#queues.get(id)?.[0];
  }

  shift(id: string): Waiter | undefined {
    const queue = this.#queues.get(id);
    const waiter = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.#queues.delete(id);
    return waiter;
  }

  /** O(queue length); queues are bounded by queueLimit. */
  remove(waiter: Waiter): boolean {
    const queue = this.#queues.get(waiter.queuedOn);
    const index = queue?.indexOf(waiter) ?? -1;
    if (queue === undefined || index < 0) return false;
    queue.splice(index, 1);
    if (queue.length === 0) this.#queues.delete(waiter.queuedOn);
    return true;
  }

  /** Empties one queue (instance removed) or all of them (pool closed). */
  takeAll(id?: string): Waiter[] {
    if (id !== undefined) {
      const queue = this.#queues.get(id) ?? [];
      this.#queues.delete(id);
      return queue;
    }
    const all = [...this.#queues.values()].flat();
    this.#queues.clear();
    return all;
  }
}
