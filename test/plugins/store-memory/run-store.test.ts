import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryRunStore } from '../../../plugins/store-memory/index.js';
import { started } from '../../contract/run-store.js';

const runs = suite('store-memory: run store');

runs('runs started at the same time are listed by run id, descending', async () => {
  const store = new MemoryRunStore();
  for (const id of ['b', 'c', 'a']) await store.append([started(id, 1000)]);
  assert.equal((await store.list()).map((r) => r.run_id), ['c', 'b', 'a']);
  assert.equal(await store.delete({ keep_latest: 1 }), 2);
  assert.equal((await store.list()).map((r) => r.run_id), ['c']);
});

runs.run();
