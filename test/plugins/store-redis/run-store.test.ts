import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StoreErrors, type RunStore } from '../../../kernel/index.js';
import type { RedisBackend } from '../../../plugins/store-redis/index.js';
import { started, stepDone } from '../../contract/run-store.js';
import { rejectsWith } from '../../support/errors.js';
import { dropPrefix, keysUnder, rawClient, redisUp, skipped, testBackend } from './support.js';

if (redisUp) {
  const raw = rawClient();
  let backend: RedisBackend;
  let store: RunStore;
  let p = '';
  const runs = suite('store-redis: run store keys');
  runs.before(async () => {
    backend = testBackend('runkeys');
    store = await backend.runs();
    p = backend.keys.prefix;
  });
  runs.before.each(() => dropPrefix(raw, p));
  runs.after(async () => {
    await dropPrefix(raw, p);
    raw.disconnect();
    await backend.close();
  });

  runs('a run is a summary hash, an event sorted set and entries in the time, status and pipeline indexes', async () => {
    await store.append([started('r:1', 1000, 'my:pipe'), stepDone('r:1', 2, 2000)]);
    assert.equal(await keysUnder(raw, p), ['run:r%3A1', 'run:r%3A1:events', 'runs', 'runs:events', 'runs:pipeline:my%3Apipe', 'runs:status:running']);
    assert.equal(await raw.hgetall(`${p}run:r%3A1`), { run_id: 'r:1', pipeline: 'my:pipe', version: '1.0.0', status: 'running', started: '1000', updated: '2000', events: '2', pkey: `${p}runs:pipeline:my%3Apipe` });
    assert.equal(await raw.zrange(`${p}run:r%3A1:events`, '0', '-1', 'WITHSCORES'), [JSON.stringify(started('r:1', 1000, 'my:pipe')), '1', JSON.stringify(stepDone('r:1', 2, 2000)), '2']);
    assert.equal(await raw.zrange(`${p}runs:status:running`, '0', '-1', 'WITHSCORES'), ['r%3A1', '1000']);
    await store.append([{ type: 'run.completed', run_id: 'r:1', seq: 3, at: 3000, output: null }]);
    assert.equal(await raw.zrange(`${p}runs:status:completed`, '0', '-1'), ['r%3A1']);
    assert.is(await raw.exists(`${p}runs:status:running`), 0);
  });

  runs('deleting runs leaves no key and no index entry behind', async () => {
    await store.append([started('a', 1000, 'p'), stepDone('a', 2)]);
    await store.append([started('b', 2000, 'q')]);
    await store.append([started('c', 3000, 'q'), { type: 'run.failed', run_id: 'c', seq: 2, at: 3001, error: { code: 'E', message: 'm' }, output: null }]);
    assert.is(await store.delete({ pipeline: 'q', keep_latest: 1 }), 1);
    assert.equal(await keysUnder(raw, p), ['run:a', 'run:a:events', 'run:c', 'run:c:events', 'runs', 'runs:events', 'runs:pipeline:p', 'runs:pipeline:q', 'runs:status:failed', 'runs:status:running']);
    assert.is(await raw.get(`${p}runs:events`), '4');
    assert.is(await store.delete(), 2);
    assert.equal(await keysUnder(raw, p), ['runs:events']);
    assert.is(await raw.get(`${p}runs:events`), '0');
  });

  runs('an event that is not JSON, or not an object, is STORE_CORRUPT naming the key', async () => {
    await store.append([started('r1')]);
    await raw.zadd(`${p}run:r1:events`, '2', '{not json');
    const error = await rejectsWith(store.events('r1'), StoreErrors.CORRUPT);
    assert.match(error.message, `The Redis key ${p}run:r1:events is corrupt: the value is not JSON`);
    assert.is(error.data['key'], `${p}run:r1:events`);
    await raw.zremrangebyscore(`${p}run:r1:events`, '2', '2');
    await raw.zadd(`${p}run:r1:events`, '2', '[1,2]');
    assert.match((await rejectsWith(store.events('r1'), StoreErrors.CORRUPT)).message, 'not a JSON object');
  });

  runs('a run summary that is incomplete or wrong is STORE_CORRUPT naming the key', async () => {
    await store.append([started('r1')]);
    const key = `${p}run:r1`;
    await raw.hdel(key, 'version');
    assert.match((await rejectsWith(store.get('r1'), StoreErrors.CORRUPT)).message, `The Redis key ${key} is corrupt: the run summary has no version`);
    await raw.hset(key, 'version', '1', 'updated', 'yesterday');
    assert.match((await rejectsWith(store.list(), StoreErrors.CORRUPT)).message, "the run summary's updated is not a number");
    await raw.hset(key, 'updated', '5', 'status', 'sleeping');
    assert.match((await rejectsWith(store.get('r1'), StoreErrors.CORRUPT)).message, 'unknown run status "sleeping"');
  });

  runs('an index entry whose run is gone is STORE_CORRUPT naming the missing key', async () => {
    await store.append([started('r1')]);
    await raw.del(`${p}run:r1`);
    const error = await rejectsWith(store.list({ status: 'running' }), StoreErrors.CORRUPT);
    assert.match(error.message, `The Redis key ${p}run:r1 is corrupt: a run index points at it, but it does not exist`);
    // Deleting by its pipeline cleans every index (the summary that named it is gone).
    assert.is(await store.delete({ pipeline: 'p' }), 1);
    assert.equal(await keysUnder(raw, p), ['runs:events']);
  });

  runs.run();
} else {
  skipped('store-redis: run store keys');
}
