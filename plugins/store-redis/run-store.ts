import { checkBatch, conflict, notStarted, STATUS_AFTER, type RunDeletion, type RunEvent, type RunFilter, type RunStats, type RunStatus, type RunStore, type RunSummary } from '#kernel';
import { corrupt, fromPairs, parseObject } from './checks.js';
import type { LuaScript, RedisConnection } from './connection.js';
import { encode, type RedisKeys } from './keys.js';

const STATUSES: readonly RunStatus[] = ['running', 'completed', 'failed', 'waiting_for_input', 'cancelled'];
const LUA_STATUSES = `{${STATUSES.map((s) => `'${s}'`).join(', ')}}`;

/**
 * Checks every seq of the batch before writing any (a stored one: nothing is written), then adds
 * the events, creates or updates the summary and moves the run between status indexes.
 * KEYS: summary, log. ARGV: prefix, member, run_id, has start (1/0), pipeline, version, started,
 * pipeline index key, final status or '', latest at, then seq/JSON pairs.
 */
const APPEND: LuaScript = {
  name: 'weftRunAppend',
  lua: `
local summary, log = KEYS[1], KEYS[2]
local p, member = ARGV[1], ARGV[2]
local now = redis.call('HMGET', summary, 'status', 'updated', 'started')
local stored = now[1] ~= false
if not stored and ARGV[4] == '0' then return {'invalid'} end
-- seqs come increasing: nothing stored between the first and the last means no clash (one call, not one per event).
if redis.call('ZCOUNT', log, ARGV[11], ARGV[#ARGV - 1]) > 0 then
  for i = 11, #ARGV, 2 do
    if redis.call('ZCOUNT', log, ARGV[i], ARGV[i]) > 0 then return {'conflict', ARGV[i]} end
  end
end
-- One ZADD per 500 events (Lua's unpack has a limit on how many values it spreads).
for from = 11, #ARGV, 1000 do
  redis.call('ZADD', log, unpack(ARGV, from, math.min(from + 999, #ARGV)))
end
local count = (#ARGV - 10) / 2
if not stored then
  redis.call('HSET', summary, 'run_id', ARGV[3], 'pipeline', ARGV[5], 'version', ARGV[6], 'status', 'running', 'started', ARGV[7], 'updated', ARGV[7], 'events', 0, 'pkey', ARGV[8])
  redis.call('ZADD', p .. 'runs', ARGV[7], member)
  redis.call('ZADD', ARGV[8], ARGV[7], member)
  redis.call('ZADD', p .. 'runs:status:running', ARGV[7], member)
  now = {'running', ARGV[7], ARGV[7]}
end
local old = now[1]
if ARGV[9] ~= '' and ARGV[9] ~= old then
  redis.call('ZREM', p .. 'runs:status:' .. old, member)
  redis.call('ZADD', p .. 'runs:status:' .. ARGV[9], now[3], member)
  redis.call('HSET', summary, 'status', ARGV[9])
end
redis.call('HINCRBY', summary, 'events', count)
redis.call('INCRBY', p .. 'runs:events', count)
if tonumber(ARGV[10]) > (tonumber(now[2]) or 0) then redis.call('HSET', summary, 'updated', ARGV[10]) end
return {'ok'}
`,
};

/** Newest first from one index, or from the intersection of two. KEYS: indexes. ARGV: prefix, offset, limit (-1: all). */
const LIST: LuaScript = {
  name: 'weftRunList',
  lua: `
local offset, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local members
if #KEYS == 1 then
  members = redis.call('ZREVRANGE', KEYS[1], offset, limit < 0 and -1 or offset + limit - 1)
else
  local both = redis.call('ZINTER', 2, KEYS[1], KEYS[2])
  members = {}
  local last = #both - offset
  local first = limit < 0 and 1 or math.max(1, last - limit + 1)
  for i = last, first, -1 do members[#members + 1] = both[i] end
end
local out = {}
for i, m in ipairs(members) do out[i] = {m, redis.call('HGETALL', ARGV[1] .. 'run:' .. m)} end
return out
`,
};

/** Deletes the runs an index selects, with their events and every index entry. KEYS: index. ARGV: prefix, keep|before|all, n. */
const DELETE: LuaScript = {
  name: 'weftRunDelete',
  lua: `
local p, index = ARGV[1], KEYS[1]
local doomed
if ARGV[2] == 'keep' then doomed = redis.call('ZREVRANGE', index, ARGV[3], -1)
elseif ARGV[2] == 'before' then doomed = redis.call('ZRANGEBYSCORE', index, '-inf', '(' .. ARGV[3])
else doomed = redis.call('ZRANGE', index, 0, -1) end
for _, m in ipairs(doomed) do
  local summary = p .. 'run:' .. m
  local pkey = redis.call('HGET', summary, 'pkey')
  if pkey then redis.call('ZREM', pkey, m) end
  redis.call('ZREM', index, m)
  for _, s in ipairs(${LUA_STATUSES}) do redis.call('ZREM', p .. 'runs:status:' .. s, m) end
  redis.call('ZREM', p .. 'runs', m)
  redis.call('DECRBY', p .. 'runs:events', redis.call('ZCARD', summary .. ':events'))
  redis.call('DEL', summary, summary .. ':events')
end
return #doomed
`,
};

/** Counts: runs, events, then one per status, then the oldest and newest start ('' when none). ARGV: prefix. */
const STATS: LuaScript = {
  name: 'weftRunStats',
  lua: `
local p = ARGV[1]
local out = {redis.call('ZCARD', p .. 'runs'), redis.call('GET', p .. 'runs:events') or '0'}
for _, s in ipairs(${LUA_STATUSES}) do out[#out + 1] = redis.call('ZCARD', p .. 'runs:status:' .. s) end
out[#out + 1] = redis.call('ZRANGE', p .. 'runs', 0, 0, 'WITHSCORES')[2] or ''
out[#out + 1] = redis.call('ZREVRANGE', p .. 'runs', 0, 0, 'WITHSCORES')[2] or ''
return out
`,
};

const iso = (ms: number | string): string => new Date(Number(ms)).toISOString();

function toSummary(key: string, hash: Record<string, string>): RunSummary {
  for (const field of ['run_id', 'pipeline', 'version', 'status', 'started', 'updated', 'events']) {
    if (hash[field] === undefined) throw corrupt(key, `the run summary has no ${field}`);
  }
  for (const field of ['started', 'updated', 'events']) {
    if (!Number.isFinite(Number(hash[field]))) throw corrupt(key, `the run summary's ${field} is not a number`);
  }
  if (!STATUSES.includes(hash['status'] as RunStatus)) throw corrupt(key, `unknown run status "${hash['status']}"`);
  return { run_id: hash['run_id']!, pipeline: hash['pipeline']!, version: hash['version']!, status: hash['status'] as RunStatus, started_at: iso(hash['started']!), updated_at: iso(hash['updated']!), events: Number(hash['events']) };
}

/**
 * The run store on Redis: per run a sorted set of events (score: seq) and a summary hash, plus
 * sorted-set indexes by start time, status and pipeline. Every write is one Lua script.
 */
export class RedisRunStore implements RunStore {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async append(events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    const runId = checkBatch(events);
    const start = events.find((e) => e.type === 'run.started');
    const status = events.reduce<RunStatus | undefined>((s, e) => STATUS_AFTER[e.type] ?? s, undefined);
    const args = [
      this.#keys.prefix,
      encode(runId),
      runId,
      start ? 1 : 0,
      start?.pipeline ?? '',
      start?.version ?? '',
      start?.at ?? 0,
      this.#keys.runsByPipeline(start?.pipeline ?? ''),
      status ?? '',
      Math.max(...events.map((e) => e.at)),
      ...events.flatMap((e) => [e.seq, JSON.stringify(e)]),
    ];
    const [outcome, seq] = (await this.#redis.script(`append to run "${runId}"`, APPEND, [this.#keys.run(runId), this.#keys.events(runId)], args)) as [string, string?];
    if (outcome === 'invalid') throw notStarted(runId);
    if (outcome === 'conflict') throw conflict(runId, Number(seq));
  }

  async events(runId: string, afterSeq = 0): Promise<RunEvent[]> {
    const key = this.#keys.events(runId);
    const members = await this.#redis.run(`read run "${runId}"`, (redis) => redis.zrangebyscore(key, `(${afterSeq}`, '+inf'));
    return members.map((json) => parseObject(key, json) as unknown as RunEvent);
  }

  async get(runId: string): Promise<RunSummary | undefined> {
    const key = this.#keys.run(runId);
    const hash = await this.#redis.run(`read run "${runId}"`, (redis) => redis.hgetall(key));
    return Object.keys(hash).length === 0 ? undefined : toSummary(key, hash);
  }

  async list(filter: RunFilter = {}): Promise<RunSummary[]> {
    if (filter.limit === 0) return [];
    const indexes = [filter.status === undefined ? undefined : this.#keys.runsByStatus(filter.status), filter.pipeline === undefined ? undefined : this.#keys.runsByPipeline(filter.pipeline)].filter((k) => k !== undefined);
    const rows = (await this.#redis.script('list runs', LIST, indexes.length ? indexes : [this.#keys.runs], [this.#keys.prefix, filter.offset ?? 0, filter.limit ?? -1])) as [string, string[]][];
    return rows.map(([member, flat]) => {
      const key = `${this.#keys.prefix}run:${member}`;
      if (flat.length === 0) throw corrupt(key, 'a run index points at it, but it does not exist');
      return toSummary(key, fromPairs(flat));
    });
  }

  async delete(deletion: RunDeletion = {}): Promise<number> {
    const index = deletion.pipeline === undefined ? this.#keys.runs : this.#keys.runsByPipeline(deletion.pipeline);
    const keep = deletion.keep_latest ?? 0;
    const [mode, n] = keep > 0 ? ['keep', keep] : deletion.before === undefined ? ['all', 0] : ['before', deletion.before.getTime()];
    return (await this.#redis.script('delete runs', DELETE, [index], [this.#keys.prefix, mode, n])) as number;
  }

  async stats(): Promise<RunStats> {
    const [runs, events, ...rest] = (await this.#redis.script('count runs', STATS, [], [this.#keys.prefix])) as [number, string, ...(number | string)[]];
    const stats: RunStats = { runs, events: Number(events), by_status: {} };
    STATUSES.forEach((status, i) => {
      if ((rest[i] as number) > 0) stats.by_status[status] = rest[i] as number;
    });
    const [oldest, newest] = rest.slice(STATUSES.length) as [string, string];
    if (oldest !== '') Object.assign(stats, { oldest: iso(oldest), newest: iso(newest) });
    return stats;
  }
}
