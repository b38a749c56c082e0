/** One account/key/endpoint of a pool, as the gateway and the strategies see it. Immutable. */
import { effectiveProxyUrl } from '../upstream/proxy/proxy-url.js';
import type { PoolInstanceConfig } from './pools-file.js';
import { type InstanceState, createInitialState } from './state-store.js';

export interface PoolInstance {
  /** The pools file's uuid; also the key of its runtime state. */
  readonly id: string;
  /** Adapter type serving it, e.g. 'openai-custom'. */
  readonly providerType: string;
  /** Pool key, e.g. 'openai-custom-team2' (equals providerType for plain types). */
  readonly group: string;
  /** customName, else the uuid. */
  readonly name: string;
  /**
   * The instance's own keys over the global config: what the adapter reads (credentials inside).
   * PROXY_URL in it is the proxy this account uses (its own, else the global one when its type is in
   * PROXY_ENABLED_PROVIDERS), or absent for a direct connection.
   */
  readonly config: Readonly<Record<string, unknown>>;
  readonly weight: number;
  /** 0 = unlimited. */
  readonly concurrencyLimit: number;
  readonly queueLimit: number;
  readonly checkHealth: boolean;
  readonly checkModelName?: string;
  readonly isDisabled: boolean;
  readonly supportedModels: readonly string[];
  readonly notSupportedModels: readonly string[];
}

export function createPoolInstance(settings: PoolInstanceConfig, providerType: string, globalConfig: Readonly<Record<string, unknown>>): PoolInstance {
  return Object.freeze({
    id: settings.uuid,
    providerType,
    group: settings.group,
    name: settings.customName ?? settings.uuid,
    config: Object.freeze(mergeConfig(settings, providerType, globalConfig)),
    weight: settings.weight,
    concurrencyLimit: settings.concurrencyLimit,
    queueLimit: settings.queueLimit,
    checkHealth: settings.checkHealth,
    checkModelName: settings.checkModelName,
    isDisabled: settings.isDisabled,
    supportedModels: settings.supportedModels,
    notSupportedModels: settings.notSupportedModels,
  });
}

function mergeConfig(settings: PoolInstanceConfig, providerType: string, globalConfig: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...globalConfig, ...settings.providerConfig };
  const proxyUrl = effectiveProxyUrl(providerType, settings.group, settings.providerConfig, globalConfig);
  if (proxyUrl === undefined) delete merged.PROXY_URL;
  else merged.PROXY_URL = proxyUrl;
  return merged;
}

/** supportedModels wins when non-empty; otherwise everything but notSupportedModels. */
export function supportsModel(instance: PoolInstance, model: string): boolean {
  if (instance.supportedModels.length > 0) return instance.supportedModels.includes(model);
  return !instance.notSupportedModels.includes(model);
}

/** Same instance settings (hot reload keeps the object, and so the cursors, when nothing changed). */
export function sameInstance(a: PoolInstance, b: PoolInstance): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** State to start from when the store has none: the pools file's runtime fields, read once. */
export function initialStateFrom(settings: PoolInstanceConfig): InstanceState {
  const initial = settings.initialState;
  // The original parked quota-exhausted instances as unhealthy with a recovery time; we say "out until".
  const recovering = initial.healthy === false && initial.recoverAt !== undefined;
  return createInitialState({
    healthy: recovering ? true : (initial.healthy ?? true),
    quotaOutUntil: recovering ? (initial.recoverAt ?? 0) : 0,
    needsRefresh: initial.needsRefresh ?? false,
    refreshCount: initial.refreshCount ?? 0,
    usageCount: initial.usageCount ?? 0,
    errorCount: initial.errorCount ?? 0,
    lastUsedAt: initial.lastUsedAt ?? 0,
    lastError:
      initial.lastErrorMessage === undefined ? undefined : { message: initial.lastErrorMessage, kind: 'unknown', status: 0, at: initial.lastErrorAt ?? 0 },
  });
}
