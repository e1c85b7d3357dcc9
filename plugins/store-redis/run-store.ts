import { checkBatch, conflict, notStarted, STATUS_AFTER, type RunDeletion, type RunEvent, type RunFilter, type RunStats, type RunStatus, type RunStore, type RunSummary } from '#kernel';
import { corrupt, fromPairs, parseObject } from './checks.js';
import type { LuaScript, RedisConnection } from './connection.js';
import { encode, type RedisKeys } from './keys.js';

const STATUSES: readonly RunStatus[] = ['running', 'completed', 'failed', 'waiting_for_input', 'cancelled'];
const LUA_STATUSES = `{${STATUSES.map((s) => `'${s}'`).join(', ')}}`;

// An event is kept in the run's log (a list, in seq order) as "<seq>:<JSON>": appending is an
// RPUSH, and the seq is read back without parsing the JSON.

/** Pushes `values` onto `key`, 1,000 at a time (Lua's unpack has a limit on how many it spreads). */
const PUSH = `
local function push(key, values, from)
  for i = from, #values, 1000 do redis.call('RPUSH', key, unpack(values, i, math.min(i + 999, #values))) end
end
local function seqOf(entry) return tonumber(string.match(entry, '^%d+')) end
`;

/**
 * Runs stored before the log was a list kept their events in a sorted set beside the summary
 * (score seq, member JSON) and no `last`: this moves such a run's events into its log, sets
 * `last` from the log and returns it. Once per run, the first time it is read or appended to (or
 * again for a summary that lost `last`).
 */
const LEGACY = `
local function upgrade(summary, log)
  local old = summary .. ':events'
  local scored = redis.call('ZRANGE', old, 0, -1, 'WITHSCORES')
  local entries = {}
  for i = 1, #scored, 2 do entries[#entries + 1] = scored[i + 1] .. ':' .. scored[i] end
  push(log, entries, 1)
  redis.call('DEL', old)
  local tail = redis.call('LINDEX', log, -1)
  local last = tail and seqOf(tail) or 0
  redis.call('HSET', summary, 'last', last)
  return last
end
`;

/**
 * Checks every seq of the batch before writing any (a stored one: nothing is written), then adds
 * the events and updates the summary; a batch that starts the run or changes its status also
 * creates the summary or moves the run between status indexes. The summary keeps the highest seq
 * stored (`last`): a batch starting above it is pushed onto the log, so the usual step batch is
 * four calls (read the summary, push, write the summary, count), taken first. A batch filling a
 * gap below it rewrites the log in seq order. Returns 0, {'invalid'} or {'conflict', seq}.
 * KEYS: summary, log, event counter. ARGV: head ('' for a batch that neither starts the run nor
 * changes its status, else JSON {prefix, member, run_id, start: [pipeline, version, started,
 * pipeline index key] or absent, status or absent}), latest at, first seq, last seq, then the
 * entries in seq order.
 */
const APPEND: LuaScript = {
  lua: `
local summary, log = KEYS[1], KEYS[2]
local hot = redis.call('HMGET', summary, 'updated', 'events', 'last')
local known = tonumber(hot[3])
-- The usual step batch: a stored run, nothing at or above its highest seq, no status change.
if ARGV[1] == '' and known and tonumber(ARGV[3]) > known and #ARGV <= 1004 then
  redis.call('RPUSH', log, unpack(ARGV, 5))
  local updated = hot[1]
  if tonumber(ARGV[2]) > tonumber(updated) then updated = ARGV[2] end
  redis.call('HSET', summary, 'events', hot[2] + #ARGV - 4, 'updated', updated, 'last', ARGV[4])
  redis.call('INCRBY', KEYS[3], #ARGV - 4)
  return 0
end
${PUSH}${LEGACY}
local now = redis.call('HMGET', summary, 'status', 'updated', 'started', 'events')
local head = ARGV[1] ~= '' and cjson.decode(ARGV[1]) or nil
local start = head and head.start
local stored = now[1] ~= false
if not stored and not start then return {'invalid'} end
local first, last = tonumber(ARGV[3]), tonumber(ARGV[4])
if stored and not known then known = upgrade(summary, log) end
if known and first <= known then
  local have, entries = {}, redis.call('LRANGE', log, 0, -1)
  for _, entry in ipairs(entries) do have[seqOf(entry)] = true end
  for i = 5, #ARGV do
    local seq = seqOf(ARGV[i])
    if have[seq] then return {'conflict', seq} end
    entries[#entries + 1] = ARGV[i]
  end
  table.sort(entries, function(a, b) return seqOf(a) < seqOf(b) end)
  redis.call('DEL', log)
  push(log, entries, 1)
else
  push(log, ARGV, 5)
end
local count = #ARGV - 4
if not stored then
  local p, member, at = head.prefix, head.member, start[3]
  redis.call('HSET', summary, 'run_id', head.run_id, 'pipeline', start[1], 'version', start[2], 'status', 'running', 'started', at, 'pkey', start[4])
  redis.call('ZADD', p .. 'runs', at, member)
  redis.call('ZADD', start[4], at, member)
  redis.call('ZADD', p .. 'runs:status:running', at, member)
  now = {'running', at, at, 0}
end
local status = head and head.status
if status and status ~= now[1] then
  local p, member = head.prefix, head.member
  redis.call('ZREM', p .. 'runs:status:' .. now[1], member)
  redis.call('ZADD', p .. 'runs:status:' .. status, now[3], member)
  redis.call('HSET', summary, 'status', status)
end
local updated = now[2]
if tonumber(ARGV[2]) > tonumber(updated) then updated = ARGV[2] end
redis.call('HSET', summary, 'events', now[4] + count, 'updated', updated, 'last', math.max(last, known or last))
redis.call('INCRBY', KEYS[3], count)
return 0
`,
};

/** A run's log entries. KEYS: summary, log. */
const READ: LuaScript = {
  lua: `${PUSH}${LEGACY}
if redis.call('EXISTS', KEYS[1] .. ':events') == 1 and redis.call('EXISTS', KEYS[1]) == 1 then upgrade(KEYS[1], KEYS[2]) end
return redis.call('LRANGE', KEYS[2], 0, -1)
`,
};

/** Newest first from one index, or from the intersection of two. KEYS: indexes. ARGV: prefix, offset, limit (-1: all). */
const LIST: LuaScript = {
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
  redis.call('DECRBY', p .. 'runs:events', redis.call('LLEN', summary .. ':log') + redis.call('ZCARD', summary .. ':events'))
  redis.call('DEL', summary, summary .. ':log', summary .. ':events')
end
return #doomed
`,
};

/** Counts: runs, events, then one per status, then the oldest and newest start ('' when none). ARGV: prefix. */
const STATS: LuaScript = {
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
 * The run store on Redis: per run a log of events (a list in seq order) and a summary hash, plus
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
    let start: Extract<RunEvent, { type: 'run.started' }> | undefined;
    let status: RunStatus | undefined;
    let latest = 0;
    const args: (string | number)[] = ['', 0, events[0]!.seq, events.at(-1)!.seq];
    for (const event of events) {
      if (event.type === 'run.started') start = event;
      status = STATUS_AFTER[event.type] ?? status;
      latest = Math.max(latest, event.at);
      args.push(`${event.seq}:${JSON.stringify(event)}`);
    }
    args[1] = latest;
    if (start || status) {
      args[0] = JSON.stringify({ prefix: this.#keys.prefix, member: encode(runId), run_id: runId, start: start && [start.pipeline, start.version, String(start.at), this.#keys.runsByPipeline(start.pipeline)], status });
    }
    const outcome = (await this.#redis.script(`append to run "${runId}"`, APPEND, [this.#keys.run(runId), this.#keys.log(runId), this.#keys.eventCount], args)) as 0 | ['invalid'] | ['conflict', number];
    if (outcome === 0) return;
    if (outcome[0] === 'invalid') throw notStarted(runId);
    throw conflict(runId, outcome[1]);
  }

  async events(runId: string, afterSeq = 0): Promise<RunEvent[]> {
    const key = this.#keys.log(runId);
    const entries = (await this.#redis.script(`read run "${runId}"`, READ, [this.#keys.run(runId), key], [])) as string[];
    const events: RunEvent[] = [];
    for (const entry of entries) {
      const colon = entry.indexOf(':');
      const seq = Number(entry.slice(0, colon));
      if (colon < 1 || !Number.isInteger(seq)) throw corrupt(key, 'an entry does not start with its seq');
      if (seq > afterSeq) events.push(parseObject(key, entry.slice(colon + 1)) as unknown as RunEvent);
    }
    return events;
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
