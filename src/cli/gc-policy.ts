import { setFlagsFromString } from 'node:v8';
import { userSetFlag } from './startup-memory.js';

/**
 * Old-generation marking in one pause instead of V8's incremental marking, unless the user chose
 * (`node --incremental-marking` or `--no-incremental-marking`; Node refuses this flag in NODE_OPTIONS).
 *
 * Why: every request body is an ArrayBuffer outside the JS heap, and V8 starts an incremental marking
 * cycle each time such external memory grows past a soft limit. Under large bodies (a coding agent sends
 * 100 KB-1 MB per turn) that restarted marking without end: on one core, 1 MB bodies cost the gateway
 * twice the CPU of the same gateway marking atomically (`node bench/large-body-split.mjs`, ALT with
 * `--incremental-marking`), and major GCs were 7 times as frequent. The gateway's heap is small (about
 * 17 MB idle), so one pause marks it in a few milliseconds on a normal core; incremental marking
 * pays off for heaps of hundreds of megabytes, which a gateway does not hold.
 */
export function preferAtomicMarking(): void {
  if (userSetFlag('incremental-marking')) return;
  setFlagsFromString('--no-incremental-marking');
}
