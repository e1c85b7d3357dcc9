import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StoreErrors, type KeyValueStore } from '../../../kernel/index.js';
import type { RedisBackend } from '../../../plugins/store-redis/index.js';
import { rejectsWith } from '../../support/errors.js';
import { dropPrefix, keysUnder, rawClient, redisUp, skipped, testBackend } from './support.js';

if (redisUp) {
  const raw = rawClient();
  let backend: RedisBackend;
  let store: KeyValueStore;
  let p = '';
  const kv = suite('store-redis: key-value keys');
  kv.before(async () => {
    backend = testBackend('kvkeys');
    store = await backend.kv();
    p = backend.keys.prefix;
  });
  kv.before.each(() => dropPrefix(raw, p));
  kv.after(async () => {
    await dropPrefix(raw, p);
    raw.disconnect();
    await backend.close();
  });

  kv('an entry is one string key with the key as given, and Redis’s own expiry', async () => {
    await store.set('session:*', 'v', { ttl_seconds: 30 });
    await store.increment('hits', 1, { ttl_seconds: 0.5 });
    await store.set('plain', 'p');
    assert.equal(await keysUnder(raw, p), ['kv:hits', 'kv:plain', 'kv:session:*']);
    const ttl = await raw.pttl(`${p}kv:session:*`);
    assert.ok(ttl > 29_000 && ttl <= 30_000, String(ttl));
    assert.ok((await raw.pttl(`${p}kv:hits`)) <= 500);
    assert.is(await raw.pttl(`${p}kv:plain`), -1);
  });

  kv('a counter that would overflow is STORE_INVALID; a key of the wrong kind is STORE_CORRUPT', async () => {
    await store.set('big', '9223372036854775807');
    assert.match((await rejectsWith(store.increment('big'), StoreErrors.INVALID)).message, 'not an integer counter (or would overflow)');
    assert.is(await store.get('big'), '9223372036854775807');
    await raw.hset(`${p}kv:h`, 'a', '1');
    await rejectsWith(store.increment('h'), StoreErrors.CORRUPT);
  });

  kv.run();
} else {
  skipped('store-redis: key-value keys');
}
