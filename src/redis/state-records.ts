/**
 * Reads and writes of the instance records in Redis (the Lua scripts of state-scripts.ts run here).
 * No state of their own: the store decides what to write and merges what comes back.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { InstanceState } from '../pool/index.js';
import type { Pending } from './pending-writes.js';
import { GROWING_COUNTERS, encodeField, encodePersisted, encodeTimed } from './state-codec.js';
import type { RedisStateKeys } from './state-keys.js';
import { APPLY_SCRIPT, MISSING, SEED_SCRIPT } from './state-scripts.js';

/** Every record under the prefix (both hashes merged), by instance id. */
export async function readAllRecords(client: Redis, keys: RedisStateKeys): Promise<Map<string, Record<string, string>>> {
  const records = new Map<string, Record<string, string>>();
  const statePrefix = keys.state('');
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', `${statePrefix}*`, 'COUNT', 500);
    cursor = next;
    const ids = found.map((key) => key.slice(statePrefix.length));
    const hashes = await Promise.all(ids.flatMap((id) => [client.hgetall(keys.state(id)), client.hgetall(keys.timed(id))]));
    ids.forEach((id, index) => {
      records.set(id, { ...hashes[index * 2], ...hashes[index * 2 + 1] });
    });
  } while (cursor !== '0');
  return records;
}

/**
 * The id of Redis's current data set: created by the first process that finds none, so a Redis
 * that restarted empty (or was flushed) has a new one and every process knows its data was lost.
 */
export async function readEpoch(client: Redis, keys: RedisStateKeys): Promise<string | undefined> {
  await client.set(keys.epoch, randomBytes(8).toString('hex'), 'NX');
  return (await client.get(keys.epoch)) ?? undefined;
}

/**
 * Writes one instance's pending changes (and announces them if asked). Resolves the counters' new
 * totals, or MISSING when Redis has no record for it (then nothing was written).
 */
export async function writeRecord(
  client: Redis,
  keys: RedisStateKeys,
  origin: string,
  id: string,
  pending: Pending,
  state: InstanceState,
): Promise<Record<string, string> | typeof MISSING> {
  const set: Record<string, string> = {};
  for (const [field, value] of Object.entries(pending.set)) set[field] = encodeField(field, value);
  const timed = pending.timed ? encodeTimed(state) : undefined;
  const answer = await APPLY_SCRIPT.run(
    client,
    [keys.state(id), keys.timed(id)],
    [
      pending.announce ? keys.channel : '',
      origin,
      id,
      JSON.stringify(set),
      JSON.stringify(pending.add),
      timed === undefined ? '' : JSON.stringify(timed.fields),
      timed?.until ?? 0,
    ],
  );
  return answer === MISSING ? MISSING : (JSON.parse(String(answer)) as Record<string, string>);
}

/**
 * Creates the record from `committed` (this process's view without its unsent deltas) when Redis
 * has none, and reads it back (both hashes merged). `restore` (the first seed after Redis lost its
 * data): counters that only grow are restored from this process's totals (see SEED_SCRIPT).
 */
export async function seedRecord(client: Redis, keys: RedisStateKeys, id: string, committed: InstanceState, restore: boolean): Promise<Record<string, string>> {
  const timed = encodeTimed(committed);
  const answer = (await SEED_SCRIPT.run(
    client,
    [keys.state(id), keys.timed(id)],
    [
      JSON.stringify(encodePersisted(committed)),
      JSON.stringify(timed.fields),
      timed.until,
      restore ? JSON.stringify(Object.fromEntries(GROWING_COUNTERS.map((field) => [field, committed[field]]))) : '',
    ],
  )) as [string[], string[]];
  return { ...pairsToRecord(answer[0]), ...pairsToRecord(answer[1]) };
}

function pairsToRecord(pairs: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = 0; index + 1 < pairs.length; index += 2) record[pairs[index] as string] = pairs[index + 1] as string;
  return record;
}
