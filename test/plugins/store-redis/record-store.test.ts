import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StoreErrors, type RecordStore, type StoredRecord } from '../../../kernel/index.js';
import type { RedisBackend } from '../../../plugins/store-redis/index.js';
import { pastOneSecond } from '../../contract/harness.js';
import { rejectsWith } from '../../support/errors.js';
import { dropPrefix, keysUnder, rawClient, redisUp, skipped, testBackend } from './support.js';

const rec = (id: string, at: number, extra: Partial<StoredRecord> = {}): StoredRecord => ({ kind: 'k:1', id, at, data: { id }, ...extra });

if (redisUp) {
  const raw = rawClient();
  let backend: RedisBackend;
  let store: RecordStore;
  let p = '';
  const keys = () => keysUnder(raw, p);
  const members = (key: string) => raw.zrange(p + key, '0', '-1');
  const expiryOf = (key: string) => raw.pexpiretime(p + key);

  const records = suite('store-redis: record keys');
  records.before(async () => {
    backend = testBackend('reckeys');
    store = await backend.records();
    p = backend.keys.prefix;
  });
  records.before.each(() => dropPrefix(raw, p));
  records.after(async () => {
    await dropPrefix(raw, p);
    raw.disconnect();
    await backend.close();
  });

  records('a record is a hash; the kind, its pipelines and runs index it by time, each beside a set by expiry', async () => {
    await store.put([rec('a:b', 100, { pipeline: 'p:1', run_id: 'r%1' }), rec('c', 50)]);
    assert.equal(await keys(), ['rec:k%3A1:all', 'rec:k%3A1:all:exp', 'rec:k%3A1:id:a%3Ab', 'rec:k%3A1:id:c', 'rec:k%3A1:pipe:p%3A1', 'rec:k%3A1:pipe:p%3A1:exp', 'rec:k%3A1:run:r%251', 'rec:k%3A1:run:r%251:exp']);
    assert.equal(await raw.hgetall(`${p}rec:k%3A1:id:a%3Ab`), { record: JSON.stringify(rec('a:b', 100, { pipeline: 'p:1', run_id: 'r%1' })), pipe: 'p%3A1', run: 'r%251' });
    assert.equal(await raw.zrange(`${p}rec:k%3A1:all`, '0', '-1', 'WITHSCORES'), ['c', '50', 'a:b', '100']);
    assert.equal(await raw.zrange(`${p}rec:k%3A1:all:exp`, '0', '-1', 'WITHSCORES'), ['a:b', 'inf', 'c', 'inf']);
    for (const key of await keys()) assert.is(await expiryOf(key), -1, key);
  });

  records('every key of a record and each index carries the expiry of its last-expiring member', async () => {
    await store.put([rec('a', 1, { pipeline: 'p', run_id: 'r' })], { ttl_seconds: 30 });
    await store.put([rec('b', 2, { pipeline: 'p' })], { ttl_seconds: 60 });
    const a = await expiryOf('rec:k%3A1:id:a');
    const b = await expiryOf('rec:k%3A1:id:b');
    assert.ok(a > Date.now() + 25_000 && a <= Date.now() + 30_000, String(a));
    assert.ok(b > a + 25_000, String(b));
    for (const key of ['run:r', 'run:r:exp']) assert.is(await expiryOf(`rec:k%3A1:${key}`), a, key);
    for (const key of ['all', 'all:exp', 'pipe:p', 'pipe:p:exp']) assert.is(await expiryOf(`rec:k%3A1:${key}`), b, key);
    assert.is(Number(await raw.zscore(`${p}rec:k%3A1:run:r:exp`, 'a')), a);
    // A record kept forever keeps its indexes forever; replacing it with an expiring one does not.
    await store.put([rec('c', 3, { run_id: 'r' })]);
    for (const key of ['all', 'all:exp', 'run:r', 'run:r:exp', 'id:c']) assert.is(await expiryOf(`rec:k%3A1:${key}`), -1, key);
    await store.put([rec('c', 3, { run_id: 'r' })], { ttl_seconds: 10 });
    for (const key of ['run:r', 'run:r:exp']) assert.is(await expiryOf(`rec:k%3A1:${key}`), a, key);
    assert.is(await expiryOf('rec:k%3A1:all'), b);
  });

  records('after the TTL, records that nobody touches leave no key behind', async () => {
    await store.put([rec('a', 1, { pipeline: 'p', run_id: 'r1' }), rec('b', 2, { run_id: 'r2' })], { ttl_seconds: 1 });
    await store.put([{ kind: 'other', id: 'x', at: 1, data: {}, pipeline: 'p' }], { ttl_seconds: 1 });
    await pastOneSecond();
    assert.equal(await keys(), []);
  });

  records('beside live records, expired members are never returned and are gone once their index is read or written', async () => {
    await store.put([rec('gone', 1, { pipeline: 'p', run_id: 'r' })], { ttl_seconds: 1 });
    await store.put([rec('kept', 2, { pipeline: 'p' })]);
    await pastOneSecond();
    // The run index held only the expired record, so it expired with it.
    assert.equal(await keys(), ['rec:k%3A1:all', 'rec:k%3A1:all:exp', 'rec:k%3A1:id:kept', 'rec:k%3A1:pipe:p', 'rec:k%3A1:pipe:p:exp']);
    assert.equal(await members('rec:k%3A1:pipe:p'), ['gone', 'kept']);
    assert.equal((await store.list({ kind: 'k:1', pipeline: 'p' })).map((r) => r.id), ['kept']);
    assert.equal(await members('rec:k%3A1:pipe:p'), ['kept']);
    assert.equal(await members('rec:k%3A1:pipe:p:exp'), ['kept']);
    await store.put([rec('new', 3)]);
    assert.equal(await members('rec:k%3A1:all'), ['kept', 'new']);
    assert.equal(await members('rec:k%3A1:all:exp'), ['kept', 'new']);
  });

  records('a replaced record leaves the indexes of its old pipeline and run', async () => {
    await store.put([rec('a', 1, { pipeline: 'p1', run_id: 'r1' })]);
    await store.put([rec('a', 2, { pipeline: 'p2' })], { ttl_seconds: 30 });
    assert.equal(await keys(), ['rec:k%3A1:all', 'rec:k%3A1:all:exp', 'rec:k%3A1:id:a', 'rec:k%3A1:pipe:p2', 'rec:k%3A1:pipe:p2:exp']);
    assert.equal(await raw.hget(`${p}rec:k%3A1:id:a`, 'run'), '');
    assert.ok((await expiryOf('rec:k%3A1:id:a')) > Date.now());
  });

  records('delete leaves no key of a deleted record and no index entry pointing at it', async () => {
    await store.put([rec('a', 1, { pipeline: 'p', run_id: 'r1' }), rec('b', 2, { pipeline: 'p', run_id: 'r2' }), rec('c', 3, { run_id: 'r1' })]);
    assert.is(await store.delete({ kind: 'k:1', run_id: 'r1' }), 2);
    assert.equal(await keys(), ['rec:k%3A1:all', 'rec:k%3A1:all:exp', 'rec:k%3A1:id:b', 'rec:k%3A1:pipe:p', 'rec:k%3A1:pipe:p:exp', 'rec:k%3A1:run:r2', 'rec:k%3A1:run:r2:exp']);
    for (const index of ['all', 'all:exp', 'pipe:p', 'pipe:p:exp']) assert.equal(await members(`rec:k%3A1:${index}`), ['b'], index);
    assert.is(await store.delete({ kind: 'k:1', before: 10 }), 1);
    assert.equal(await keys(), []);
  });

  records('a limit beside a sparse second filter reads the run index in pages until it has enough', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => rec(`r${String(i).padStart(4, '0')}`, i, { run_id: 'big', pipeline: i < 3 || i === 1100 ? 'rare' : 'common' }));
    await store.put(many);
    assert.equal((await store.list({ kind: 'k:1', run_id: 'big', pipeline: 'rare', limit: 3 })).map((r) => r.at), [1, 2, 1100]);
    assert.equal((await store.list({ kind: 'k:1', run_id: 'big', pipeline: 'rare', limit: 9 })).map((r) => r.at), [0, 1, 2, 1100]);
    assert.is((await store.list({ kind: 'k:1', run_id: 'big', limit: 700 }))[0]!.at, 500);
  });

  records('an indexed record that is missing or does not parse is STORE_CORRUPT naming its key', async () => {
    await store.put([rec('a', 1), rec('b', 2), rec('c', 3)]);
    await raw.del(`${p}rec:k%3A1:id:a`);
    assert.match((await rejectsWith(store.list({ kind: 'k:1' }), StoreErrors.CORRUPT)).message, `${p}rec:k%3A1:id:a is corrupt: a record index points at it`);
    await store.delete({ kind: 'k:1', before: 2 });
    await raw.hset(`${p}rec:k%3A1:id:b`, 'record', '{"kind":"k:1"}');
    assert.match((await rejectsWith(store.list({ kind: 'k:1' }), StoreErrors.CORRUPT)).message, 'the record has no data object');
    await raw.hset(`${p}rec:k%3A1:id:b`, 'record', '{"data":null}');
    await rejectsWith(store.list({ kind: 'k:1' }), StoreErrors.CORRUPT);
    await raw.hset(`${p}rec:k%3A1:id:b`, 'record', 'nope');
    assert.match((await rejectsWith(store.list({ kind: 'k:1' }), StoreErrors.CORRUPT)).message, 'not JSON');
    await raw.del(`${p}rec:k%3A1:all`);
    await raw.set(`${p}rec:k%3A1:all`, 'x');
    await rejectsWith(store.list({ kind: 'k:1' }), StoreErrors.CORRUPT);
  });

  records.run();
} else {
  skipped('store-redis: record keys');
}
