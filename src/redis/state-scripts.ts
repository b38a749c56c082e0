/**
 * Lua scripts of the shared pool state. Each runs atomically in Redis, so a write and its
 * announcement (PUBLISH) arrive at every process in the same order as they happened.
 */
import { LuaScript } from './redis-connection.js';

/** Redis's own clock in ms: one clock for every process, whatever their machines say. */
const NOW_MS = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

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
 * until (ms). Returns the counters' new values as JSON.
 */
export const APPLY_SCRIPT = new LuaScript(`${NOW_MS}
${WRITE_TIMED}
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
 * KEYS: state hash, timed hash. ARGV: persisted fields, timed fields, timed until. Creates the record
 * from this process's view when Redis has none (first start, or Redis restarted empty), then returns
 * the record as Redis has it: { state hash, timed hash } as flat arrays.
 */
export const SEED_SCRIPT = new LuaScript(`${NOW_MS}
${WRITE_TIMED}
if redis.call('EXISTS', KEYS[1]) == 0 then
  for field, value in pairs(cjson.decode(ARGV[1])) do redis.call('HSET', KEYS[1], field, value) end
  writeTimed(KEYS[2], ARGV[2], tonumber(ARGV[3]), now)
end
return { redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]) }`);
