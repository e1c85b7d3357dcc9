import { StoreErrors, ttlMs, WeftError, type KeyValueStore } from '#kernel';
import type { LuaScript, RedisConnection } from './connection.js';
import type { RedisKeys } from './keys.js';

/** INCRBY, then an expiry only if the counter has none (a fixed window). KEYS: key. ARGV: by, ms or ''. */
const INCREMENT: LuaScript = {
  lua: `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2], 'NX') end
return value
`,
};

/** SET (with PX when given) or DEL, only while the key holds the expected value. KEYS: key. ARGV: expected, value or absent (delete), ms or ''. */
const IF_EQUAL: LuaScript = {
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == nil then return redis.call('DEL', KEYS[1]) end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`,
};

/** Key-value data on Redis: one string per key, with Redis's own expiry. */
export class RedisKeyValueStore implements KeyValueStore {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#redis.run(`read key "${key}"`, (redis) => redis.get(this.#keys.kv(key)))) ?? undefined;
  }

  async set(key: string, value: string, options: { ttl_seconds?: number } = {}): Promise<void> {
    const ms = options.ttl_seconds === undefined ? undefined : ttlMs(options.ttl_seconds);
    await this.#redis.run(`set key "${key}"`, (redis) => (ms === undefined ? redis.set(this.#keys.kv(key), value) : redis.set(this.#keys.kv(key), value, 'PX', ms)));
  }

  async setIfAbsent(key: string, value: string, options: { ttl_seconds?: number } = {}): Promise<boolean> {
    const ms = options.ttl_seconds === undefined ? undefined : ttlMs(options.ttl_seconds);
    const reply = await this.#redis.run(`set key "${key}"`, (redis) => (ms === undefined ? redis.set(this.#keys.kv(key), value, 'NX') : redis.set(this.#keys.kv(key), value, 'PX', ms, 'NX')));
    return reply === 'OK';
  }

  async delete(key: string): Promise<boolean> {
    return (await this.#redis.run(`delete key "${key}"`, (redis) => redis.del(this.#keys.kv(key)))) === 1;
  }

  async replaceIf(key: string, expected: string, value: string, options: { ttl_seconds?: number } = {}): Promise<boolean> {
    const ms = options.ttl_seconds === undefined ? '' : ttlMs(options.ttl_seconds);
    return (await this.#redis.script(`set key "${key}"`, IF_EQUAL, [this.#keys.kv(key)], [expected, value, ms])) === 1;
  }

  async deleteIf(key: string, expected: string): Promise<boolean> {
    return (await this.#redis.script(`delete key "${key}"`, IF_EQUAL, [this.#keys.kv(key)], [expected])) === 1;
  }

  async increment(key: string, by = 1, options: { ttl_seconds?: number } = {}): Promise<number> {
    const ms = options.ttl_seconds === undefined ? '' : ttlMs(options.ttl_seconds);
    if (!Number.isSafeInteger(by)) throw new WeftError(StoreErrors.INVALID, `increment takes an integer step, got ${by}`);
    try {
      return (await this.#redis.script(`increment key "${key}"`, INCREMENT, [this.#keys.kv(key)], [by, ms])) as number;
    } catch (e: unknown) {
      if (/not an integer|overflow/.test((e as Error).message)) throw new WeftError(StoreErrors.INVALID, `The value of "${key}" is not an integer counter (or would overflow)`, { cause: e, data: { key } });
      throw e;
    }
  }
}
