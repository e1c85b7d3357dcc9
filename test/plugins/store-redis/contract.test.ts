// The Redis backend against every store contract, on a real server, under a prefix of its own.
import type { RedisBackend } from '../../../plugins/store-redis/index.js';
import { catalogStoreContract } from '../../contract/catalog-store.js';
import type { OpenStore } from '../../contract/harness.js';
import { kvStoreContract } from '../../contract/kv-store.js';
import { memoryStoreContract } from '../../contract/memory-store.js';
import { recordStoreContract } from '../../contract/record-store.js';
import { runStoreContract } from '../../contract/run-store.js';
import { dropPrefix, rawClient, redisUp, skipped, testBackend } from './support.js';

function open<S>(tag: string, pick: (backend: RedisBackend) => Promise<S>): OpenStore<S> {
  return async () => {
    const backend = testBackend(tag);
    const raw = rawClient();
    const reset = () => dropPrefix(raw, backend.keys.prefix);
    return {
      store: await pick(backend),
      reset,
      close: async () => {
        await reset();
        raw.disconnect();
        await backend.close();
      },
    };
  };
}

if (redisUp) {
  runStoreContract('store-redis', open('runs', (b) => b.runs()));
  memoryStoreContract('store-redis', open('memory', (b) => b.memory()));
  kvStoreContract('store-redis', open('kv', (b) => b.kv()));
  catalogStoreContract('store-redis', open('catalog', (b) => b.catalog()));
  recordStoreContract('store-redis', open('records', (b) => b.records()));
} else {
  skipped('store-redis: store contracts');
}
