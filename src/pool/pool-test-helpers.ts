/** Builders for pool tests: instances from short specs, a controllable clock, a pool over a memory store. */
import { type ErrorKind, GatewayError, type GatewayErrorDetail } from '../errors/gateway-error.js';
import { MemoryPoolStateStore } from './memory-state-store.js';
import { type PoolInstanceConfig, createSingleInstancePool } from './pools-file.js';
import { ProviderPool, type ProviderPoolOptions } from './provider-pool.js';

export type InstanceSpec = string | ({ uuid: string } & Partial<Omit<PoolInstanceConfig, 'uuid'>>);

export function poolConfigs(group: string, specs: readonly InstanceSpec[], providerType = group): PoolInstanceConfig[] {
  return specs.map((spec) => {
    const fields = typeof spec === 'string' ? { uuid: spec } : spec;
    return { ...createSingleInstancePool(providerType, fields.uuid), group, providerConfig: { KEY: `key-${fields.uuid}` }, ...fields };
  });
}

export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function createClock(start = 1_000_000): TestClock {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

export function createTestPool(
  groups: Record<string, readonly InstanceSpec[]>,
  options: Partial<ProviderPoolOptions> = {},
): { pool: ProviderPool; clock: TestClock; store: MemoryPoolStateStore } {
  const clock = createClock();
  const store = (options.store as MemoryPoolStateStore | undefined) ?? new MemoryPoolStateStore();
  const map = new Map(Object.entries(groups).map(([group, specs]) => [group, poolConfigs(group, specs, group.replace(/-team\d+$/, ''))]));
  const pool = new ProviderPool({
    groups: map,
    globalConfig: { GLOBAL: 'yes' },
    now: clock.now,
    random: () => 0.5,
    ...options,
    store,
  });
  return { pool, clock, store };
}

export function upstreamError(kind: ErrorKind, detail: GatewayErrorDetail = {}): GatewayError {
  return new GatewayError(`test_${kind}`, kind, `${kind} from upstream`, detail);
}

/** Acquires and immediately releases with success, returning the picked ids. */
export async function pickIds(pool: ProviderPool, group: string, model: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const lease = await pool.acquire(group, model);
    ids.push(lease.instance.id);
    lease.release({ kind: 'success', firstByteMs: 10 });
  }
  return ids;
}
