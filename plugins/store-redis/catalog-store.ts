import type { CatalogEntry, CatalogStore } from '#kernel';
import { corrupt, fromPairs, parseObject } from './checks.js';
import type { LuaScript, RedisConnection } from './connection.js';
import { encode, type RedisKeys } from './keys.js';

/**
 * Compares with the latest revision's hash and, when it differs, writes the next revision and
 * moves the index. KEYS: latest index. ARGV: prefix, name key part, name, version, hash,
 * definition JSON, source, has source (1/0), created_at. Returns [action, key, fields].
 */
const PUT: LuaScript = {
  lua: `
local p, e = ARGV[1], ARGV[2]
local latest = tonumber(redis.call('HGET', KEYS[1], e) or '0')
if latest > 0 then
  local key = p .. 'cat:' .. e .. ':' .. latest
  if redis.call('HGET', key, 'hash') == ARGV[5] then return {'unchanged', key, redis.call('HGETALL', key)} end
end
local revision = latest + 1
local key = p .. 'cat:' .. e .. ':' .. revision
redis.call('HSET', key, 'name', ARGV[3], 'revision', revision, 'version', ARGV[4], 'hash', ARGV[5], 'definition', ARGV[6], 'created_at', ARGV[9])
if ARGV[8] == '1' then redis.call('HSET', key, 'source', ARGV[7]) end
redis.call('HSET', KEYS[1], e, revision)
return {latest > 0 and 'updated' or 'imported', key, redis.call('HGETALL', key)}
`,
};

/** The latest revision of one name (KEYS: index; ARGV: prefix, name key part), or of all (no ARGV[2]). Returns [key, fields] pairs. */
const LATEST: LuaScript = {
  lua: `
local names = ARGV[2] and {ARGV[2], redis.call('HGET', KEYS[1], ARGV[2])} or redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #names, 2 do
  if names[i + 1] then
    local key = ARGV[1] .. 'cat:' .. names[i] .. ':' .. names[i + 1]
    out[#out + 1] = {key, redis.call('HGETALL', key)}
  end
end
return out
`,
};

function toEntry(key: string, flat: readonly string[]): CatalogEntry {
  const fields = fromPairs(flat);
  for (const field of ['name', 'revision', 'version', 'hash', 'definition', 'created_at']) {
    if (fields[field] === undefined) throw corrupt(key, `the catalogue entry has no ${field}`);
  }
  const { name, revision, version, hash, definition, source, created_at } = fields as Record<string, string>;
  return { name: name!, revision: Number(revision), version: version!, hash: hash!, definition: parseObject(key, definition!), ...(source === undefined ? {} : { source }), created_at: created_at! };
}

/** The pipeline catalogue on Redis: a hash per revision and a hash of the latest revision per name. */
export class RedisCatalogStore implements CatalogStore {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async put(input: Parameters<CatalogStore['put']>[0]): Promise<{ entry: CatalogEntry; action: 'imported' | 'updated' | 'unchanged' }> {
    const args = [this.#keys.prefix, encode(input.name), input.name, input.version, input.hash, JSON.stringify(input.definition), input.source ?? '', input.source === undefined ? 0 : 1, new Date().toISOString()];
    const [action, key, flat] = (await this.#redis.script(`store pipeline "${input.name}"`, PUT, [this.#keys.catalogLatest], args)) as ['imported' | 'updated' | 'unchanged', string, string[]];
    return { entry: toEntry(key, flat), action };
  }

  async get(name: string, revision?: number): Promise<CatalogEntry | undefined> {
    if (revision !== undefined) {
      const key = this.#keys.catalog(name, revision);
      const fields = await this.#redis.run(`read pipeline "${name}"`, (redis) => redis.hgetall(key));
      return Object.keys(fields).length === 0 ? undefined : toEntry(key, Object.entries(fields).flat());
    }
    const [found] = (await this.#redis.script(`read pipeline "${name}"`, LATEST, [this.#keys.catalogLatest], [this.#keys.prefix, encode(name)])) as [string, string[]][];
    return found && toEntry(...found);
  }

  async list(): Promise<CatalogEntry[]> {
    const rows = (await this.#redis.script('list pipelines', LATEST, [this.#keys.catalogLatest], [this.#keys.prefix])) as [string, string[]][];
    return rows.map(([key, flat]) => toEntry(key, flat)).sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}
