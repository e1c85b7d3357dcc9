import { checkBatch, conflict, notStarted, readRows, STATUS_AFTER, type WeftError, type RunDeletion, type RunEvent, type RunFilter, type RunStats, type RunStatus, type RunStore, type RunSummary } from '#kernel';
import { randomBytes } from 'node:crypto';
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
 * Moves a run's tail onto the end of its log (renaming it when the run has no log yet), counts its
 * events into the summary and forgets it: every script that writes a run's log does this first,
 * so the writer that owned the tail finds its key gone and comes back through APPEND. Returns the
 * log's event count, highest seq and latest time after the move. KEYS[3]: the event counter.
 */
const FOLD = `
local function fold(summary, log, token, tails, member, events, last, updated)
  local tail = summary .. ':tail:' .. token
  local n = redis.call('LLEN', tail)
  if n > 0 then
    local final = redis.call('LINDEX', tail, -1)
    if redis.call('EXISTS', log) == 0 then
      redis.call('RENAME', tail, log)
    else
      for i = 0, n - 1, 1000 do push(log, redis.call('LRANGE', tail, i, i + 999), 1) end
      redis.call('DEL', tail)
    end
    last = seqOf(final)
    local ok, event = pcall(cjson.decode, string.sub(final, #tostring(last) + 2))
    if ok and type(event) == 'table' and tonumber(event.at) and tonumber(event.at) > tonumber(updated) then updated = event.at end
    events = events + n
    redis.call('INCRBY', KEYS[3], n)
    redis.call('HSET', summary, 'events', events, 'last', last, 'updated', updated)
  end
  redis.call('HDEL', summary, 'tail')
  redis.call('SREM', tails, member)
  return events, last, updated
end
`;

/**
 * The exact path of an append: folds the run's tail, checks every seq of the batch before writing
 * any (a stored one: nothing is written), then adds the events and updates the summary; a batch
 * that starts the run or changes its status also creates the summary or moves the run between
 * status indexes. A batch filling a gap below the highest seq stored (`last`) rewrites the log in
 * seq order. A batch above it, leaving the run running, given a token, becomes the run's tail
 * (a list of its own, named by the token) instead: the writer then appends the steps that follow
 * with one RPUSHX to it, until any script folds it. Returns 0 (in the log), 1 (the tail) or
 * {'invalid'} or {'conflict', seq}.
 * KEYS: summary, log, event counter. ARGV: head (JSON {prefix, member, run_id, token ('' for no
 * tail), start: [pipeline, version, started, pipeline index key] or absent, status or absent}),
 * latest at, first seq, last seq, then the entries in seq order.
 */
const APPEND: LuaScript = {
  lua: `${PUSH}${LEGACY}${FOLD}
local summary, log = KEYS[1], KEYS[2]
local head = cjson.decode(ARGV[1])
local p, member, start = head.prefix, head.member, head.start
local tails = p .. 'runs:tails'
local now = redis.call('HMGET', summary, 'status', 'updated', 'started', 'events', 'last', 'tail')
local stored = now[1] ~= false
if not stored and not start then return {'invalid'} end
local first, last = tonumber(ARGV[3]), tonumber(ARGV[4])
local known = tonumber(now[5])
if stored and not known then known = upgrade(summary, log) end
if now[6] then now[4], known, now[2] = fold(summary, log, now[6], tails, member, now[4], known, now[2]) end
local above = not (known and first <= known)
if not above then
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
end
if not stored then
  local at = start[3]
  redis.call('HSET', summary, 'run_id', head.run_id, 'pipeline', start[1], 'version', start[2], 'status', 'running', 'started', at, 'pkey', start[4])
  redis.call('ZADD', p .. 'runs', at, member)
  redis.call('ZADD', start[4], at, member)
  redis.call('ZADD', p .. 'runs:status:running', at, member)
  now = {'running', at, at, 0}
end
local status = head.status
if status and status ~= now[1] then
  redis.call('ZREM', p .. 'runs:status:' .. now[1], member)
  redis.call('ZADD', p .. 'runs:status:' .. status, now[3], member)
  redis.call('HSET', summary, 'status', status)
end
if above and head.token ~= '' and (status or now[1]) == 'running' then
  push(summary .. ':tail:' .. head.token, ARGV, 5)
  redis.call('HSET', summary, 'tail', head.token, 'events', now[4], 'updated', now[2], 'last', known or 0)
  redis.call('SADD', tails, member)
  return 1
end
if above then push(log, ARGV, 5) end
local count = #ARGV - 4
local updated = now[2]
if tonumber(ARGV[2]) > tonumber(updated) then updated = ARGV[2] end
redis.call('HSET', summary, 'events', now[4] + count, 'updated', updated, 'last', math.max(last, known or last))
redis.call('INCRBY', KEYS[3], count)
return 0
`,
};

/** A run's entries: {log entries, tail key ('' when none), tail entries}. KEYS: summary, log. */
const READ: LuaScript = {
  lua: `${PUSH}${LEGACY}
if redis.call('EXISTS', KEYS[1] .. ':events') == 1 and redis.call('EXISTS', KEYS[1]) == 1 then upgrade(KEYS[1], KEYS[2]) end
local log = redis.call('LRANGE', KEYS[2], 0, -1)
local token = redis.call('HGET', KEYS[1], 'tail')
if not token then return {log, '', {}} end
local tail = KEYS[1] .. ':tail:' .. token
return {log, tail, redis.call('LRANGE', tail, 0, -1)}
`,
};

/** What a summary needs of a run: its hash, and its tail's length, last entry and key ('' when none). */
const SUMMARY = `
local function summary(key)
  local hash = redis.call('HGETALL', key)
  local token = redis.call('HGET', key, 'tail')
  if not token then return {hash, 0, '', ''} end
  local tail = key .. ':tail:' .. token
  return {hash, redis.call('LLEN', tail), redis.call('LINDEX', tail, -1) or '', tail}
end
`;

/** A run's summary. KEYS: summary. */
const GET: LuaScript = {
  lua: `${SUMMARY}
return summary(KEYS[1])
`,
};

/** Newest first from one index, or from the intersection of two. KEYS: indexes. ARGV: prefix, offset, limit (-1: all). */
const LIST: LuaScript = {
  lua: `${SUMMARY}
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
for i, m in ipairs(members) do out[i] = {m, summary(ARGV[1] .. 'run:' .. m)} end
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
  local pkey, token = unpack(redis.call('HMGET', summary, 'pkey', 'tail'))
  if pkey then redis.call('ZREM', pkey, m) end
  if token then redis.call('DEL', summary .. ':tail:' .. token) end
  redis.call('SREM', p .. 'runs:tails', m)
  redis.call('ZREM', index, m)
  for _, s in ipairs(${LUA_STATUSES}) do redis.call('ZREM', p .. 'runs:status:' .. s, m) end
  redis.call('ZREM', p .. 'runs', m)
  redis.call('DECRBY', p .. 'runs:events', redis.call('LLEN', summary .. ':log') + redis.call('ZCARD', summary .. ':events'))
  redis.call('DEL', summary, summary .. ':log', summary .. ':events')
end
return #doomed
`,
};

/**
 * Counts: runs, events (the counter, which counts logs, plus every tail), then one per status,
 * then the oldest and newest start ('' when none). ARGV: prefix.
 */
const STATS: LuaScript = {
  lua: `
local p = ARGV[1]
local events = tonumber(redis.call('GET', p .. 'runs:events') or '0')
for _, m in ipairs(redis.call('SMEMBERS', p .. 'runs:tails')) do
  local token = redis.call('HGET', p .. 'run:' .. m, 'tail')
  if token then events = events + redis.call('LLEN', p .. 'run:' .. m .. ':tail:' .. token) end
end
local out = {redis.call('ZCARD', p .. 'runs'), events}
for _, s in ipairs(${LUA_STATUSES}) do out[#out + 1] = redis.call('ZCARD', p .. 'runs:status:' .. s) end
out[#out + 1] = redis.call('ZRANGE', p .. 'runs', 0, 0, 'WITHSCORES')[2] or ''
out[#out + 1] = redis.call('ZREVRANGE', p .. 'runs', 0, 0, 'WITHSCORES')[2] or ''
return out
`,
};

const iso = (ms: number | string): string => new Date(Number(ms)).toISOString();

/** `<seq>:<JSON>` → [seq, the event], or STORE_CORRUPT naming `key`. */
function parseEntry(key: string, entry: string): [number, Record<string, unknown>] {
  const colon = entry.indexOf(':');
  const seq = Number(entry.slice(0, colon));
  if (colon < 1 || !Number.isInteger(seq)) throw corrupt(key, 'an entry does not start with its seq');
  return [seq, parseObject(key, entry.slice(colon + 1))];
}

/** What SUMMARY returns: the run's hash, and its tail's length, last entry and key ('' when it has none). */
type Found = [string[], number, string, string];

/** A summary from the run's hash and its tail. */
function toSummary(key: string, [flat, tailLength, tailLast, tail]: Found): RunSummary {
  const hash = fromPairs(flat);
  for (const field of ['run_id', 'pipeline', 'version', 'status', 'started', 'updated', 'events']) {
    if (hash[field] === undefined) throw corrupt(key, `the run summary has no ${field}`);
  }
  for (const field of ['started', 'updated', 'events']) {
    if (!Number.isFinite(Number(hash[field]))) throw corrupt(key, `the run summary's ${field} is not a number`);
  }
  if (!STATUSES.includes(hash['status'] as RunStatus)) throw corrupt(key, `unknown run status "${hash['status']}"`);
  let updated = Number(hash['updated']);
  if (tailLast !== '') {
    const at = parseEntry(tail, tailLast)[1]['at'];
    if (typeof at !== 'number') throw corrupt(tail, 'its last event has no time');
    updated = Math.max(updated, at);
  }
  return { run_id: hash['run_id']!, pipeline: hash['pipeline']!, version: hash['version']!, status: hash['status'] as RunStatus, started_at: iso(hash['started']!), updated_at: iso(updated), events: Number(hash['events']) + tailLength };
}

/** A tail this store writes: its key, and the highest seq and latest time in it. */
interface Tail {
  key: string;
  last: number;
  at: number;
}


/**
 * The run store on Redis: per run a log of events (a list in seq order) and a summary hash, plus
 * sorted-set indexes by start time, status and pipeline.
 *
 * Appends that start a run, change its status, fill a gap or clash go through one Lua script
 * (APPEND), which checks every seq exactly. A running run's next events usually follow the last
 * one from the same writer: APPEND gives that writer a tail, a list of the run's own under a
 * random name only this store instance knows, and the steps that follow are one RPUSHX onto it,
 * no script at all. Every script writing the run first folds the tail into the log, so after
 * another writer (another process resuming the run, say) has written, the RPUSHX finds no key,
 * writes nothing, and the append goes through APPEND's exact check. Appends to one run from this
 * instance are taken one at a time, so its own view of the tail is never stale.
 */
export class RedisRunStore implements RunStore {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #tails = new Map<string, Tail>();
  readonly #tailsKept: number;
  readonly #pending = new Map<string, Promise<unknown>>();

  /** `tailsKept`: how many runs' tails the store remembers; past it, the oldest one's next append goes through APPEND. */
  constructor(redis: RedisConnection, keys: RedisKeys, tailsKept = 10_000) {
    this.#redis = redis;
    this.#keys = keys;
    this.#tailsKept = tailsKept;
  }

  async append(events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    const runId = checkBatch(events);
    const before = this.#pending.get(runId);
    const next = () => this.#append(runId, events);
    const appending = before === undefined ? next() : before.then(next, next);
    this.#pending.set(runId, appending);
    try {
      await appending;
    } finally {
      if (this.#pending.get(runId) === appending) this.#pending.delete(runId);
    }
  }

  async #append(runId: string, events: readonly RunEvent[]): Promise<void> {
    let start: Extract<RunEvent, { type: 'run.started' }> | undefined;
    let status: RunStatus | undefined;
    let latest = 0;
    let ordered = true;
    const entries: string[] = [];
    for (const event of events) {
      if (event.type === 'run.started') start = event;
      status = STATUS_AFTER[event.type] ?? status;
      if (event.at < latest) ordered = false;
      latest = Math.max(latest, event.at);
      entries.push(`${event.seq}:${JSON.stringify(event)}`);
    }
    const first = events[0]!.seq;
    const last = events.at(-1)!.seq;
    const tail = this.#tails.get(runId);
    if (tail && !start && !status && ordered && first > tail.last && events[0]!.at >= tail.at) {
      const length = await this.#redis.run(`append to run "${runId}"`, (redis) => redis.rpushx(tail.key, ...entries));
      if (length > 0) {
        tail.last = last;
        tail.at = latest;
        return;
      }
    }
    this.#tails.delete(runId);
    // A tail keeps its events in time order, so its last one tells when the run last changed.
    const token = ordered ? randomBytes(8).toString('hex') : '';
    const head = JSON.stringify({ prefix: this.#keys.prefix, member: encode(runId), run_id: runId, token, start: start && [start.pipeline, start.version, String(start.at), this.#keys.runsByPipeline(start.pipeline)], status });
    const summary = this.#keys.run(runId);
    const outcome = (await this.#redis.script(`append to run "${runId}"`, APPEND, [summary, this.#keys.log(runId), this.#keys.eventCount], [head, latest, first, last, ...entries])) as 0 | 1 | ['invalid'] | ['conflict', number];
    if (outcome === 1) {
      if (this.#tails.size >= this.#tailsKept) this.#tails.delete(this.#tails.keys().next().value!);
      this.#tails.set(runId, { key: this.#keys.tail(runId, token), last, at: latest });
      return;
    }
    if (outcome === 0) return;
    if (outcome[0] === 'invalid') throw notStarted(runId);
    throw conflict(runId, outcome[1]);
  }

  async events(runId: string, afterSeq = 0): Promise<RunEvent[]> {
    const key = this.#keys.log(runId);
    const [log, tailKey, tail] = (await this.#redis.script(`read run "${runId}"`, READ, [this.#keys.run(runId), key], [])) as [string[], string, string[]];
    const events: RunEvent[] = [];
    for (const [from, entries] of [[key, log], [tailKey, tail]] as const) {
      for (const entry of entries) {
        const [seq, event] = parseEntry(from, entry);
        if (seq > afterSeq) events.push(event as unknown as RunEvent);
      }
    }
    return events;
  }

  async get(runId: string): Promise<RunSummary | undefined> {
    const key = this.#keys.run(runId);
    const found = (await this.#redis.script(`read run "${runId}"`, GET, [key], [])) as Found;
    return found[0].length === 0 ? undefined : toSummary(key, found);
  }

  async list(filter: RunFilter = {}, report?: (problem: WeftError) => void): Promise<RunSummary[]> {
    if (filter.limit === 0) return [];
    const indexes = [filter.status === undefined ? undefined : this.#keys.runsByStatus(filter.status), filter.pipeline === undefined ? undefined : this.#keys.runsByPipeline(filter.pipeline)].filter((k) => k !== undefined);
    const rows = (await this.#redis.script('list runs', LIST, indexes.length ? indexes : [this.#keys.runs], [this.#keys.prefix, filter.offset ?? 0, filter.limit ?? -1])) as [string, Found][];
    return readRows(
      rows,
      ([member, found]) => {
        const key = `${this.#keys.prefix}run:${member}`;
        if (found[0].length === 0) throw corrupt(key, 'a run index points at it, but it does not exist');
        return toSummary(key, found);
      },
      report,
    );
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
