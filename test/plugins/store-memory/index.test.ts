import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestKernel } from '../../../kernel/testing.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory, { MemoryCatalogStore, MemoryKeyValueStore, MemoryMemoryStore, MemoryRecordStore, MemoryRunStore } from '../../../plugins/store-memory/index.js';

const plugin = suite('store-memory: plugin');

plugin('registers the memory backend with storage; each store is made once, on first use', async () => {
  const kernel = await createTestKernel({ plugins: [storage, storeMemory] });
  const service = kernel.services.get('storage');
  const runs = await service.runs();
  assert.instance(runs, MemoryRunStore);
  assert.is(await service.runs(), runs);
  assert.instance(await service.memory(), MemoryMemoryStore);
  assert.instance(await service.kv(), MemoryKeyValueStore);
  assert.instance(await service.catalog(), MemoryCatalogStore);
  assert.instance(await service.records(), MemoryRecordStore);
  assert.is(service.describe().records, 'memory (in process memory, gone when the process exits)');
  assert.is(service.describe().runs, 'memory (in process memory, gone when the process exits)');
  await kernel.close();
});

plugin('a second kernel has its own, empty stores', async () => {
  const first = await createTestKernel({ plugins: [storage, storeMemory] });
  await (await first.services.get('storage').kv()).set('k', 'v');
  const second = await createTestKernel({ plugins: [storage, storeMemory] });
  assert.is(await (await second.services.get('storage').kv()).get('k'), undefined);
  await Promise.all([first.close(), second.close()]);
});

plugin.run();
