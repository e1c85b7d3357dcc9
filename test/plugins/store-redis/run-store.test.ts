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

  runs('a run is a summary hash, an event list and entries in the time, status and pipeline indexes', async () => {
    await store.append([started('r:1', 1000, 'my:pipe'), stepDone('r:1', 2, 2000)]);
    assert.equal(await keysUnder(raw, p), ['run:r%3A1', 'run:r%3A1:log', 'runs', 'runs:events', 'runs:pipeline:my%3Apipe', 'runs:status:running']);
    assert.equal(await raw.hgetall(`${p}run:r%3A1`), { run_id: 'r:1', pipeline: 'my:pipe', version: '1.0.0', status: 'running', started: '1000', updated: '2000', events: '2', pkey: `${p}runs:pipeline:my%3Apipe`, last: '2' });
    assert.equal(await raw.lrange(`${p}run:r%3A1:log`, 0, -1), [`1:${JSON.stringify(started('r:1', 1000, 'my:pipe'))}`, `2:${JSON.stringify(stepDone('r:1', 2, 2000))}`]);
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
    assert.equal(await keysUnder(raw, p), ['run:a', 'run:a:log', 'run:c', 'run:c:log', 'runs', 'runs:events', 'runs:pipeline:p', 'runs:pipeline:q', 'runs:status:failed', 'runs:status:running']);
    assert.is(await raw.get(`${p}runs:events`), '4');
    assert.is(await store.delete(), 2);
    assert.equal(await keysUnder(raw, p), ['runs:events']);
    assert.is(await raw.get(`${p}runs:events`), '0');
  });

  runs('the summary keeps the highest seq stored; one that lost it gets it back', async () => {
    await store.append([started('r1'), stepDone('r1', 2), stepDone('r1', 5)]);
    assert.is(await raw.hget(`${p}run:r1`, 'last'), '5');
    // Filling a gap below the highest keeps it.
    await store.append([stepDone('r1', 3)]);
    assert.is(await raw.hget(`${p}run:r1`, 'last'), '5');
    // A summary that lost it gets it back from the log, and a clash is still refused.
    await raw.hdel(`${p}run:r1`, 'last');
    await rejectsWith(store.append([stepDone('r1', 4), stepDone('r1', 5)]), StoreErrors.CONFLICT);
    assert.is(await raw.hget(`${p}run:r1`, 'last'), '5');
    await store.append([stepDone('r1', 4)]);
    assert.is(await raw.hget(`${p}run:r1`, 'last'), '5');
    await store.append([stepDone('r1', 6)]);
    assert.equal((await store.events('r1')).map((e) => e.seq), [1, 2, 3, 4, 5, 6]);
    assert.equal({ ...(await store.get('r1')), started_at: undefined, updated_at: undefined }, { run_id: 'r1', pipeline: 'p', version: '1.0.0', status: 'running', started_at: undefined, updated_at: undefined, events: 6 });
  });

  runs('an entry without its seq, or not JSON, or not an object, is STORE_CORRUPT naming the key', async () => {
    await store.append([started('r1')]);
    const key = `${p}run:r1:log`;
    for (const [entry, problem] of [
      ['{"type":"step.completed"}', 'an entry does not start with its seq'],
      [':{}', 'an entry does not start with its seq'],
      ['x2:{}', 'an entry does not start with its seq'],
      ['2:{not json', 'the value is not JSON'],
      ['2:[1,2]', 'the value is not a JSON object'],
    ]) {
      await raw.rpush(key, entry!);
      const error = await rejectsWith(store.events('r1'), StoreErrors.CORRUPT);
      assert.match(error.message, `The Redis key ${key} is corrupt: ${problem}`);
      assert.is(error.data['key'], key);
      await raw.rpop(key);
    }
  });

  runs('a run stored before the log was a list (events in a sorted set) is moved into the list on first use', async () => {
    const legacy = async (run: string, seqs: number[]) => {
      const events = seqs.map((seq) => (seq === 1 ? started(run, 1000) : stepDone(run, seq, 1000 + seq)));
      await raw.hset(`${p}run:${run}`, { run_id: run, pipeline: 'p', version: '1.0.0', status: 'running', started: '1000', updated: String(1000 + seqs.at(-1)!), events: String(seqs.length), pkey: `${p}runs:pipeline:p` });
      await raw.zadd(`${p}run:${run}:events`, ...events.flatMap((e) => [e.seq, JSON.stringify(e)]));
      await raw.zadd(`${p}runs`, 1000, run);
      await raw.zadd(`${p}runs:pipeline:p`, 1000, run);
      await raw.zadd(`${p}runs:status:running`, 1000, run);
      await raw.incrby(`${p}runs:events`, seqs.length);
      return events;
    };
    // Read first: the events come back in order, from the list.
    const read = await legacy('old-read', [1, 2, 4]);
    assert.equal(await store.events('old-read'), read);
    assert.is(await raw.exists(`${p}run:old-read:events`), 0);
    assert.is(await raw.hget(`${p}run:old-read`, 'last'), '4');
    assert.equal(await store.events('old-read', 1), read.slice(1));
    // Appended to first: a clash is still refused; a gap is filled; new events follow.
    await legacy('old-append', [1, 2, 3]);
    await rejectsWith(store.append([stepDone('old-append', 3)]), StoreErrors.CONFLICT);
    assert.is(await raw.exists(`${p}run:old-append:events`), 0);
    await store.append([stepDone('old-append', 4)]);
    assert.equal((await store.events('old-append')).map((e) => e.seq), [1, 2, 3, 4]);
    assert.equal((await store.get('old-append'))!.events, 4);
    // A stray sorted set without a summary is left alone (reading it does not create a summary).
    await raw.zadd(`${p}run:stray:events`, 1, JSON.stringify(started('stray')));
    assert.equal(await store.events('stray'), []);
    assert.is(await raw.exists(`${p}run:stray`), 0);
    // Deleting counts and removes the events in either layout.
    await legacy('old-untouched', [1, 2]);
    assert.is(await store.delete({ pipeline: 'p' }), 3);
    assert.is(await raw.get(`${p}runs:events`), '0');
    assert.equal(await keysUnder(raw, p), ['run:stray:events', 'runs:events']);
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
