/**
 * Lua scripts of the shared pool state. Each runs atomically in Redis, so a write and its
 * announcement (PUBLISH) arrive at every process in the same order as they happened.
 */
import { LuaScript } from './redis-connection.js';
import { GROWING_COUNTERS } from './state-codec.js';

/** Redis's own clock in ms: one clock for every process, whatever their machines say. */
const NOW_MS = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/** APPLY_SCRIPT's answer when the record it should change does not exist. */
export const MISSING = 'missing';

/** Writes the timed hash: replaced as a whole, with its TTL at the end of the last cooldown. */
const WRITE_TIMED = `local function writeTimed(key, timedJson, untilMs, now)
  redis.call('DEL', key)
  if untilMs > now then
    for field, value in pairs(cjson.decode(timedJson)) do redis.call('HSET', key, field, value) end
    redis.call('PEXPIREAT', key, untilMs)
  end
end`;

/**
 * KEYS: state hash, timed hash. ARGV: channel ('' = do not announce), origin, id, set (field →
 * encoded value), add (counter → delta), timed ('' = unchanged, else field → encoded value), timed
 * until (ms). Returns the counters' new values as JSON, or MISSING (and writes nothing) when the
 * record is not there: a write must never create a record holding only the fields it changes.
 */
export const APPLY_SCRIPT = new LuaScript(`${NOW_MS}
${WRITE_TIMED}
if redis.call('EXISTS', KEYS[1]) == 0 then return '${MISSING}' end
local set = cjson.decode(ARGV[4])
for field, value in pairs(set) do redis.call('HSET', KEYS[1], field, value) end
local counters = {}
for field, delta in pairs(cjson.decode(ARGV[5])) do
  local value = redis.call('HINCRBY', KEYS[1], field, delta)
  if value < 0 then
    redis.call('HSET', KEYS[1], field, 0)
    value = 0
  end
  counters[field] = tostring(value)
end
local timed = nil
if ARGV[6] ~= '' then
  writeTimed(KEYS[2], ARGV[6], tonumber(ARGV[7]), now)
  timed = cjson.decode(ARGV[6])
end
local encodedCounters = cjson.encode(counters)
if ARGV[1] ~= '' then
  redis.call('PUBLISH', ARGV[1], cjson.encode({ o = ARGV[2], i = ARGV[3], s = set, c = counters, t = timed }))
end
return encodedCounters`);

/**
 * KEYS: state hash, timed hash. ARGV: persisted fields, timed fields, timed until, restored totals
 * ('' = none). Creates the record from this process's view when Redis has none (first start, or
 * Redis restarted empty), noting each growing counter's starting total as `base:<field>`.
 * Restored totals (after Redis lost its data, see GROWING_COUNTERS): a process that knew a higher
 * total than the record was created with adds the difference (and raises the base), so the record
 * ends at the highest total any process knew plus every write made since. Returns the record as
 * Redis has it: { state hash, timed hash } as flat arrays.
 */
export const SEED_SCRIPT = new LuaScript(`${NOW_MS}
${WRITE_TIMED}
if redis.call('EXISTS', KEYS[1]) == 0 then
  local fields = cjson.decode(ARGV[1])
  for field, value in pairs(fields) do redis.call('HSET', KEYS[1], field, value) end
  for _, field in ipairs({ ${GROWING_COUNTERS.map((field) => `'${field}'`).join(', ')} }) do
    if fields[field] then redis.call('HSET', KEYS[1], 'base:' .. field, fields[field]) end
  end
  writeTimed(KEYS[2], ARGV[2], tonumber(ARGV[3]), now)
elseif ARGV[4] ~= '' then
  for field, total in pairs(cjson.decode(ARGV[4])) do
    local base = tonumber(redis.call('HGET', KEYS[1], 'base:' .. field)) or 0
    if total > base then
      redis.call('HINCRBY', KEYS[1], field, total - base)
      redis.call('HSET', KEYS[1], 'base:' .. field, total)
    end
  end
end
return { redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]) }`);
