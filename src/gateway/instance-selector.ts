import type { GatewayError } from '../errors/gateway-error.js';
import type { ProviderClient } from '../providers/provider-adapter.js';
import type { ProviderGroup } from './provider-directory.js';

/** One account of a provider group, with its ready client. */
export interface ProviderInstance {
  readonly id: string;
  readonly name: string;
  readonly group: string;
  readonly client: ProviderClient;
}

export type AttemptOutcome = { kind: 'success'; firstByteMs: number } | { kind: 'failure'; error: GatewayError } | { kind: 'cancelled' };

export interface InstanceLease {
  readonly instance: ProviderInstance;
  /** Called exactly once, when the attempt is over. */
  release(outcome: AttemptOutcome): void;
}

export interface AcquireOptions {
  readonly signal: AbortSignal;
  /** Instances already tried by this request. */
  readonly exclude: ReadonlySet<string>;
}

/** Picks an instance of a group for one attempt. The provider pool implements this with health and balancing. */
export interface InstanceSelector {
  acquire(group: ProviderGroup, model: string | undefined, options: AcquireOptions): Promise<InstanceLease>;
  /** Any instance of the group, for model listing. */
  anyInstance(group: ProviderGroup): ProviderInstance | undefined;
}
