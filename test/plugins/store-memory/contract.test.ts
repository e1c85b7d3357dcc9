// The in-memory backend against every store contract; reset means a fresh store.
import { MemoryCatalogStore, MemoryKeyValueStore, MemoryMemoryStore, MemoryRecordStore, MemoryRunStore } from '../../../plugins/store-memory/index.js';
import { catalogStoreContract } from '../../contract/catalog-store.js';
import type { OpenStore } from '../../contract/harness.js';
import { kvStoreContract } from '../../contract/kv-store.js';
import { memoryStoreContract } from '../../contract/memory-store.js';
import { recordStoreContract } from '../../contract/record-store.js';
import { runStoreContract } from '../../contract/run-store.js';

function fresh<S>(make: () => S): OpenStore<S> {
  return async () => {
    const opened = {
      store: make(),
      reset: async () => {
        opened.store = make();
      },
      close: async () => {},
    };
    return opened;
  };
}

runStoreContract('store-memory', fresh(() => new MemoryRunStore()));
memoryStoreContract('store-memory', fresh(() => new MemoryMemoryStore()));
kvStoreContract('store-memory', fresh(() => new MemoryKeyValueStore()));
catalogStoreContract('store-memory', fresh(() => new MemoryCatalogStore()));
recordStoreContract('store-memory', fresh(() => new MemoryRecordStore()));
