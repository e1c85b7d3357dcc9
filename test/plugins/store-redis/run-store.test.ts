import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StoreErrors, type RunStore, type WeftError } from '../../../kernel/index.js';
import { redisUrl } from '../../../kernel/testing.js';
import { RedisConnection, RedisRunStore, type RedisBackend } from '../../../plugins/store-redis/index.js';
import { started, stepDone, T0 } from '../../contract/run-store.js';
import { rejectsWith } from '../../support/errors.js';
import { backendAt, dropPrefix, keysUnder, rawClient, redisUp, skipped, testBackend } from './support.js';

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

  runs('a run is a summary hash, its events in a tail while it runs, then a log, and entries in the time, status and pipeline indexes', async () => {
    await store.append([started('r:1', 1000, 'my:pipe'), stepDone('r:1', 2, 2000)]);
    const keys = await keysUnder(raw, p);
    const tail = keys.find((k) => k.startsWith('run:r%3A1:tail:'))!;
    assert.match(tail, /^run:r%3A1:tail:[0-9a-f]{16}$/);
    assert.equal(keys, ['run:r%3A1', tail, 'runs', 'runs:pipeline:my%3Apipe', 'runs:status:running', 'runs:tails']);
    // The summary counts the log (empty so far) and names the tail, which holds the events.
    assert.equal(await raw.hgetall(`${p}run:r%3A1`), { run_id: 'r:1', pipeline: 'my:pipe', version: '1.0.0', status: 'running', started: '1000', updated: '1000', events: '0', pkey: `${p}runs:pipeline:my%3Apipe`, last: '0', tail: tail.split(':').at(-1)! });
    assert.equal(await raw.lrange(p + tail, 0, -1), [`1:${JSON.stringify(started('r:1', 1000, 'my:pipe'))}`, `2:${JSON.stringify(stepDone('r:1', 2, 2000))}`]);
    assert.equal(await raw.smembers(`${p}runs:tails`), ['r%3A1']);
    assert.equal(await store.get('r:1'), { run_id: 'r:1', pipeline: 'my:pipe', version: '1.0.0', status: 'running', started_at: new Date(1000).toISOString(), updated_at: new Date(2000).toISOString(), events: 2 });
    // The next step is one RPUSHX onto the tail; the summary is not touched.
    await store.append([stepDone('r:1', 3, 2500)]);
    assert.is(await raw.llen(p + tail), 3);
    assert.is(await raw.hget(`${p}run:r%3A1`, 'events'), '0');
    assert.equal(await raw.zrange(`${p}runs:status:running`, '0', '-1', 'WITHSCORES'), ['r%3A1', '1000']);
    // A status change folds the tail into the log.
    await store.append([{ type: 'run.completed', run_id: 'r:1', seq: 4, at: 3000, output: null }]);
    assert.equal(await keysUnder(raw, p), ['run:r%3A1', 'run:r%3A1:log', 'runs', 'runs:events', 'runs:pipeline:my%3Apipe', 'runs:status:completed']);
    assert.equal(await raw.hgetall(`${p}run:r%3A1`), { run_id: 'r:1', pipeline: 'my:pipe', version: '1.0.0', status: 'completed', started: '1000', updated: '3000', events: '4', pkey: `${p}runs:pipeline:my%3Apipe`, last: '4' });
    assert.equal((await raw.lrange(`${p}run:r%3A1:log`, 0, -1)).map((e) => e.split(':')[0]), ['1', '2', '3', '4']);
    assert.is(await raw.get(`${p}runs:events`), '4');
  });

  runs('a tail is written by its store alone: another writer folds it first, and the first one then goes through the exact check', async () => {
    const other = backendAt(p);
    const second = await other.runs();
    try {
      await store.append([started('r1'), stepDone('r1', 2)]);
      // Another process (here another backend) appends: it folds the first store's tail and gets its own.
      await second.append([stepDone('r1', 3)]);
      assert.is((await keysUnder(raw, p)).filter((k) => k.startsWith('run:r1:tail:')).length, 1);
      assert.equal((await raw.lrange(`${p}run:r1:log`, 0, -1)).map((e) => e.split(':')[0]), ['1', '2']);
      // The first store's tail is gone: its RPUSHX writes nothing, and APPEND finds the clash.
      const error = await rejectsWith(store.append([stepDone('r1', 3, T0 + 99)]), StoreErrors.CONFLICT);
      assert.is(error.data['seq'], 3);
      await store.append([stepDone('r1', 4)]);
      // And the other way round.
      await rejectsWith(second.append([stepDone('r1', 4, T0 + 99)]), StoreErrors.CONFLICT);
      await second.append([stepDone('r1', 5)]);
      await store.append([stepDone('r1', 6)]);
      assert.equal(await store.events('r1'), [started('r1'), stepDone('r1', 2), stepDone('r1', 3), stepDone('r1', 4), stepDone('r1', 5), stepDone('r1', 6)]);
      assert.equal(await second.events('r1'), await store.events('r1'));
      assert.is((await second.get('r1'))!.events, 6);
      assert.is((await second.stats()).events, 6);
    } finally {
      await other.close();
    }
  });

  runs('a writer that stopped leaves its tail: every read sees it, and the next append folds it', async () => {
    await store.append([started('r1'), stepDone('r1', 2, T0 + 20)]);
    await store.append([stepDone('r1', 3, T0 + 30)]);
    const other = backendAt(p);
    const second = await other.runs();
    try {
      assert.equal((await second.events('r1', 1)).map((e) => e.seq), [2, 3]);
      assert.equal(await second.get('r1'), { run_id: 'r1', pipeline: 'p', version: '1.0.0', status: 'running', started_at: new Date(T0).toISOString(), updated_at: new Date(T0 + 30).toISOString(), events: 3 });
      assert.equal((await second.list())[0], await second.get('r1'));
      assert.equal(await second.stats(), { runs: 1, events: 3, by_status: { running: 1 }, oldest: new Date(T0).toISOString(), newest: new Date(T0).toISOString() });
      await second.append([{ type: 'run.failed', run_id: 'r1', seq: 4, at: T0 + 40, error: { code: 'E', message: 'm' }, output: null }]);
      assert.equal(await keysUnder(raw, p), ['run:r1', 'run:r1:log', 'runs', 'runs:events', 'runs:pipeline:p', 'runs:status:failed']);
      assert.equal(await store.get('r1'), { run_id: 'r1', pipeline: 'p', version: '1.0.0', status: 'failed', started_at: new Date(T0).toISOString(), updated_at: new Date(T0 + 40).toISOString(), events: 4 });
    } finally {
      await other.close();
    }
  });

  runs('events out of time order go to the log; a tail whose key went missing is dropped', async () => {
    await store.append([started('r1', T0 + 10), stepDone('r1', 2, T0)]);
    assert.is(await raw.hget(`${p}run:r1`, 'tail'), null);
    assert.is(await raw.llen(`${p}run:r1:log`), 2);
    await store.append([stepDone('r1', 3, T0 + 30)]);
    const tail = `${p}run:r1:tail:${(await raw.hget(`${p}run:r1`, 'tail'))!}`;
    // Older than the tail's last event: through APPEND, which folds the tail (the run's time stays its latest).
    await store.append([stepDone('r1', 4, T0 + 20)]);
    assert.is(await raw.exists(tail), 0);
    assert.is((await store.get('r1'))!.updated_at, new Date(T0 + 30).toISOString());
    await store.append([stepDone('r1', 5, T0 + 50)]);
    // The tail (4 and 5) deleted by hand: the next append finds no key and goes through APPEND.
    await raw.del(`${p}run:r1:tail:${(await raw.hget(`${p}run:r1`, 'tail'))!}`);
    await store.append([stepDone('r1', 6, T0 + 60)]);
    assert.equal((await store.events('r1')).map((e) => e.seq), [1, 2, 3, 6]);
    assert.is((await store.get('r1'))!.events, 4);
  });

  runs('a store remembers a bounded number of tails; a forgotten one is folded by its next append', async () => {
    const connection = new RedisConnection(redisUrl(), { connectTimeoutMs: 2000 });
    try {
      const small = new RedisRunStore(connection, backend.keys, 2);
      for (const run of ['a', 'b', 'c']) await small.append([started(run), stepDone(run, 2)]);
      const tailOf = async (run: string) => raw.hget(`${p}run:${run}`, 'tail');
      const [a, c] = [await tailOf('a'), await tailOf('c')];
      await small.append([stepDone('a', 3)]);
      assert.is.not(await tailOf('a'), a, 'a was forgotten: APPEND gave it a new tail');
      await small.append([stepDone('c', 3)]);
      assert.is(await tailOf('c'), c, 'c was remembered: RPUSHX onto its tail');
      assert.equal((await small.events('a')).map((e) => e.seq), [1, 2, 3]);
    } finally {
      await connection.close();
    }
  });

  runs('deleting runs leaves no key and no index entry behind', async () => {
    await store.append([started('a', 1000, 'p'), stepDone('a', 2)]);
    await store.append([started('b', 2000, 'q')]);
    await store.append([started('c', 3000, 'q'), { type: 'run.failed', run_id: 'c', seq: 2, at: 3001, error: { code: 'E', message: 'm' }, output: null }]);
    assert.is(await store.delete({ pipeline: 'q', keep_latest: 1 }), 1);
    const tailOfA = `run:a:tail:${(await raw.hget(`${p}run:a`, 'tail'))!}`;
    assert.equal(await keysUnder(raw, p), ['run:a', tailOfA, 'run:c', 'run:c:log', 'runs', 'runs:events', 'runs:pipeline:p', 'runs:pipeline:q', 'runs:status:failed', 'runs:status:running', 'runs:tails']);
    assert.equal(await raw.smembers(`${p}runs:tails`), ['a']);
    assert.is((await store.stats()).events, 4);
    assert.is(await store.delete(), 2);
    assert.equal(await keysUnder(raw, p), ['runs:events']);
    assert.is(await raw.get(`${p}runs:events`), '0');
  });

  runs('the summary keeps the highest seq stored; one that lost it gets it back', async () => {
    await store.append([started('r1'), stepDone('r1', 2), stepDone('r1', 5)]);
    // Filling a gap below the highest folds the tail into the log and keeps it.
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

  runs("a tail's entries are checked like the log's, and its last event must carry a time", async () => {
    await store.append([started('r1'), stepDone('r1', 2)]);
    const tail = `${p}run:r1:tail:${(await raw.hget(`${p}run:r1`, 'tail'))!}`;
    await raw.rpush(tail, '3:{not json');
    let error = await rejectsWith(store.events('r1'), StoreErrors.CORRUPT);
    assert.match(error.message, `The Redis key ${tail} is corrupt: the value is not JSON`);
    error = await rejectsWith(store.get('r1'), StoreErrors.CORRUPT);
    assert.is(error.data['key'], tail);
    await raw.rpop(tail);
    await raw.rpush(tail, '3:{"type":"step.completed"}');
    error = await rejectsWith(store.list(), StoreErrors.CORRUPT);
    assert.match(error.message, `The Redis key ${tail} is corrupt: its last event has no time`);
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
    // Given a report, the damaged run is passed there and the others are still listed.
    await store.append([started('r2')]);
    const problems: WeftError[] = [];
    assert.equal((await store.list({}, (problem) => void problems.push(problem))).map((r) => r.run_id), ['r2']);
    assert.equal(problems.map((problem) => problem.data['key']), [key]);
  });

  runs('an index entry whose run is gone is STORE_CORRUPT naming the missing key', async () => {
    await store.append([started('r1')]);
    await raw.del(`${p}run:r1`, `${p}run:r1:tail:${(await raw.hget(`${p}run:r1`, 'tail'))!}`);
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
