// The shared contract suites, unchanged, against PGlite and PostgreSQL: every store of one shared
// database per backend, emptied before each test.
import { catalogStoreContract } from '../../contract/catalog-store.js';
import type { OpenStore } from '../../contract/harness.js';
import { kvStoreContract } from '../../contract/kv-store.js';
import { memoryStoreContract } from '../../contract/memory-store.js';
import { recordStoreContract } from '../../contract/record-store.js';
import { runStoreContract } from '../../contract/run-store.js';
import { SqlCatalogStore } from '../../../plugins/store-sql/catalog-store.js';
import { SqlKeyValueStore } from '../../../plugins/store-sql/kv-store.js';
import { SqlMemoryStore } from '../../../plugins/store-sql/memory-store.js';
import { SqlRecordStore } from '../../../plugins/store-sql/record-store.js';
import { SqlRunStore } from '../../../plugins/store-sql/run-store.js';
import type { SqlDatabase } from '../../../plugins/store-sql/database.js';
import { kinds, reset, shared } from './support.js';

for (const kind of await kinds()) {
  const database = shared(kind);
  const open =
    <S>(make: (db: SqlDatabase) => S): OpenStore<S> =>
    async () => {
      const db = await database.hold();
      return { store: make(db), reset: () => reset(db), close: async () => database.release() };
    };
  runStoreContract(`store-sql (${kind})`, open((db) => new SqlRunStore(db)));
  memoryStoreContract(`store-sql (${kind})`, open((db) => new SqlMemoryStore(db)));
  kvStoreContract(`store-sql (${kind})`, open((db) => new SqlKeyValueStore(db)));
  catalogStoreContract(`store-sql (${kind})`, open((db) => new SqlCatalogStore(db)));
  recordStoreContract(`store-sql (${kind})`, open((db) => new SqlRecordStore(db)));
}
