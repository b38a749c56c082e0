import type Database from 'better-sqlite3';

/**
 * Schema versions, applied in order inside one transaction each; PRAGMA user_version records the
 * last one applied. Never edit a released step: add the next one.
 */
const ROLLUP_COLUMNS = `
  bucket INTEGER NOT NULL,
  provider TEXT NOT NULL,
  instance TEXT NOT NULL,
  model TEXT NOT NULL,
  key_id TEXT NOT NULL,
  requests INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  unpriced INTEGER NOT NULL,
  PRIMARY KEY (bucket, provider, instance, model, key_id)`;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE requests (
     id INTEGER PRIMARY KEY,
     time INTEGER NOT NULL,
     request_id TEXT NOT NULL,
     key_id TEXT,
     protocol TEXT NOT NULL,
     provider TEXT,
     instance TEXT,
     instance_name TEXT,
     model_asked TEXT,
     model TEXT,
     stream INTEGER NOT NULL,
     status INTEGER NOT NULL,
     error_class TEXT,
     is_error INTEGER NOT NULL,
     failovers INTEGER NOT NULL,
     fallbacks INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL,
     output_tokens INTEGER NOT NULL,
     cache_read_tokens INTEGER NOT NULL,
     cache_write_tokens INTEGER NOT NULL,
     reasoning_tokens INTEGER NOT NULL,
     usage_source TEXT NOT NULL,
     cost_usd REAL,
     duration_ms REAL NOT NULL,
     ttfb_ms REAL,
     bytes_out INTEGER NOT NULL
   );
   CREATE INDEX requests_by_time ON requests (time);
   CREATE TABLE usage_minute (${ROLLUP_COLUMNS}) WITHOUT ROWID;
   CREATE TABLE usage_hour (${ROLLUP_COLUMNS}) WITHOUT ROWID;
   CREATE TABLE usage_day (${ROLLUP_COLUMNS}) WITHOUT ROWID;`,
  // 2: narrower hour and day rollups (per provider and instance; per provider, model and client key)
  // beside the full ones, filled from them, so a query that groups by few dimensions reads few rows.
  // None for minutes: a minute holds few requests, so its narrow rollups would be nearly as long as
  // the full one (and filling them from ten million requests' minutes took 20 s).
  ['hour', 'day']
    .flatMap((tier) => [narrowRollup(tier, 'by_instance', ['provider', 'instance']), narrowRollup(tier, 'by_model_key', ['provider', 'model', 'key_id'])])
    .join('\n'),
];

/** A rollup table keyed by (bucket, ...keys), filled by summing the tier's full rollup over the rest. */
function narrowRollup(tier: string, name: string, keys: readonly string[]): string {
  const table = `usage_${tier}_${name}`;
  const key = ['bucket', ...keys].join(', ');
  const sums = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'unpriced'];
  return `CREATE TABLE ${table} (
     bucket INTEGER NOT NULL,
     ${keys.map((column) => `${column} TEXT NOT NULL,`).join('\n     ')}
     requests INTEGER NOT NULL,
     errors INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL,
     output_tokens INTEGER NOT NULL,
     cache_read_tokens INTEGER NOT NULL,
     cache_write_tokens INTEGER NOT NULL,
     reasoning_tokens INTEGER NOT NULL,
     cost_usd REAL NOT NULL,
     unpriced INTEGER NOT NULL,
     PRIMARY KEY (${key})
   ) WITHOUT ROWID;
   INSERT INTO ${table} (${key}, ${sums.join(', ')})
     SELECT ${key}, ${sums.map((column) => `SUM(${column})`).join(', ')} FROM usage_${tier} GROUP BY ${key};`;
}

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Connection): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  const current = version();
  if (current > SCHEMA_VERSION) {
    throw new Error(`usage database schema version ${current} is newer than this gateway understands (${SCHEMA_VERSION})`);
  }
  // Several gateway processes (--workers, a shared Redis pool) may open a new file at once: each step
  // takes the write lock first (BEGIN IMMEDIATE) and re-reads the version under it, so exactly one
  // process applies it and the others see it done.
  const step = db.transaction(() => {
    const now = version();
    if (now >= SCHEMA_VERSION) return false;
    db.exec(MIGRATIONS[now] as string);
    db.pragma(`user_version = ${now + 1}`);
    return true;
  });
  while (step.immediate()) {
    // one step per transaction
  }
}
