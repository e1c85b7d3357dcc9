import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { redisUrl, createTestKernel } from '../../../kernel/testing.js';
import storage from '../../../plugins/storage/index.js';
import storeRedis, { RedisCatalogStore, RedisKeyValueStore, RedisMemoryStore, RedisRecordStore, RedisRunStore } from '../../../plugins/store-redis/index.js';
import { dropPrefix, rawClient, redisUp, skipped, uniquePrefix } from './support.js';

const plugin = suite('store-redis: plugin');

plugin('without redis_url nothing registers, so choosing redis fails the boot', async () => {
  let error = (await createTestKernel({ plugins: [storage, storeRedis], config: { plugins: { storage: { runs: 'redis' } } } }).then(
    () => assert.unreachable('boot should fail'),
    (e: unknown) => e,
  )) as { code: string; message: string; cause?: unknown };
  // The kernel wraps the storage plugin's error; the innermost coded one says why.
  while (typeof (error.cause as { code?: unknown } | undefined)?.code === 'string') error = error.cause as typeof error;
  assert.is(error.code, 'STORAGE_UNAVAILABLE');
  assert.match(error.message, 'registered: none');
});

plugin('a bad prefix type is a configuration error naming the path', async () => {
  const error = (await createTestKernel({ plugins: [storage, storeRedis], config: { redis_url: 'redis://127.0.0.1:6390', plugins: { 'store-redis': { prefix: 5 } } } }).then(
    () => assert.unreachable('boot should fail'),
    (e: unknown) => e,
  )) as { code?: string; message: string };
  assert.is(error.code, 'KERNEL_CONFIG_INVALID');
  assert.match(error.message, 'plugins.store-redis.prefix');
});

plugin('with redis_url it registers the redis backend; nothing connects at boot', async () => {
  // Port 6390 has no server: a boot that connected would fail.
  const kernel = await createTestKernel({ plugins: [storage, storeRedis], config: { redis_url: 'redis://:pw@127.0.0.1:6390', plugins: { storage: { runs: 'redis', memory: 'redis', kv: 'redis', catalog: 'redis', records: 'redis' } } } });
  const service = kernel.services.get('storage');
  assert.is(service.describe().kv, 'redis (redis://:***@127.0.0.1:6390, keys weft:*)');
  assert.instance(await service.runs(), RedisRunStore);
  assert.instance(await service.memory(), RedisMemoryStore);
  assert.instance(await service.kv(), RedisKeyValueStore);
  assert.instance(await service.catalog(), RedisCatalogStore);
  assert.instance(await service.records(), RedisRecordStore);
  assert.is(service.describe().records, 'redis (redis://:***@127.0.0.1:6390, keys weft:*)');
  await kernel.close();
});

plugin.run();

if (redisUp) {
  const live = suite('store-redis: plugin on a real server');

  live('stores data under the configured prefix, and closing the kernel closes the connection', async () => {
    const prefix = uniquePrefix('plugin');
    const kernel = await createTestKernel({ plugins: [storage, storeRedis], env: { REDIS_URL: redisUrl() }, config: { plugins: { 'store-redis': { prefix }, storage: { runs: 'redis', memory: 'redis', kv: 'redis', catalog: 'redis', records: 'redis' } } } });
    await (await kernel.services.get('storage').kv()).set('k', 'v');
    const raw = rawClient();
    assert.is(await raw.get(`${prefix}kv:k`), 'v');
    const clients = async () => String(await raw.call('CLIENT', 'LIST')).split('\n').filter(Boolean).length;
    const before = await clients();
    await kernel.close();
    let after = await clients();
    for (let i = 0; i < 20 && after >= before; i++) after = await clients();
    assert.ok(after < before, `clients: ${before} → ${after}`);
    await dropPrefix(raw, prefix);
    raw.disconnect();
  });

  live.run();
} else {
  skipped('store-redis: plugin on a real server');
}
