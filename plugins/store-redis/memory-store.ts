import { randomUUID } from 'node:crypto';
import { checkRole, ttlMs, type MemoryStore, type Message, type NewMessage } from '#kernel';
import { corrupt, parseObject } from './checks.js';
import type { LuaScript, RedisConnection } from './connection.js';
import { encode, type RedisKeys } from './keys.js';

// Helpers every conversation script starts with. The server's clock decides expiry, so clients
// with skewed clocks agree. A cross-thread index (mem:u, mem:threads) scores a thread by its
// expiry: `settle` drops members past it and gives the key the expiry of its last-expiring member.
const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function settle(key, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. now)
  local top = redis.call('ZREVRANGE', key, 0, 0, 'WITHSCORES')
  if top[2] == nil then return end
  if top[2] == 'inf' then redis.call('PERSIST', key) else redis.call('PEXPIREAT', key, top[2]) end
end
`;

/**
 * KEYS: thread, messages, thread users, user in thread, user, threads, seq.
 * ARGV: thread, has user (1/0), message id, JSON, user. A new message takes its thread's expiry.
 */
const APPEND: LuaScript = {
  lua: `${PRELUDE}
local now = now_ms()
settle(KEYS[6], now)
local expiry = redis.call('ZSCORE', KEYS[6], ARGV[1])
if not expiry then
  expiry = 'inf'
  redis.call('ZADD', KEYS[6], 'inf', ARGV[1])
  settle(KEYS[6], now)
end
local seq = redis.call('INCR', KEYS[7])
redis.call('ZADD', KEYS[1], seq, ARGV[3])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
local written = {KEYS[1], KEYS[2]}
if ARGV[2] == '1' then
  redis.call('SADD', KEYS[3], ARGV[5])
  redis.call('ZADD', KEYS[4], seq, ARGV[3])
  redis.call('ZADD', KEYS[5], expiry, ARGV[1])
  settle(KEYS[5], now)
  written = {KEYS[1], KEYS[2], KEYS[3], KEYS[4]}
end
if expiry ~= 'inf' then
  for _, key in ipairs(written) do redis.call('PEXPIREAT', key, expiry) end
end
return seq
`,
};

/** KEYS: thread, messages, thread users, threads. ARGV: prefix, thread, milliseconds. */
const EXPIRE: LuaScript = {
  lua: `${PRELUDE}
local now = now_ms()
settle(KEYS[4], now)
if not redis.call('ZSCORE', KEYS[4], ARGV[2]) then return 0 end
local at = now + tonumber(ARGV[3])
redis.call('ZADD', KEYS[4], at, ARGV[2])
settle(KEYS[4], now)
for _, key in ipairs({KEYS[1], KEYS[2], KEYS[3]}) do redis.call('PEXPIREAT', key, at) end
for _, u in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local user = ARGV[1] .. 'mem:u:' .. u
  redis.call('ZADD', user, at, ARGV[2])
  settle(user, now)
  redis.call('PEXPIREAT', ARGV[1] .. 'mem:tu:' .. ARGV[2] .. ':' .. u, at)
end
return 1
`,
};

/** KEYS: thread, messages, thread users, threads. ARGV: prefix, thread. Returns the messages deleted. */
const DELETE: LuaScript = {
  lua: `${PRELUDE}
local now = now_ms()
local count = redis.call('HLEN', KEYS[2])
for _, u in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local user = ARGV[1] .. 'mem:u:' .. u
  redis.call('ZREM', user, ARGV[2])
  settle(user, now)
  redis.call('DEL', ARGV[1] .. 'mem:tu:' .. ARGV[2] .. ':' .. u)
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[2])
settle(KEYS[4], now)
return count
`,
};

/** KEYS: thread, messages. ARGV: how many of the latest (-1: all). Returns [id, JSON] pairs in order. */
const THREAD: LuaScript = {
  lua: `
local limit = tonumber(ARGV[1])
local ids = redis.call('ZRANGE', KEYS[1], limit < 0 and 0 or -limit, -1)
local out = {}
for i, id in ipairs(ids) do out[i] = {id, redis.call('HGET', KEYS[2], id)} end
return out
`,
};

/**
 * The `window` newest messages of a scope, newest first, as [thread, id, JSON]: read from the
 * thread's index, the user-in-thread index, or per live thread of the user (or of everyone).
 * ARGV: prefix, thread|both|user|all, thread, user, window.
 */
const SEARCH: LuaScript = {
  lua: `${PRELUDE}
local p, mode, t, u, window = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local hits = {}
local function collect(index, thread)
  local found = redis.call('ZREVRANGE', index, 0, window - 1, 'WITHSCORES')
  for i = 1, #found, 2 do hits[#hits + 1] = {tonumber(found[i + 1]), thread, found[i]} end
end
if mode == 'thread' then collect(p .. 'mem:t:' .. t, t)
elseif mode == 'both' then collect(p .. 'mem:tu:' .. t .. ':' .. u, t)
else
  local index = mode == 'user' and (p .. 'mem:u:' .. u) or (p .. 'mem:threads')
  settle(index, now_ms())
  for _, thread in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    collect(mode == 'user' and (p .. 'mem:tu:' .. thread .. ':' .. u) or (p .. 'mem:t:' .. thread), thread)
  end
end
table.sort(hits, function(a, b) return a[1] > b[1] end)
local out = {}
for i = 1, math.min(window, #hits) do
  local hit = hits[i]
  out[i] = {hit[2], hit[3], redis.call('HGET', p .. 'mem:m:' .. hit[2], hit[3])}
end
return out
`,
};

/** Options of {@link RedisMemoryStore}. */
export interface RedisMemoryOptions {
  /** How many of the newest messages of a thread (per thread, for a user or everyone) a search reads. */
  searchWindow: number;
}

/**
 * Conversation memory on Redis. Per thread: a sorted set of message ids, a hash of messages, the
 * set of its users and a sorted set per user; across threads, per user and for everyone, a sorted
 * set of threads scored by expiry. `expireThread` puts the same expiry on all of them; reads never
 * SCAN, and search text is matched in JavaScript, never as a pattern.
 */
export class RedisMemoryStore implements MemoryStore {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #window: number;

  constructor(redis: RedisConnection, keys: RedisKeys, options: RedisMemoryOptions) {
    this.#redis = redis;
    this.#keys = keys;
    this.#window = options.searchWindow;
  }

  async append(input: NewMessage): Promise<string> {
    checkRole(input.role);
    const message: Message = {
      message_id: `msg-${randomUUID()}`,
      thread_id: input.thread_id,
      ...(input.user_id === undefined ? {} : { user_id: input.user_id }),
      role: input.role,
      content: input.content,
      metadata: input.metadata ?? {},
      timestamp: input.timestamp ?? new Date().toISOString(),
    };
    const { thread_id: threadId, user_id: userId = '' } = message;
    const keys = [this.#keys.thread(threadId), this.#keys.messages(threadId), this.#keys.threadUsers(threadId), this.#keys.userInThread(threadId, userId), this.#keys.user(userId), this.#keys.threads, this.#keys.messageSeq];
    await this.#redis.script(`append to thread "${threadId}"`, APPEND, keys, [encode(threadId), input.user_id === undefined ? 0 : 1, message.message_id, JSON.stringify(message), encode(userId)]);
    return message.message_id;
  }

  async thread(threadId: string, options: { limit?: number } = {}): Promise<Message[]> {
    if (options.limit === 0) return [];
    const key = this.#keys.messages(threadId);
    const rows = (await this.#redis.script(`read thread "${threadId}"`, THREAD, [this.#keys.thread(threadId), key], [options.limit ?? -1])) as [string, string | null][];
    return rows.map(([id, json]) => toMessage(key, id, json));
  }

  async search(query: string, scope: { thread_id?: string; user_id?: string; limit?: number } = {}): Promise<Message[]> {
    const { thread_id: threadId, user_id: userId } = scope;
    const mode = threadId === undefined ? (userId === undefined ? 'all' : 'user') : userId === undefined ? 'thread' : 'both';
    const rows = (await this.#redis.script('search messages', SEARCH, [], [this.#keys.prefix, mode, encode(threadId ?? ''), encode(userId ?? ''), this.#window])) as [string, string, string | null][];
    const needle = query.toLowerCase();
    const found = rows.map(([thread, id, json]) => toMessage(`${this.#keys.prefix}mem:m:${thread}`, id, json)).filter((m) => m.content.toLowerCase().includes(needle));
    return found.slice(0, scope.limit);
  }

  async deleteThread(threadId: string): Promise<number> {
    return (await this.#redis.script(`delete thread "${threadId}"`, DELETE, this.#threadKeys(threadId), [this.#keys.prefix, encode(threadId)])) as number;
  }

  async expireThread(threadId: string, seconds: number): Promise<void> {
    const ms = ttlMs(seconds);
    await this.#redis.script(`expire thread "${threadId}"`, EXPIRE, this.#threadKeys(threadId), [this.#keys.prefix, encode(threadId), ms]);
  }

  #threadKeys(threadId: string): string[] {
    return [this.#keys.thread(threadId), this.#keys.messages(threadId), this.#keys.threadUsers(threadId), this.#keys.threads];
  }
}

function toMessage(key: string, id: string, json: string | null): Message {
  if (json === null) throw corrupt(key, `message ${id} is indexed but missing`);
  const message = parseObject(`${key} (message ${id})`, json);
  if (typeof message['content'] !== 'string') throw corrupt(`${key} (message ${id})`, 'the message has no text content');
  return message as unknown as Message;
}
