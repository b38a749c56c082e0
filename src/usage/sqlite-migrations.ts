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
];

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
