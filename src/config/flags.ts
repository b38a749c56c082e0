/** The original's command-line flags (kept so its start scripts work), plus a few of ours. */
export type FlagType = 'string' | 'int' | 'bool';

export interface FlagSpec {
  readonly flag: string;
  /** Config key the flag sets; a dot selects a nested key. */
  readonly key: string;
  readonly type: FlagType;
  readonly description: string;
}

export const FLAGS: readonly FlagSpec[] = [
  { flag: '--api-key', key: 'REQUIRED_API_KEY', type: 'string', description: 'key clients must send (empty: no key, loopback only)' },
  { flag: '--host', key: 'HOST', type: 'string', description: 'address to listen on' },
  { flag: '--port', key: 'SERVER_PORT', type: 'int', description: 'port to listen on (0 picks a free one)' },
  { flag: '--model-provider', key: 'MODEL_PROVIDER', type: 'string', description: 'default provider, or a comma list (the first is the default)' },
  { flag: '--provider-pools-file', key: 'PROVIDER_POOLS_FILE_PATH', type: 'string', description: 'provider pools file' },
  { flag: '--custom-models-file', key: 'CUSTOM_MODELS_FILE_PATH', type: 'string', description: 'custom models file' },
  { flag: '--openai-api-key', key: 'OPENAI_API_KEY', type: 'string', description: 'openai-custom: API key' },
  { flag: '--openai-base-url', key: 'OPENAI_BASE_URL', type: 'string', description: 'openai-custom: base URL (with or without /v1)' },
  { flag: '--claude-api-key', key: 'CLAUDE_API_KEY', type: 'string', description: 'claude-custom: API key' },
  { flag: '--claude-base-url', key: 'CLAUDE_BASE_URL', type: 'string', description: 'claude-custom: base URL (with or without /v1)' },
  { flag: '--system-prompt-file', key: 'SYSTEM_PROMPT_FILE_PATH', type: 'string', description: 'system prompt file (missing or empty: off)' },
  { flag: '--system-prompt-mode', key: 'SYSTEM_PROMPT_MODE', type: 'string', description: 'overwrite | append' },
  { flag: '--log-prompts', key: 'PROMPT_LOG_MODE', type: 'string', description: 'none | console | file' },
  { flag: '--prompt-log-base-name', key: 'PROMPT_LOG_BASE_NAME', type: 'string', description: 'prompt log file name prefix' },
  { flag: '--log-level', key: 'LOG_LEVEL', type: 'string', description: 'fatal | error | warn | info | debug | trace | silent' },
  {
    flag: '--request-max-retries',
    key: 'REQUEST_MAX_RETRIES',
    type: 'int',
    description: 'a request makes at most this + 1 upstream attempts, other instances first',
  },
  {
    flag: '--request-base-delay',
    key: 'REQUEST_BASE_DELAY',
    type: 'int',
    description: 'delay in ms before retrying the same instance (only when no other is eligible; doubles)',
  },
  { flag: '--max-error-count', key: 'MAX_ERROR_COUNT', type: 'int', description: 'consecutive failures before an instance is unhealthy' },
  { flag: '--rate-limit-cooldown-enabled', key: 'RATE_LIMIT_COOLDOWN_ENABLED', type: 'bool', description: 'cool an instance down after a 429' },
  { flag: '--rate-limit-cooldown-ms', key: 'RATE_LIMIT_COOLDOWN_MS', type: 'int', description: 'cooldown after a 429 without Retry-After' },
  { flag: '--rate-limit-cooldown-jitter-ms', key: 'RATE_LIMIT_COOLDOWN_JITTER_MS', type: 'int', description: 'random extra cooldown' },
  { flag: '--rate-limit-cooldown-max-ms', key: 'RATE_LIMIT_COOLDOWN_MAX_MS', type: 'int', description: 'longest cooldown' },
  { flag: '--cron-near-minutes', key: 'CRON_NEAR_MINUTES', type: 'int', description: 'refresh OAuth tokens expiring within N minutes' },
  { flag: '--cron-refresh-token', key: 'CRON_REFRESH_TOKEN', type: 'bool', description: 'background OAuth token refresh' },
  { flag: '--scheduled-health-check-enabled', key: 'SCHEDULED_HEALTH_CHECK.enabled', type: 'bool', description: 'probe pool instances on a schedule' },
  {
    flag: '--scheduled-health-check-interval',
    key: 'SCHEDULED_HEALTH_CHECK.interval',
    type: 'int',
    description: 'probe interval in ms (min 1000; a warning below 60000)',
  },
  { flag: '--pool-strategy', key: 'POOL_STRATEGY', type: 'string', description: 'round-robin | weighted-round-robin | least-in-flight | lowest-latency' },
  {
    flag: '--pool-queue-timeout-ms',
    key: 'POOL_QUEUE_TIMEOUT_MS',
    type: 'int',
    description: 'longest wait for a busy instance (concurrencyLimit) before a 429',
  },
  {
    flag: '--admin-api-key',
    key: 'ADMIN_API_KEY',
    type: 'string',
    description: 'key for the admin API (default: REQUIRED_API_KEY, else a generated password)',
  },
  { flag: '--cors-allowed-origins', key: 'CORS_ALLOWED_ORIGINS', type: 'string', description: 'comma list of web origins allowed besides loopback (* = any)' },
  { flag: '--allowed-hosts', key: 'ALLOWED_HOSTS', type: 'string', description: 'comma list of host names served besides loopback ones' },
  { flag: '--body-limit-mb', key: 'REQUEST_BODY_LIMIT_MB', type: 'int', description: 'largest request body in MiB (413 above)' },
  { flag: '--upstream-connect-timeout-ms', key: 'UPSTREAM_CONNECT_TIMEOUT_MS', type: 'int', description: 'upstream connect timeout' },
  {
    flag: '--upstream-headers-timeout-ms',
    key: 'UPSTREAM_HEADERS_TIMEOUT_MS',
    type: 'int',
    description: 'time allowed until upstream response headers (504 after)',
  },
  { flag: '--upstream-body-timeout-ms', key: 'UPSTREAM_BODY_TIMEOUT_MS', type: 'int', description: 'longest silence between upstream body chunks' },
  { flag: '--redis-url', key: 'REDIS_URL', type: 'string', description: 'share pool state between gateway processes (redis:// or rediss://)' },
  { flag: '--redis-key-prefix', key: 'REDIS_KEY_PREFIX', type: 'string', description: 'prefix of every Redis key and channel' },
  { flag: '--redis-lease-ttl-ms', key: 'REDIS_LEASE_TTL_MS', type: 'int', description: 'life of a concurrency slot whose process stopped renewing it' },
  { flag: '--workers', key: 'WORKERS', type: 'int', description: 'gateway processes sharing one port (above 1 needs REDIS_URL)' },
  { flag: '--shutdown-grace-ms', key: 'SHUTDOWN_GRACE_MS', type: 'int', description: 'how long running streams may finish on SIGTERM/SIGINT' },
  { flag: '--usage-enabled', key: 'USAGE_ENABLED', type: 'bool', description: "record every request's usage in the usage database" },
  { flag: '--usage-db', key: 'USAGE_DB_PATH', type: 'string', description: 'usage database file (SQLite)' },
  { flag: '--usage-retention-days', key: 'USAGE_RETENTION_DAYS', type: 'int', description: 'days raw usage records are kept (rollups stay)' },
  { flag: '--model-prices-file', key: 'MODEL_PRICES_FILE_PATH', type: 'string', description: 'JSON of USD per million tokens per model or glob' },
  { flag: '--metrics-enabled', key: 'METRICS_ENABLED', type: 'bool', description: 'serve Prometheus metrics at /metrics' },
  { flag: '--metrics-public', key: 'METRICS_PUBLIC', type: 'bool', description: '/metrics without the admin key' },
];

/** Flags of the original for its admin UI, which we do not have yet: accepted and ignored with a warning. */
export const IGNORED_FLAGS_WITH_VALUE = ['--ui'] as const;
export const IGNORED_SWITCHES = ['--no-ui'] as const;
