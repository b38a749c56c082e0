import { z } from 'zod';

/**
 * The original's config.json keys (so its users' files load as they are) plus a few of ours for
 * timeouts and limits. Unknown keys pass through: the original's files carry keys for backends we
 * do not have.
 */

/** Integers may arrive as numbers or as digit strings (hand-edited files); anything else is an error. */
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess((value) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value), z.number().int().min(min).max(max));

const bool = z.preprocess((value) => {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}, z.boolean());

const optionalString = z.string().optional();

/** A list as a JSON array or one comma-separated string (what a flag gives). */
const stringList = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '')
      : value,
  z.array(z.string()),
);

export const SystemPromptMode = z.enum(['overwrite', 'append']);
export const PromptLogMode = z.enum(['none', 'console', 'file']);
/** Per group or type as an object (`{"claude-custom": "least-in-flight"}`) or one name for all. */
export const PoolStrategy = z.enum(['round-robin', 'weighted-round-robin', 'weighted', 'least-in-flight', 'lowest-latency', 'latency']);
export const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
/** The original's LOG_OUTPUT_MODE: where the gateway's own log lines go. */
export const LogOutputMode = z.enum(['console', 'file', 'all', 'none']);

/** A list of names as a JSON array or a comma-separated string (flags, hand-edited files). */
const nameList = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '')
      : value,
  z.array(z.string()),
);

export const DEFAULTS = {
  REQUIRED_API_KEY: '',
  SERVER_PORT: 3000,
  HOST: '127.0.0.1',
  MODEL_PROVIDER: 'openai-custom',
  PROVIDER_POOLS_FILE_PATH: 'configs/provider_pools.json',
  CUSTOM_MODELS_FILE_PATH: 'configs/custom_models.json',
  OPENAI_BASE_URL: 'https://api.openai.com/v1',
  CLAUDE_BASE_URL: 'https://api.anthropic.com',
  REQUEST_MAX_RETRIES: 3,
  REQUEST_BASE_DELAY: 1000,
  LOG_LEVEL: 'info',
  SYSTEM_PROMPT_FILE_PATH: 'configs/input_system_prompt.txt',
  SYSTEM_PROMPT_MODE: 'overwrite',
  PROMPT_LOG_MODE: 'none',
  PROMPT_LOG_BASE_NAME: 'prompt_log',
  MAX_ERROR_COUNT: 10,
  RATE_LIMIT_COOLDOWN_ENABLED: false,
  RATE_LIMIT_COOLDOWN_MS: 30_000,
  RATE_LIMIT_COOLDOWN_JITTER_MS: 5_000,
  RATE_LIMIT_COOLDOWN_MAX_MS: 300_000,
  CRON_NEAR_MINUTES: 15,
  CRON_REFRESH_TOKEN: false,
  POOL_STRATEGY: 'round-robin',
  POOL_QUEUE_TIMEOUT_MS: 60_000,
  REQUEST_BODY_LIMIT_MB: 50,
  UPSTREAM_CONNECT_TIMEOUT_MS: 10_000,
  UPSTREAM_HEADERS_TIMEOUT_MS: 300_000,
  UPSTREAM_BODY_TIMEOUT_MS: 300_000,
  SHUTDOWN_GRACE_MS: 10_000,
  /**
   * Streaming upstreams answer with headers as soon as they accept the request (tokens follow), so a
   * minute without headers means a hung account, not a slow answer; non-streaming requests keep the
   * 5-minute headers timeout because their headers wait for the whole generation.
   */
  UPSTREAM_STREAM_FIRST_BYTE_TIMEOUT_MS: 60_000,
  LOG_OUTPUT_MODE: 'console',
  LOG_DIR: 'logs',
  LOG_MAX_FILE_SIZE: 10 * 1024 * 1024,
  LOG_MAX_FILES: 10,
  USAGE_ENABLED: true,
  USAGE_DB_PATH: 'configs/usage.db',
  USAGE_RETENTION_DAYS: 90,
  MODEL_PRICES_FILE_PATH: '',
  METRICS_ENABLED: true,
  METRICS_PUBLIC: false,
  QUOTA_CACHE_SECONDS: 60,
  REDIS_URL: '',
  REDIS_KEY_PREFIX: 'aiclient:',
  REDIS_LEASE_TTL_MS: 10_000,
  WORKERS: 1,
} as const;

export const ConfigSchema = z
  .object({
    REQUIRED_API_KEY: z.string().default(DEFAULTS.REQUIRED_API_KEY),
    SERVER_PORT: int(0, 65535).default(DEFAULTS.SERVER_PORT),
    HOST: z.string().min(1).default(DEFAULTS.HOST),
    MODEL_PROVIDER: z.string().min(1).default(DEFAULTS.MODEL_PROVIDER),
    PROVIDER_POOLS_FILE_PATH: z.string().default(DEFAULTS.PROVIDER_POOLS_FILE_PATH),
    CUSTOM_MODELS_FILE_PATH: z.string().default(DEFAULTS.CUSTOM_MODELS_FILE_PATH),
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: z.string().default(DEFAULTS.OPENAI_BASE_URL),
    CLAUDE_API_KEY: optionalString,
    CLAUDE_BASE_URL: z.string().default(DEFAULTS.CLAUDE_BASE_URL),
    REQUEST_MAX_RETRIES: int(0, 20).default(DEFAULTS.REQUEST_MAX_RETRIES),
    REQUEST_BASE_DELAY: int(0).default(DEFAULTS.REQUEST_BASE_DELAY),
    LOG_LEVEL: LogLevel.default(DEFAULTS.LOG_LEVEL),
    SYSTEM_PROMPT_FILE_PATH: z.string().default(DEFAULTS.SYSTEM_PROMPT_FILE_PATH),
    SYSTEM_PROMPT_MODE: SystemPromptMode.default(DEFAULTS.SYSTEM_PROMPT_MODE),
    SYSTEM_PROMPT_REPLACEMENTS: z.array(z.object({ old: z.string().min(1), new: z.string() })).default([]),
    PROMPT_LOG_MODE: PromptLogMode.default(DEFAULTS.PROMPT_LOG_MODE),
    PROMPT_LOG_BASE_NAME: z.string().min(1).default(DEFAULTS.PROMPT_LOG_BASE_NAME),
    MAX_ERROR_COUNT: int(1).default(DEFAULTS.MAX_ERROR_COUNT),
    RATE_LIMIT_COOLDOWN_ENABLED: bool.default(DEFAULTS.RATE_LIMIT_COOLDOWN_ENABLED),
    RATE_LIMIT_COOLDOWN_MS: int(0).default(DEFAULTS.RATE_LIMIT_COOLDOWN_MS),
    RATE_LIMIT_COOLDOWN_JITTER_MS: int(0).default(DEFAULTS.RATE_LIMIT_COOLDOWN_JITTER_MS),
    RATE_LIMIT_COOLDOWN_MAX_MS: int(0).default(DEFAULTS.RATE_LIMIT_COOLDOWN_MAX_MS),
    CRON_NEAR_MINUTES: int(1).default(DEFAULTS.CRON_NEAR_MINUTES),
    CRON_REFRESH_TOKEN: bool.default(DEFAULTS.CRON_REFRESH_TOKEN),
    SCHEDULED_HEALTH_CHECK: z
      .object({
        enabled: bool.default(false),
        // The original refused anything under a minute; short intervals are allowed (load-config warns).
        interval: int(1_000).default(600_000),
        startupRun: bool.default(false),
      })
      .default({ enabled: false, interval: 600_000, startupRun: false }),
    providerFallbackChain: z.record(z.string(), z.array(z.string())).default({}),
    modelFallbackMapping: z.record(z.string(), z.object({ targetProviderType: z.string(), targetModel: z.string() })).default({}),
    POOL_STRATEGY: z.union([PoolStrategy, z.record(z.string(), PoolStrategy)]).default(DEFAULTS.POOL_STRATEGY),
    POOL_QUEUE_TIMEOUT_MS: int(0).default(DEFAULTS.POOL_QUEUE_TIMEOUT_MS),
    ADMIN_API_KEY: z.string().default(''),
    CORS_ALLOWED_ORIGINS: stringList.default([]),
    ALLOWED_HOSTS: stringList.default([]),
    REQUEST_BODY_LIMIT_MB: int(1, 1024).default(DEFAULTS.REQUEST_BODY_LIMIT_MB),
    UPSTREAM_CONNECT_TIMEOUT_MS: int(1).default(DEFAULTS.UPSTREAM_CONNECT_TIMEOUT_MS),
    UPSTREAM_HEADERS_TIMEOUT_MS: int(1).default(DEFAULTS.UPSTREAM_HEADERS_TIMEOUT_MS),
    UPSTREAM_BODY_TIMEOUT_MS: int(1).default(DEFAULTS.UPSTREAM_BODY_TIMEOUT_MS),
    SHUTDOWN_GRACE_MS: int(0).default(DEFAULTS.SHUTDOWN_GRACE_MS),
    /** The admin console at /ui/ (the original's key). */
    UI_ENABLED: bool.default(true),
    UPSTREAM_STREAM_FIRST_BYTE_TIMEOUT_MS: int(1).default(DEFAULTS.UPSTREAM_STREAM_FIRST_BYTE_TIMEOUT_MS),
    /** Outbound proxy (http://, https://, socks5://, optional user:password) for PROXY_ENABLED_PROVIDERS. */
    PROXY_URL: z.string().optional(),
    PROXY_ENABLED_PROVIDERS: nameList.default([]),
    LOG_ENABLED: bool.default(true),
    LOG_OUTPUT_MODE: LogOutputMode.default(DEFAULTS.LOG_OUTPUT_MODE),
    LOG_DIR: z.string().min(1).default(DEFAULTS.LOG_DIR),
    LOG_MAX_FILE_SIZE: int(1024).default(DEFAULTS.LOG_MAX_FILE_SIZE),
    LOG_MAX_FILES: int(1, 1000).default(DEFAULTS.LOG_MAX_FILES),
    USAGE_ENABLED: bool.default(DEFAULTS.USAGE_ENABLED),
    USAGE_DB_PATH: z.string().min(1).default(DEFAULTS.USAGE_DB_PATH),
    USAGE_RETENTION_DAYS: int(1, 36_500).default(DEFAULTS.USAGE_RETENTION_DAYS),
    MODEL_PRICES_FILE_PATH: z.string().default(DEFAULTS.MODEL_PRICES_FILE_PATH),
    METRICS_ENABLED: bool.default(DEFAULTS.METRICS_ENABLED),
    METRICS_PUBLIC: bool.default(DEFAULTS.METRICS_PUBLIC),
    QUOTA_CACHE_SECONDS: int(0, 86_400).default(DEFAULTS.QUOTA_CACHE_SECONDS),
    /**
     * Shared pool state for several gateway processes (src/redis); empty = embedded store. Checked
     * in load-config (redis-url.ts), not here: a schema error would print the value and its password.
     */
    REDIS_URL: z.string().default(DEFAULTS.REDIS_URL),
    REDIS_KEY_PREFIX: z.string().min(1).default(DEFAULTS.REDIS_KEY_PREFIX),
    REDIS_LEASE_TTL_MS: int(1000, 600_000).default(DEFAULTS.REDIS_LEASE_TTL_MS),
    /** Gateway processes on one port (node:cluster); above 1 needs REDIS_URL. */
    WORKERS: int(1, 256).default(DEFAULTS.WORKERS),
  })
  .passthrough();

export type GatewayConfig = Readonly<z.infer<typeof ConfigSchema>>;

/** Keys holding paths, resolved against the working directory as the original did. */
export const PATH_KEYS = [
  'PROVIDER_POOLS_FILE_PATH',
  'CUSTOM_MODELS_FILE_PATH',
  'SYSTEM_PROMPT_FILE_PATH',
  'LOG_DIR',
  'USAGE_DB_PATH',
  'MODEL_PRICES_FILE_PATH',
] as const;
