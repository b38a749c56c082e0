/**
 * Reads the original project's provider_pools.json as is, so its users can point us at their file.
 * The file is user-owned configuration: we only ever read it (the original rewrote it with runtime
 * state, racing user edits). Runtime fields it may still carry are taken as initial state only.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { nullAsAbsent } from '../config/null-as-absent.js';
import { proxyUrlProblem } from '../upstream/proxy/proxy-url.js';
import { jsonSyntaxErrorWhere } from '../json/json-syntax-error.js';

/** Names the original knows but this gateway does not implement: skipped with one warning each. */
const ORIGINAL_ONLY_TYPES: readonly string[] = [
  'gemini-antigravity',
  'openairesponses-custom',
  'openai-codex-oauth',
  'openai-iflow',
  'forward-api',
  'grok-web',
  'atlascloud',
];

/** Keys that steer the pool; every other key of an entry is provider config (credentials, URLs). */
const ROUTING_KEYS = new Set([
  'uuid',
  'customName',
  'isDisabled',
  'notSupportedModels',
  'supportedModels',
  'checkHealth',
  'checkModelName',
  'concurrencyLimit',
  'queueLimit',
  'weight',
]);

/** Keys the original wrote back as runtime state: read as the starting state, never passed on as config. */
const RUNTIME_KEYS = new Set([
  'isHealthy',
  'usageCount',
  'errorCount',
  'lastUsed',
  'lastErrorTime',
  'lastErrorMessage',
  'lastHealthCheckTime',
  'lastHealthCheckModel',
  'needsRefresh',
  'refreshCount',
  'scheduledRecoveryTime',
  '_lastSelectionSeq',
]);

/** Initial runtime state found in the file (all optional; absent means "fresh"). */
export interface InitialInstanceState {
  readonly healthy?: boolean;
  readonly usageCount?: number;
  readonly errorCount?: number;
  readonly lastUsedAt?: number;
  readonly lastErrorAt?: number;
  readonly lastErrorMessage?: string;
  readonly needsRefresh?: boolean;
  readonly refreshCount?: number;
  /** The original's scheduledRecoveryTime: unhealthy (quota) until then. */
  readonly recoverAt?: number;
}

export interface PoolInstanceConfig {
  readonly uuid: string;
  readonly customName?: string;
  /** The pools-file key, lower-cased (`openai-custom-team2`). */
  readonly group: string;
  /** The adapter type serving the group (`openai-custom`). */
  readonly providerType: string;
  readonly isDisabled: boolean;
  readonly supportedModels: readonly string[];
  readonly notSupportedModels: readonly string[];
  readonly checkHealth: boolean;
  readonly checkModelName?: string;
  /** 0 = unlimited. */
  readonly concurrencyLimit: number;
  readonly queueLimit: number;
  /** Share for weighted round-robin (new; default 1). */
  readonly weight: number;
  /** Every non-routing, non-runtime key of the entry (OPENAI_API_KEY, PROJECT_ID, ...). */
  readonly providerConfig: Readonly<Record<string, unknown>>;
  readonly initialState: InitialInstanceState;
}

export interface LoadedPools {
  readonly pools: Map<string, PoolInstanceConfig[]>;
  /** Adapter type of every loaded group, including groups whose entries were all skipped. */
  readonly groupTypes: Map<string, string>;
  readonly warnings: string[];
}

/** Times were stored as ISO strings or epoch ms; anything unreadable is simply dropped. */
const lenientTime = z
  .union([z.number(), z.string()])
  .transform((value) => (typeof value === 'number' ? value : Date.parse(value)))
  .refine((value) => Number.isFinite(value))
  .optional()
  .catch(undefined);
const lenientCount = z.number().int().nonnegative().optional().catch(undefined);
const lenientBoolean = z.boolean().optional().catch(undefined);

/** Strict for what users write, lenient for what the original's server wrote. */
const entrySchema = z.looseObject({
  uuid: z.string().trim().min(1),
  customName: z.string().optional(),
  isDisabled: z.boolean().default(false),
  supportedModels: z.array(z.string()).default([]),
  notSupportedModels: z.array(z.string()).default([]),
  checkHealth: z.boolean().default(false),
  checkModelName: z.string().min(1).optional(),
  concurrencyLimit: z.number().int().nonnegative().default(0),
  queueLimit: z.number().int().nonnegative().default(0),
  weight: z.number().int().min(1).max(1_000_000).default(1),
  isHealthy: lenientBoolean,
  usageCount: lenientCount,
  errorCount: lenientCount,
  refreshCount: lenientCount,
  needsRefresh: lenientBoolean,
  lastUsed: lenientTime,
  lastErrorTime: lenientTime,
  scheduledRecoveryTime: lenientTime,
  lastErrorMessage: z.string().optional().catch(undefined),
});

/**
 * The adapter type of a pools-file key: the key itself when known, else the longest known type that
 * prefixes it as `TYPE-` (a custom group). Undefined when the key names nothing we serve.
 */
export function resolveAdapterType(key: string, knownTypes: readonly string[]): string | undefined {
  const name = key.toLowerCase();
  let best: string | undefined;
  for (const type of knownTypes) {
    const lower = type.toLowerCase();
    if (name === lower) return type;
    if (name.startsWith(`${lower}-`) && (best === undefined || lower.length > best.length)) best = type;
  }
  return best;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(entry)'}: ${issue.message}`).join('; ');
}

function toInstanceConfig(entry: z.infer<typeof entrySchema>, group: string, providerType: string): PoolInstanceConfig {
  const providerConfig: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (!ROUTING_KEYS.has(key) && !RUNTIME_KEYS.has(key)) providerConfig[key] = value;
  }
  const initialState: InitialInstanceState = {
    healthy: entry.isHealthy,
    usageCount: entry.usageCount,
    errorCount: entry.errorCount,
    lastUsedAt: entry.lastUsed,
    lastErrorAt: entry.lastErrorTime,
    lastErrorMessage: entry.lastErrorMessage,
    needsRefresh: entry.needsRefresh,
    refreshCount: entry.refreshCount,
    recoverAt: entry.scheduledRecoveryTime,
  };
  return Object.freeze({
    uuid: entry.uuid,
    customName: entry.customName,
    group,
    providerType,
    isDisabled: entry.isDisabled,
    supportedModels: Object.freeze([...entry.supportedModels]),
    notSupportedModels: Object.freeze([...entry.notSupportedModels]),
    checkHealth: entry.checkHealth,
    checkModelName: entry.checkModelName,
    concurrencyLimit: entry.concurrencyLimit,
    queueLimit: entry.queueLimit,
    weight: entry.weight,
    providerConfig: Object.freeze(providerConfig),
    initialState: Object.freeze(initialState),
  });
}

export interface ParsePoolsOptions {
  readonly knownTypes: readonly string[];
  /**
   * Checks an entry's provider fields against its backend's account schema: `path: message` of each
   * problem, or undefined. A bad entry is skipped with a warning naming it; the rest of the file loads.
   */
  readonly validateAccount?: (providerType: string, fields: Readonly<Record<string, unknown>>) => string | undefined;
}

/** Validates an already-parsed pools document; pure, so hot reload and tests can use it directly. */
export function parsePools(document: unknown, options: ParsePoolsOptions): LoadedPools {
  const pools = new Map<string, PoolInstanceConfig[]>();
  const groupTypes = new Map<string, string>();
  const warnings: string[] = [];
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new Error('pools file must hold a JSON object keyed by provider type');
  }
  // A uuid names the runtime state of one instance, so it must be unique across the whole file.
  const seenIds = new Map<string, string>();
  for (const [key, value] of Object.entries(document)) {
    const group = key.toLowerCase();
    const providerType = resolveAdapterType(group, options.knownTypes);
    if (providerType === undefined) {
      const known = ORIGINAL_ONLY_TYPES.some((type) => group === type || group.startsWith(`${type}-`));
      warnings.push(
        known
          ? `pools: provider type "${key}" is not supported by this gateway; its entries are skipped`
          : `pools: unknown provider type "${key}"; its entries are skipped`,
      );
      continue;
    }
    if (!Array.isArray(value)) {
      warnings.push(`pools: "${key}" must be an array of instances; skipped`);
      continue;
    }
    if (pools.has(group)) {
      warnings.push(`pools: "${key}" repeats group "${group}" (names match case-insensitively); skipped`);
      continue;
    }
    groupTypes.set(group, providerType);
    const instances: PoolInstanceConfig[] = [];
    value.forEach((entry: unknown, index) => {
      // The original writes null for every optional field it has no value for: null means absent.
      const raw = nullAsAbsent(entry);
      const parsed = entrySchema.safeParse(raw);
      const rawId = typeof raw === 'object' && raw !== null ? (raw as { uuid?: unknown }).uuid : undefined;
      const label = typeof rawId === 'string' && rawId !== '' ? `uuid ${rawId}` : `entry #${index}`;
      if (!parsed.success) {
        warnings.push(`pools: ${key} ${label} skipped: ${describeIssues(parsed.error)}`);
        return;
      }
      const proxyProblem = typeof parsed.data.PROXY_URL === 'string' ? proxyUrlProblem(parsed.data.PROXY_URL) : undefined;
      if (proxyProblem !== undefined) {
        warnings.push(`pools: ${key} ${label} skipped: PROXY_URL ${proxyProblem}`);
        return;
      }
      const previous = seenIds.get(parsed.data.uuid);
      if (previous !== undefined) {
        warnings.push(`pools: ${key} ${label} skipped: uuid already used in "${previous}"`);
        return;
      }
      const instance = toInstanceConfig(parsed.data, group, providerType);
      const accountIssues = options.validateAccount?.(providerType, instance.providerConfig);
      if (accountIssues !== undefined) {
        warnings.push(`pools: ${key} ${label} skipped: ${accountIssues}`);
        return;
      }
      seenIds.set(parsed.data.uuid, key);
      instances.push(instance);
    });
    pools.set(group, instances);
  }
  return { pools, groupTypes, warnings };
}

/**
 * Loads the pools file. Throws when the file cannot be read or is not a JSON object (the caller
 * decides whether a missing default file is fine); bad entries only produce warnings.
 */
export async function loadPoolsFile(path: string, options: ParsePoolsOptions): Promise<LoadedPools> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read pools file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`pools file ${path} is not valid JSON (${jsonSyntaxErrorWhere(error, text)})`);
  }
  try {
    return parsePools(document, options);
  } catch (error) {
    throw new Error(`pools file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Without a pools file, the single provider of config.json is a pool of one (its config is the global one). */
export function createSingleInstancePool(providerType: string, uuid = `${providerType}-default`): PoolInstanceConfig {
  const parsed = entrySchema.parse({ uuid });
  return toInstanceConfig(parsed, providerType.toLowerCase(), providerType);
}
