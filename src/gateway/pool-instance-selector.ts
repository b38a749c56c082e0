import { GatewayError } from '../errors/gateway-error.js';
import type { ProviderPool, PoolInstance } from '../pool/index.js';
import type { ProviderAdapter, ProviderClient, ProviderDependencies } from '../providers/provider-adapter.js';
import type { AcquireOptions, InstanceLease, InstanceSelector, ProviderInstance } from './instance-selector.js';
import type { ProviderGroup } from './provider-directory.js';

/**
 * The provider pool behind the gateway's InstanceSelector: the pool picks and tracks health, this
 * class gives each pool instance its adapter client (created once per instance object, so a hot
 * reload that changes an instance's keys gets a fresh client).
 */
export class PoolInstanceSelector implements InstanceSelector {
  private readonly clients = new WeakMap<PoolInstance, ProviderClient>();

  constructor(
    private readonly pool: ProviderPool,
    private readonly adapters: ReadonlyMap<string, ProviderAdapter>,
    private readonly dependencies: ProviderDependencies,
  ) {
    // Clients are made up front (cheap: OAuth backends load credentials on first use), so the first
    // request to each of thousands of instances does not pay for it; instances added by a reload are made lazily.
    for (const instance of pool.allInstances()) {
      try {
        this.clientOf(instance);
      } catch {
        // A broken instance fails its own requests later, with the adapter's message; start-up goes on.
      }
    }
  }

  clientOf(instance: PoolInstance): ProviderClient {
    let client = this.clients.get(instance);
    if (!client) {
      const adapter = this.adapters.get(instance.providerType);
      if (!adapter) throw new Error(`no adapter for ${instance.providerType}`);
      // The uuid rides along: some backends derive a stable per-account id from it (Kiro's machine id).
      // A proxied account gets the shared client's sibling for its proxy URL (one per URL, not per account).
      const proxyUrl = typeof instance.config.PROXY_URL === 'string' ? instance.config.PROXY_URL : undefined;
      const dependencies = proxyUrl === undefined ? this.dependencies : { ...this.dependencies, http: this.dependencies.http.viaProxy(proxyUrl) };
      client = adapter.createClient({ ...instance.config, uuid: instance.id }, dependencies);
      this.clients.set(instance, client);
    }
    return client;
  }

  private toProviderInstance(instance: PoolInstance): ProviderInstance {
    return { id: instance.id, name: instance.name, group: instance.group, client: this.clientOf(instance) };
  }

  async acquire(group: ProviderGroup, model: string | undefined, options: AcquireOptions): Promise<InstanceLease> {
    const lease = await this.pool.acquire(group.name, model ?? '', { signal: options.signal, exclude: options.exclude });
    let instance: ProviderInstance;
    try {
      instance = this.toProviderInstance(lease.instance);
    } catch (caught) {
      // A pools entry the adapter cannot turn into a client (say, a malformed base URL) is that
      // instance's fault: its slot is freed, it is blamed, and the client is told what is wrong.
      const error = misconfiguredInstance(lease.instance, caught);
      lease.release({ kind: 'failure', error });
      throw error;
    }
    return { instance, release: lease.release };
  }

  anyInstance(group: ProviderGroup): ProviderInstance | undefined {
    const instances = this.pool.instances(group.name);
    const healthy = instances.find((instance) => !instance.isDisabled && this.pool.stateOf(instance.id).healthy) ?? instances[0];
    return healthy ? this.toProviderInstance(healthy) : undefined;
  }
}

function misconfiguredInstance(instance: PoolInstance, cause: unknown): GatewayError {
  const reason = cause instanceof Error && cause.message !== '' ? `: ${cause.message}` : '';
  return new GatewayError(
    'instance_misconfigured',
    'upstream',
    `${instance.group} instance ${instance.name} cannot be used: its settings are invalid (check its pools entry${reason})`,
    { status: 502, scope: 'account', cause },
  );
}
