import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StoreErrors, type MemoryStore } from '../../../kernel/index.js';
import type { RedisBackend } from '../../../plugins/store-redis/index.js';
import { pastOneSecond } from '../../contract/harness.js';
import { rejectsWith } from '../../support/errors.js';
import { dropPrefix, keysUnder, rawClient, redisUp, skipped, testBackend } from './support.js';

if (redisUp) {
  const raw = rawClient();
  let backend: RedisBackend;
  let store: MemoryStore;
  let p = '';
  const say = (thread_id: string, content: string, user_id?: string) => store.append({ thread_id, role: 'user', content, ...(user_id === undefined ? {} : { user_id }) });
  const keys = () => keysUnder(raw, p);
  const expiryOf = (key: string) => raw.pexpiretime(p + key);

  const memory = suite('store-redis: conversation memory keys');
  memory.before(async () => {
    backend = testBackend('memkeys', { search_window: 3 });
    store = await backend.memory();
    p = backend.keys.prefix;
  });
  memory.before.each(() => dropPrefix(raw, p));
  memory.after(async () => {
    await dropPrefix(raw, p);
    raw.disconnect();
    await backend.close();
  });

  memory('a thread is a message hash, an order set, its users and a set per user; users and threads index it', async () => {
    const id = await say('t:1', 'hello', 'ann:x');
    await say('t:1', 'anonymous');
    assert.equal(await keys(), ['mem:m:t%3A1', 'mem:seq', 'mem:t:t%3A1', 'mem:threads', 'mem:tu:t%3A1:ann%3Ax', 'mem:tusers:t%3A1', 'mem:u:ann%3Ax']);
    assert.equal(JSON.parse((await raw.hget(`${p}mem:m:t%3A1`, id))!), (await store.thread('t:1'))[0]);
    assert.equal(await raw.zrange(`${p}mem:u:ann%3Ax`, '0', '-1', 'WITHSCORES'), ['t%3A1', 'inf']);
    assert.equal(await raw.zrange(`${p}mem:threads`, '0', '-1', 'WITHSCORES'), ['t%3A1', 'inf']);
    assert.equal(await raw.smembers(`${p}mem:tusers:t%3A1`), ['ann%3Ax']);
    assert.is(await expiryOf('mem:u:ann%3Ax'), -1);
  });

  memory('expireThread gives every key of the thread, and its entries in the user and thread indexes, one expiry', async () => {
    await say('t1', 'a', 'ann');
    await say('t1', 'b', 'bob');
    await say('t2', 'c', 'ann');
    await store.expireThread('t1', 30);
    const at = await expiryOf('mem:t:t1');
    assert.ok(at > Date.now() + 25_000 && at < Date.now() + 35_000);
    for (const key of ['mem:m:t1', 'mem:tusers:t1', 'mem:tu:t1:ann', 'mem:tu:t1:bob', 'mem:u:bob']) assert.is(await expiryOf(key), at, key);
    assert.is(Number(await raw.zscore(`${p}mem:u:ann`, 't1')), at);
    assert.is(Number(await raw.zscore(`${p}mem:u:bob`, 't1')), at);
    assert.is(Number(await raw.zscore(`${p}mem:threads`, 't1')), at);
    // ann also writes in t2, which does not expire, so her index does not either.
    assert.is(await expiryOf('mem:u:ann'), -1);
    for (const key of ['mem:t:t2', 'mem:m:t2', 'mem:threads']) assert.is(await expiryOf(key), -1, key);
    // A later message, from a new user, takes the thread's expiry too.
    await say('t1', 'd', 'cy');
    for (const key of ['mem:tu:t1:cy', 'mem:u:cy']) assert.is(await expiryOf(key), at, key);
  });

  memory('after the TTL no key of the thread is left, and no index returns it', async () => {
    await say('gone', 'a', 'ann');
    await say('gone', 'b', 'bob');
    await say('also-gone', 'c', 'ann');
    await say('kept', 'd', 'cy');
    await store.expireThread('gone', 1);
    await store.expireThread('also-gone', 1);
    await pastOneSecond();
    // Every key that indexed only expired threads expired with them.
    assert.equal(await keys(), ['mem:m:kept', 'mem:seq', 'mem:t:kept', 'mem:threads', 'mem:tu:kept:cy', 'mem:tusers:kept', 'mem:u:cy']);
    // The everyone-index still holds the expired members, scored in the past: never returned, dropped at the next touch.
    assert.equal(await raw.zrangebyscore(`${p}mem:threads`, String(Date.now()), '+inf'), ['kept']);
    assert.equal((await store.search('')).map((m) => m.content), ['d']);
    assert.equal(await raw.zrange(`${p}mem:threads`, '0', '-1'), ['kept']);
  });

  memory('deleteThread leaves no key of the thread and no index entry pointing at it', async () => {
    await say('t1', 'a', 'ann');
    await say('t1', 'b', 'bob');
    await say('t2', 'c', 'ann');
    await store.expireThread('t2', 30);
    assert.is(await store.deleteThread('t1'), 2);
    assert.equal(await keys(), ['mem:m:t2', 'mem:seq', 'mem:t:t2', 'mem:threads', 'mem:tu:t2:ann', 'mem:tusers:t2', 'mem:u:ann']);
    assert.equal(await raw.zrange(`${p}mem:u:ann`, '0', '-1'), ['t2']);
    assert.equal(await raw.zrange(`${p}mem:threads`, '0', '-1'), ['t2']);
    // With t1 gone, ann's index expires with t2, its only thread.
    assert.is(await expiryOf('mem:u:ann'), await expiryOf('mem:t:t2'));
    assert.is(await store.deleteThread('t2'), 1);
    assert.equal(await keys(), ['mem:seq']);
  });

  memory('a search reads only the newest messages of its scope (the search window)', async () => {
    for (const n of [1, 2, 3, 4, 5]) await say('t1', `match ${n}`, 'ann');
    assert.equal((await store.search('match', { thread_id: 't1' })).map((m) => m.content), ['match 5', 'match 4', 'match 3']);
    assert.equal((await store.search('match 1', { user_id: 'ann' })).map((m) => m.content), []);
    assert.equal((await store.thread('t1')).length, 5);
  });

  memory('a message that does not parse, has no text or is missing is STORE_CORRUPT naming its key', async () => {
    const id = await say('t1', 'hello', 'ann');
    const key = `${p}mem:m:t1`;
    await raw.hset(key, id, '{bad');
    const error = await rejectsWith(store.thread('t1'), StoreErrors.CORRUPT);
    assert.match(error.message, `The Redis key ${key} (message ${id}) is corrupt: the value is not JSON`);
    await raw.hset(key, id, '[]');
    assert.match((await rejectsWith(store.search('x', { user_id: 'ann' }), StoreErrors.CORRUPT)).message, 'not a JSON object');
    await raw.hset(key, id, '{"content":5}');
    assert.match((await rejectsWith(store.search('x'), StoreErrors.CORRUPT)).message, 'the message has no text content');
    await raw.hdel(key, id);
    assert.match((await rejectsWith(store.thread('t1'), StoreErrors.CORRUPT)).message, `The Redis key ${key} is corrupt: message ${id} is indexed but missing`);
    assert.match((await rejectsWith(store.search('x', { thread_id: 't1', user_id: 'ann' }), StoreErrors.CORRUPT)).message, 'indexed but missing');
    // Deleting the thread repairs it.
    assert.is(await store.deleteThread('t1'), 0);
    assert.equal(await keys(), ['mem:seq']);
  });

  memory.run();
} else {
  skipped('store-redis: conversation memory keys');
}
