// The KeyValueStore contract (kernel/contracts/stores.ts), run unchanged against every backend.
import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { StoreErrors, type KeyValueStore } from '../../kernel/index.js';
import { rejectsWith } from '../support/errors.js';
import { HOSTILE, pastOneSecond, storeSuite, type OpenStore } from './harness.js';

/** Defines and runs the key-value store contract suite against one backend. */
export function kvStoreContract(name: string, open: OpenStore<KeyValueStore>): void {
  const { test, run } = storeSuite(`${name}: key-value store contract`, open);

  test('get, set, overwrite and delete', async ({ store }) => {
    assert.is(await store.get('k'), undefined);
    await store.set('k', 'v1');
    assert.is(await store.get('k'), 'v1');
    await store.set('k', 'v2');
    assert.is(await store.get('k'), 'v2');
    await store.set('empty', '');
    assert.is(await store.get('empty'), '');
    await store.set('json', '{"a":[1,"é"]}');
    assert.is(await store.get('json'), '{"a":[1,"é"]}');
    assert.is(await store.delete('k'), true);
    assert.is(await store.delete('k'), false);
    assert.is(await store.get('k'), undefined);
  });

  test('setIfAbsent takes a free key once, as a lock', async ({ store }) => {
    assert.is(await store.setIfAbsent('lock', 'a'), true);
    assert.is(await store.setIfAbsent('lock', 'b'), false);
    assert.is(await store.get('lock'), 'a');
    await store.delete('lock');
    const outcomes = await Promise.all(['w1', 'w2', 'w3', 'w4', 'w5', 'w6'].map((w) => store.setIfAbsent('race', w)));
    assert.is(outcomes.filter(Boolean).length, 1);
    assert.is(await store.get('race'), ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'][outcomes.indexOf(true)]);
  });

  test('replaceIf and deleteIf act only while the key holds the expected value, as a lease', async ({ store }) => {
    assert.is(await store.replaceIf('lease', 'a', 'b'), false, 'an absent key is not replaced');
    assert.is(await store.get('lease'), undefined);
    await store.set('lease', 'a');
    assert.is(await store.replaceIf('lease', 'x', 'b'), false);
    assert.is(await store.deleteIf('lease', 'x'), false);
    assert.is(await store.get('lease'), 'a');
    assert.is(await store.replaceIf('lease', 'a', 'b'), true);
    assert.is(await store.get('lease'), 'b');
    // Exactly one of several writers expecting the same value wins.
    const outcomes = await Promise.all(['c1', 'c2', 'c3', 'c4'].map((v) => store.replaceIf('lease', 'b', v)));
    assert.is(outcomes.filter(Boolean).length, 1);
    const holder = ['c1', 'c2', 'c3', 'c4'][outcomes.indexOf(true)]!;
    assert.is(await store.get('lease'), holder);
    assert.is(await store.deleteIf('lease', 'b'), false);
    assert.is(await store.deleteIf('lease', holder), true);
    assert.is(await store.get('lease'), undefined);
    assert.is(await store.deleteIf('lease', holder), false);
    for (const hostile of HOSTILE) {
      await store.set(hostile, hostile);
      assert.is(await store.replaceIf(hostile, hostile, `${hostile}!`), true);
      assert.is(await store.deleteIf(hostile, `${hostile}!`), true);
    }
  });

  test('increment counts from 0 by 1 or by a given step, atomically', async ({ store }) => {
    assert.is(await store.increment('n'), 1);
    assert.is(await store.increment('n', 5), 6);
    assert.is(await store.increment('n', -10), -4);
    assert.is(await store.get('n'), '-4');
    await store.set('m', '41');
    assert.is(await store.increment('m'), 42);
    const values = await Promise.all(Array.from({ length: 20 }, () => store.increment('c')));
    assert.equal([...values].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.is(await store.get('c'), '20');
  });

  test('incrementing a value that is not an integer is STORE_INVALID and changes nothing', async ({ store }) => {
    await store.set('word', 'abc');
    await rejectsWith(store.increment('word'), StoreErrors.INVALID);
    assert.is(await store.get('word'), 'abc');
    await store.set('float', '1.5');
    await rejectsWith(store.increment('float'), StoreErrors.INVALID);
    assert.is(await store.get('float'), '1.5');
    await rejectsWith(store.increment('n', 0.5), StoreErrors.INVALID);
    assert.is(await store.get('n'), undefined);
  });

  test('a TTL that is not positive is STORE_INVALID and writes nothing', async ({ store }) => {
    for (const ttl_seconds of [0, -1, Number.NaN]) {
      await rejectsWith(store.set('k', 'v', { ttl_seconds }), StoreErrors.INVALID);
      await rejectsWith(store.setIfAbsent('k', 'v', { ttl_seconds }), StoreErrors.INVALID);
      await rejectsWith(store.increment('k', 1, { ttl_seconds }), StoreErrors.INVALID);
      await store.set('held', 'v');
      await rejectsWith(store.replaceIf('held', 'v', 'w', { ttl_seconds }), StoreErrors.INVALID);
      assert.is(await store.get('held'), 'v');
      await store.delete('held');
    }
    assert.is(await store.get('k'), undefined);
  });

  test('keys expire after their TTL; set without a TTL keeps a key forever', async ({ store }) => {
    await store.set('session', 's', { ttl_seconds: 1 });
    await store.set('made-permanent', 'x', { ttl_seconds: 1 });
    await store.set('made-permanent', 'y');
    await store.set('forever', 'f');
    await store.set('leased', 'me', { ttl_seconds: 1 });
    await store.set('lapsed', 'me', { ttl_seconds: 1 });
    assert.is(await store.setIfAbsent('lock', 'holder', { ttl_seconds: 1 }), true);
    assert.is(await store.increment('window', 1, { ttl_seconds: 1 }), 1);
    // An existing expiry is kept: a fixed window for rate limits.
    await sleep(400);
    // A lease renewed before it lapses lives a TTL from the renewal.
    assert.is(await store.replaceIf('leased', 'me', 'me', { ttl_seconds: 1 }), true);
    assert.is(await store.increment('window', 1, { ttl_seconds: 1 }), 2);
    assert.is(await store.increment('later', 1), 1);
    assert.is(await store.increment('later', 1, { ttl_seconds: 1 }), 2);
    assert.is(await store.get('session'), 's');
    assert.is(await store.setIfAbsent('lock', 'other', { ttl_seconds: 1 }), false);
    await sleep(800);
    assert.is(await store.get('leased'), 'me');
    assert.is(await store.replaceIf('lapsed', 'me', 'again'), false, 'a lapsed lease is not renewed');
    assert.is(await store.deleteIf('lapsed', 'me'), false);
    assert.is(await store.setIfAbsent('lapsed', 'other'), true);
    assert.is(await store.get('session'), undefined);
    assert.is(await store.get('window'), undefined);
    assert.is(await store.get('made-permanent'), 'y');
    assert.is(await store.get('forever'), 'f');
    assert.is(await store.get('later'), '2');
    assert.is(await store.delete('session'), false);
    assert.is(await store.setIfAbsent('lock', 'next'), true);
    assert.is(await store.get('lock'), 'next');
    assert.is(await store.increment('window'), 1);
    await pastOneSecond();
    assert.is(await store.get('leased'), undefined);
    assert.is(await store.get('later'), undefined);
    assert.is(await store.get('lock'), 'next');
    assert.is(await store.get('window'), '1');
  });

  test('hostile keys are stored and matched literally', async ({ store }) => {
    for (const key of HOSTILE) await store.set(key, `value of ${key}`);
    for (const key of HOSTILE) assert.is(await store.get(key), `value of ${key}`, key);
    assert.is(await store.delete('*'), true);
    assert.is(await store.get('a*'), 'value of a*');
    assert.is(await store.get('weft:*'), 'value of weft:*');
    assert.is(await store.setIfAbsent('?', 'again'), false);
    assert.is(await store.increment('%x'), 1);
    assert.is(await store.get('%'), 'value of %');
  });

  run();
}
