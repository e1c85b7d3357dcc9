import { checkRecordDeletion, checkRecordQuery, checkRecords, ttlMs, type RecordDeletion, type RecordQuery, type RecordStore, type StoredRecord } from '#kernel';
import { corrupt, parseObject } from './checks.js';
import type { LuaScript, RedisConnection } from './connection.js';
import { encode, type RedisKeys } from './keys.js';

// Helpers every record script starts with (the layout is in keys.ts). Index members are ids as
// given, so `encode` is repeated here to find a member's record key; the server's clock decides
// expiry. `settle` drops an index's expired members from it and its :exp set, then gives both the
// expiry of their last-expiring member, or none while a member has none.
const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function encode(id)
  return (id:gsub('%%', '%%25'):gsub(':', '%%3A'))
end
local function settle(index, now)
  local exp = index .. ':exp'
  local gone = redis.call('ZRANGEBYSCORE', exp, '-inf', now)
  for i = 1, #gone, 1000 do redis.call('ZREM', index, unpack(gone, i, math.min(i + 999, #gone))) end
  redis.call('ZREMRANGEBYSCORE', exp, '-inf', now)
  local top = redis.call('ZREVRANGE', exp, 0, 0, 'WITHSCORES')
  if top[2] == nil then return end
  if top[2] == 'inf' then
    redis.call('PERSIST', index)
    redis.call('PERSIST', exp)
  else
    redis.call('PEXPIREAT', index, top[2])
    redis.call('PEXPIREAT', exp, top[2])
  end
end
`;

/**
 * Replaces or adds each record: an earlier record with its id leaves the pipeline and run indexes
 * it was in, the new one enters its own with the batch's expiry; every index touched is settled.
 * ARGV: ttl ms or '', then per record: its kind's key start, id, at, pipeline key part or '', run
 * key part or '', JSON.
 */
const PUT: LuaScript = {
  lua: `${PRELUDE}
local now = now_ms()
local expiry = ARGV[1] == '' and 'inf' or now + tonumber(ARGV[1])
local touched = {}
local function unindex(index, id)
  redis.call('ZREM', index, id)
  redis.call('ZREM', index .. ':exp', id)
  touched[index] = true
end
local function index(index, at, id)
  redis.call('ZADD', index, at, id)
  redis.call('ZADD', index .. ':exp', expiry, id)
  touched[index] = true
end
for i = 2, #ARGV, 6 do
  local base, id, at, pipe, run = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local key = base .. 'id:' .. encode(id)
  local old = redis.call('HMGET', key, 'pipe', 'run')
  if old[1] and old[1] ~= '' then unindex(base .. 'pipe:' .. old[1], id) end
  if old[2] and old[2] ~= '' then unindex(base .. 'run:' .. old[2], id) end
  redis.call('DEL', key)
  redis.call('HSET', key, 'record', ARGV[i + 5], 'pipe', pipe, 'run', run)
  if expiry ~= 'inf' then redis.call('PEXPIREAT', key, expiry) end
  index(base .. 'all', at, id)
  if pipe ~= '' then index(base .. 'pipe:' .. pipe, at, id) end
  if run ~= '' then index(base .. 'run:' .. run, at, id) end
end
for key in pairs(touched) do settle(key, now) end
return 0
`,
};

/**
 * The records of one index between two scores, oldest first, as [id, JSON]; with a pipeline key
 * part, only records of that pipeline; with a limit, the newest that many (read newest first, in
 * pages). ARGV: kind key start, index, min, max, pipeline key part or '', limit (-1: all).
 */
const LIST: LuaScript = {
  lua: `${PRELUDE}
local base, index, min, max, pipe, limit = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
settle(index, now_ms())
local found = {}
local function take(id)
  local h = redis.call('HMGET', base .. 'id:' .. encode(id), 'record', 'pipe')
  if pipe == '' or h[2] == pipe then found[#found + 1] = {id, h[1]} end
end
if limit < 0 then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', index, min, max)) do take(id) end
  return found
end
local offset = 0
repeat
  local page = redis.call('ZREVRANGEBYSCORE', index, max, min, 'LIMIT', offset, 500)
  for _, id in ipairs(page) do
    if #found < limit then take(id) end
  end
  offset = offset + 500
until #page < 500 or #found >= limit
local out = {}
for i = #found, 1, -1 do out[#out + 1] = found[i] end
return out
`,
};

/**
 * Deletes the live records of one index (all of them, or those before a score) with every index
 * entry that points at them; resolves to how many. ARGV: kind key start, index, before or ''.
 */
const DELETE: LuaScript = {
  lua: `${PRELUDE}
local base, index, before = ARGV[1], ARGV[2], ARGV[3]
local now = now_ms()
settle(index, now)
local doomed = before == '' and redis.call('ZRANGE', index, 0, -1) or redis.call('ZRANGEBYSCORE', index, '-inf', '(' .. before)
local touched = {[index] = true, [base .. 'all'] = true}
for _, id in ipairs(doomed) do
  local key = base .. 'id:' .. encode(id)
  local h = redis.call('HMGET', key, 'pipe', 'run')
  local indexes = {index, base .. 'all'}
  if h[1] and h[1] ~= '' then indexes[#indexes + 1] = base .. 'pipe:' .. h[1] end
  if h[2] and h[2] ~= '' then indexes[#indexes + 1] = base .. 'run:' .. h[2] end
  for _, i in ipairs(indexes) do
    redis.call('ZREM', i, id)
    redis.call('ZREM', i .. ':exp', id)
    touched[i] = true
  end
  redis.call('DEL', key)
end
for key in pairs(touched) do settle(key, now) end
return #doomed
`,
};

/**
 * Time-stamped records on Redis: a hash per record with Redis's own expiry, and per kind sorted
 * sets of ids by time (all, per pipeline, per run), each beside a sorted set of the same ids by
 * expiry, so no index outlives what it points at (see keys.ts). Every operation is one script.
 */
export class RedisRecordStore implements RecordStore {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async put(input: readonly StoredRecord[], options: { ttl_seconds?: number } = {}): Promise<void> {
    const ms = options.ttl_seconds === undefined ? '' : ttlMs(options.ttl_seconds);
    const batch = checkRecords(input);
    if (batch.length === 0) return;
    const args = batch.flatMap((r) => [this.#keys.records(r.kind), r.id, r.at, r.pipeline === undefined ? '' : encode(r.pipeline), r.run_id === undefined ? '' : encode(r.run_id), JSON.stringify(r)]);
    await this.#redis.script(`store ${batch.length} record(s) of kind "${batch[0]!.kind}"`, PUT, [], [ms, ...args]);
  }

  async list(query: RecordQuery): Promise<StoredRecord[]> {
    checkRecordQuery(query);
    if (query.limit === 0) return [];
    const base = this.#keys.records(query.kind);
    // The narrowest index: a run's records, a pipeline's, or the kind's; a pipeline given beside a run is checked per record.
    const index = query.run_id !== undefined ? `${base}run:${encode(query.run_id)}` : query.pipeline !== undefined ? `${base}pipe:${encode(query.pipeline)}` : `${base}all`;
    const pipeline = query.run_id !== undefined && query.pipeline !== undefined ? encode(query.pipeline) : '';
    const min = query.since === undefined ? '-inf' : String(query.since);
    const max = query.until === undefined ? '+inf' : `(${query.until}`;
    const rows = (await this.#redis.script(`list records of kind "${query.kind}"`, LIST, [], [base, index, min, max, pipeline, query.limit ?? -1])) as [string, string | null][];
    return rows.map(([id, json]) => {
      const key = `${base}id:${encode(id)}`;
      if (json === null) throw corrupt(key, 'a record index points at it, but it does not exist');
      const record = parseObject(key, json);
      if (typeof record['data'] !== 'object' || record['data'] === null) throw corrupt(key, 'the record has no data object');
      return record as unknown as StoredRecord;
    });
  }

  async delete(deletion: RecordDeletion): Promise<number> {
    checkRecordDeletion(deletion);
    const base = this.#keys.records(deletion.kind);
    const index = deletion.run_id === undefined ? `${base}all` : `${base}run:${encode(deletion.run_id)}`;
    return (await this.#redis.script(`delete records of kind "${deletion.kind}"`, DELETE, [], [base, index, deletion.before ?? ''])) as number;
  }
}
