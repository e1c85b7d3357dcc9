import { definePlugin, type StoreBackend } from '#kernel';
import { RedisCatalogStore } from './catalog-store.js';
import { RedisConnection } from './connection.js';
import { RedisKeys } from './keys.js';
import { RedisKeyValueStore } from './kv-store.js';
import { RedisMemoryStore } from './memory-store.js';
import { RedisRecordStore } from './record-store.js';
import { RedisRunStore } from './run-store.js';

export { RedisCatalogStore } from './catalog-store.js';
export { RedisConnection } from './connection.js';
export { RedisKeys, encode } from './keys.js';
export { RedisKeyValueStore } from './kv-store.js';
export { RedisMemoryStore } from './memory-store.js';
export { RedisRecordStore } from './record-store.js';
export { RedisRunStore } from './run-store.js';

/** Configuration of the store-redis plugin (`plugins.store-redis`). */
export interface RedisStoreConfig {
  /** Every key weft writes starts with this. */
  prefix: string;
  connect_timeout_ms: number;
  search_window: number;
}

/** A `redis` storage backend with its connection, which `close` ends. */
export interface RedisBackend extends StoreBackend {
  readonly connection: RedisConnection;
  readonly keys: RedisKeys;
  close(): Promise<void>;
}

/** A Redis backend for `url`; nothing connects until a store is first used. */
export function createRedisBackend(url: string, config: RedisStoreConfig): RedisBackend {
  const connection = new RedisConnection(url, { connectTimeoutMs: config.connect_timeout_ms });
  const keys = new RedisKeys(config.prefix);
  const runs = new RedisRunStore(connection, keys);
  const memory = new RedisMemoryStore(connection, keys, { searchWindow: config.search_window });
  const kv = new RedisKeyValueStore(connection, keys);
  const catalog = new RedisCatalogStore(connection, keys);
  const records = new RedisRecordStore(connection, keys);
  return {
    kind: 'redis',
    connection,
    keys,
    describe: () => `${connection.where}, keys ${config.prefix}*`,
    runs: async () => runs,
    memory: async () => memory,
    kv: async () => kv,
    catalog: async () => catalog,
    records: async () => records,
    close: () => connection.close(),
  };
}

/** Run, conversation, key-value, catalogue and record stores on Redis (ioredis); registered only when `redis_url` (REDIS_URL) is set. */
export default definePlugin<RedisStoreConfig>({
  name: 'store-redis',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['storage'],
  description: 'Stores runs, conversation memory, key-value data, the pipeline catalogue and time-stamped records in Redis (REDIS_URL)',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      prefix: { type: 'string', default: 'weft:', description: 'Every key weft writes starts with this' },
      connect_timeout_ms: { type: 'integer', minimum: 1, default: 5000, description: 'How long connecting may take before a store reports STORE_UNAVAILABLE' },
      search_window: { type: 'integer', minimum: 1, default: 1000, description: 'How many of the newest messages per thread a memory search reads' },
    },
  },
  setup(ctx) {
    const url = ctx.kernelConfig.redis_url;
    if (url === undefined) return;
    const backend = createRedisBackend(url, ctx.config);
    ctx.services.get('storage').register(backend);
    ctx.onClose(() => backend.close());
  },
});
