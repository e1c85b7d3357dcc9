import { definePlugin, type StoreBackend } from '#kernel';
import { MemoryCatalogStore } from './catalog-store.js';
import { MemoryKeyValueStore } from './kv-store.js';
import { MemoryMemoryStore } from './memory-store.js';
import { MemoryRecordStore } from './record-store.js';
import { MemoryRunStore } from './run-store.js';

export { MemoryCatalogStore } from './catalog-store.js';
export { MemoryKeyValueStore } from './kv-store.js';
export { MemoryMemoryStore } from './memory-store.js';
export { MemoryRecordStore } from './record-store.js';
export { MemoryRunStore } from './run-store.js';

/** A `memory` storage backend: each store is created on first use and lives as long as the process. */
export function createMemoryBackend(): StoreBackend {
  const once = <T>(make: () => T): (() => Promise<T>) => {
    let made: T | undefined;
    return async () => (made ??= make());
  };
  return {
    kind: 'memory',
    describe: () => 'in process memory, gone when the process exits',
    runs: once(() => new MemoryRunStore()),
    memory: once(() => new MemoryMemoryStore()),
    kv: once(() => new MemoryKeyValueStore()),
    catalog: once(() => new MemoryCatalogStore()),
    records: once(() => new MemoryRecordStore()),
  };
}

/** In-memory run, conversation, key-value, catalogue and record stores: always available, never kept. */
export default definePlugin({
  name: 'store-memory',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['storage'],
  description: 'Stores runs, conversation memory, key-value data, the pipeline catalogue and time-stamped records in process memory',
  setup(ctx) {
    ctx.services.get('storage').register(createMemoryBackend());
  },
});
