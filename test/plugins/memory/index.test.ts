import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin } from '../../../kernel/index.js';
import { createTestKernel } from '../../../kernel/testing.js';
import memoryPlugin from '../../../plugins/memory/index.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';

const memory = suite('memory: conversation memory for steps and agents');

memory('append, history with limit, search and delete go through the configured store', async () => {
  const kernel = await createTestKernel({ plugins: [storage, storeMemory, memoryPlugin] });
  const service = kernel.services.get('memory');
  await service.append('t1', { role: 'user', content: 'What is Weft?', user_id: 'ada' });
  await service.append('t1', { role: 'assistant', content: 'A pipeline runner.' });
  await service.append('t2', { role: 'user', content: 'weft again', user_id: 'ada' });
  assert.equal((await service.history('t1')).map((m) => m.content), ['What is Weft?', 'A pipeline runner.']);
  assert.equal((await service.history('t1', { limit: 1 })).map((m) => m.content), ['A pipeline runner.']);
  assert.equal((await service.search('WEFT', { user_id: 'ada' })).map((m) => m.thread_id), ['t2', 't1']);
  assert.is(await service.summarise('t1'), 'user: What is Weft?\nassistant: A pipeline runner.');
  assert.is(await service.delete('t1'), 2);
  assert.equal(await service.history('t1'), []);
  await kernel.close();
});

memory('threads expire after ttl_seconds; 0 keeps them', async () => {
  const kernel = await createTestKernel({ plugins: [storage, storeMemory, memoryPlugin], config: { plugins: { memory: { ttl_seconds: 1 } } } });
  const service = kernel.services.get('memory');
  await service.append('short', { role: 'user', content: 'soon gone' });
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(await service.history('short'), []);
  await kernel.close();
  const keep = await createTestKernel({ plugins: [storage, storeMemory, memoryPlugin], config: { plugins: { memory: { ttl_seconds: 0 } } } });
  await keep.services.get('memory').append('long', { role: 'system', content: 'stays' });
  assert.is((await keep.services.get('memory').history('long')).length, 1);
  await keep.close();
});

memory('a plugin can replace the summary through the memory.summarise hook', async () => {
  const summariser = definePlugin({
    name: 'summariser',
    version: '1.0.0',
    kernel: '^1',
    dependsOn: ['memory'],
    setup(ctx) {
      ctx.hooks.tapPromise('memory.summarise', async (_text, messages) => `${messages.length} messages`);
    },
  });
  const kernel = await createTestKernel({ plugins: [storage, storeMemory, memoryPlugin, summariser] });
  await kernel.services.get('memory').append('t', { role: 'user', content: 'hi' });
  assert.is(await kernel.services.get('memory').summarise('t'), '1 messages');
  await kernel.close();
});

memory.run();
