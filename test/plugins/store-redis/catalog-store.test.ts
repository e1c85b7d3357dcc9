import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StoreErrors, type CatalogStore } from '../../../kernel/index.js';
import type { RedisBackend } from '../../../plugins/store-redis/index.js';
import { rejectsWith } from '../../support/errors.js';
import { dropPrefix, keysUnder, rawClient, redisUp, skipped, testBackend } from './support.js';

const entry = (name: string, n: number) => ({ name, version: `1.${n}.0`, hash: `h${n}`, definition: { name, n } });

if (redisUp) {
  const raw = rawClient();
  let backend: RedisBackend;
  let store: CatalogStore;
  let p = '';
  const catalog = suite('store-redis: catalogue keys');
  catalog.before(async () => {
    backend = testBackend('catkeys');
    store = await backend.catalog();
    p = backend.keys.prefix;
  });
  catalog.before.each(() => dropPrefix(raw, p));
  catalog.after(async () => {
    await dropPrefix(raw, p);
    raw.disconnect();
    await backend.close();
  });

  catalog('a hash per revision and a hash of latest revisions', async () => {
    await store.put(entry('a:b', 1));
    await store.put(entry('a:b', 2));
    await store.put({ ...entry('c', 1), source: 'c.json' });
    assert.equal(await keysUnder(raw, p), ['cat:a%3Ab:1', 'cat:a%3Ab:2', 'cat:c:1', 'cat:latest']);
    assert.equal(await raw.hgetall(`${p}cat:latest`), { 'a%3Ab': '2', c: '1' });
    const stored = await raw.hgetall(`${p}cat:c:1`);
    assert.equal({ ...stored, created_at: 'x' }, { name: 'c', revision: '1', version: '1.1.0', hash: 'h1', definition: '{"name":"c","n":1}', source: 'c.json', created_at: 'x' });
  });

  catalog('a revision that is incomplete or whose definition does not parse is STORE_CORRUPT naming its key', async () => {
    await store.put(entry('p', 1));
    const key = `${p}cat:p:1`;
    await raw.hset(key, 'definition', '{oops');
    assert.match((await rejectsWith(store.get('p'), StoreErrors.CORRUPT)).message, `The Redis key ${key} is corrupt: the value is not JSON`);
    await raw.hdel(key, 'hash');
    assert.match((await rejectsWith(store.get('p', 1), StoreErrors.CORRUPT)).message, 'the catalogue entry has no hash');
    await rejectsWith(store.list(), StoreErrors.CORRUPT);
  });

  catalog.run();
} else {
  skipped('store-redis: catalogue keys');
}
