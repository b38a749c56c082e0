/**
 * Builds the pool's groups from the loaded pools: instances (own keys over the global config), one
 * strategy per group and a candidate cache. On reload, unchanged instance objects and strategies
 * (with their cursors) are carried over, so a reload does not reset the rotation.
 */
import { CandidateCache } from './candidate-cache.js';
import { type PoolInstance, createPoolInstance, sameInstance } from './pool-instance.js';
import type { PoolInstanceConfig } from './pools-file.js';
import type { InstanceState } from './state-store.js';
import { type Strategy, type StrategyName, createStrategy } from './strategies/index.js';

export interface PoolGroupConfig {
  /** Pool key (lower-case provider type or custom group) → its instances, as loadPoolsFile returns them. */
  readonly groups: ReadonlyMap<string, readonly PoolInstanceConfig[]>;
  /** Adapter type of a group; default: the instances' providerType, else the key itself. */
  readonly adapterTypeOf?: (group: string) => string;
  /** config.json values every instance inherits (its own keys win). */
  readonly globalConfig: Readonly<Record<string, unknown>>;
  /** POOL_STRATEGY; default round-robin. */
  readonly strategy?: StrategyName;
  /** Per group or per adapter type (the group's own entry wins). */
  readonly strategyByGroup?: Readonly<Record<string, StrategyName>>;
}

export interface GroupRuntime {
  readonly name: string;
  readonly adapterType: string;
  readonly instances: readonly PoolInstance[];
  readonly strategy: Strategy;
  readonly cache: CandidateCache;
}

export interface InstanceEntry {
  readonly instance: PoolInstance;
  readonly settings: PoolInstanceConfig;
  readonly group: GroupRuntime;
}

export interface PoolGroups {
  readonly groups: ReadonlyMap<string, GroupRuntime>;
  readonly byInstance: ReadonlyMap<string, InstanceEntry>;
}

export function buildGroups(config: PoolGroupConfig, stateOf: (id: string) => InstanceState, previous?: PoolGroups): PoolGroups {
  const groups = new Map<string, GroupRuntime>();
  const byInstance = new Map<string, InstanceEntry>();
  for (const [key, settingsList] of config.groups) {
    const name = key.toLowerCase();
    const adapterType = config.adapterTypeOf?.(name) ?? settingsList[0]?.providerType ?? name;
    const strategyName = config.strategyByGroup?.[name] ?? config.strategyByGroup?.[adapterType] ?? config.strategy ?? 'round-robin';
    const old = previous?.groups.get(name);
    const instances: PoolInstance[] = [];
    const settingsById = new Map<string, PoolInstanceConfig>();
    for (const settings of settingsList) {
      // A uuid seen twice (the file loader already rejects this) would share state; keep the first.
      if (byInstance.has(settings.uuid) || settingsById.has(settings.uuid)) continue;
      const fresh = createPoolInstance({ ...settings, group: name }, adapterType, config.globalConfig);
      const kept = previous?.byInstance.get(settings.uuid)?.instance;
      instances.push(kept !== undefined && sameInstance(kept, fresh) ? kept : fresh);
      settingsById.set(settings.uuid, settings);
    }
    const runtime: GroupRuntime = {
      name,
      adapterType,
      instances,
      strategy: old !== undefined && old.strategy.name === strategyName ? old.strategy : createStrategy(strategyName),
      cache: new CandidateCache(() => runtime.instances, stateOf),
    };
    groups.set(name, runtime);
    for (const instance of instances) {
      byInstance.set(instance.id, { instance, settings: settingsById.get(instance.id) as PoolInstanceConfig, group: runtime });
    }
  }
  return { groups, byInstance };
}
