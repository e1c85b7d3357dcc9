// The RecordStore contract (time-stamped records with retention, kernel/contracts/stores.ts), run
// unchanged against every backend.
import * as assert from 'uvu/assert';
import { StoreErrors, type RecordStore, type StoredRecord } from '../../kernel/index.js';
import { rejectsWith } from '../support/errors.js';
import { HOSTILE, pastOneSecond, storeSuite, type OpenStore } from './harness.js';

/** A record of kind `step` unless told otherwise. */
const rec = (id: string, at: number, extra: Partial<StoredRecord> = {}): StoredRecord => ({ kind: 'step', id, at, data: { id }, ...extra });
const ids = (records: StoredRecord[]): string[] => records.map((r) => r.id);

/** Defines and runs the record store contract suite against one backend. */
export function recordStoreContract(name: string, open: OpenStore<RecordStore>): void {
  const { test, run } = storeSuite(`${name}: record store contract`, open);

  test('put stores records of a kind; list returns them ascending by time, equal times by id', async ({ store }) => {
    assert.equal(await store.list({ kind: 'step' }), []);
    await store.put([rec('c', 2000), rec('b', 1000), rec('a', 2000), rec('z', -5)]);
    await store.put([rec('m', 1500)]);
    await store.put([]);
    assert.equal(ids(await store.list({ kind: 'step' })), ['z', 'b', 'm', 'a', 'c']);
    const data = { ok: true, n: 1.5, none: null, list: [1, 'é', { deep: [] }], nested: { s: '' } };
    await store.put([{ kind: 'run', id: 'r1', at: 1_700_000_000_123, data, pipeline: 'p', run_id: 'run-1' }]);
    assert.equal(await store.list({ kind: 'run' }), [{ kind: 'run', id: 'r1', at: 1_700_000_000_123, data, pipeline: 'p', run_id: 'run-1' }]);
    const [plain] = await store.list({ kind: 'step', until: 0 });
    assert.equal(plain, { kind: 'step', id: 'z', at: -5, data: { id: 'z' } });
    assert.equal(await store.list({ kind: 'other' }), []);
  });

  test('fields that are not part of a record are not stored; stored records are copies', async ({ store }) => {
    const data: Record<string, unknown> = { tags: ['a'] };
    await store.put([{ ...rec('a', 1, { data }), extra: 'dropped' } as StoredRecord]);
    (data['tags'] as string[]).push('b');
    const [read] = await store.list({ kind: 'step' });
    assert.equal(read, { kind: 'step', id: 'a', at: 1, data: { tags: ['a'] } });
    (read!.data['tags'] as string[]).push('c');
    assert.equal((await store.list({ kind: 'step' }))[0]!.data, { tags: ['a'] });
  });

  test('filters: since is inclusive, until exclusive; pipeline and run id; every filter given must match', async ({ store }) => {
    await store.put([
      rec('a', 100, { pipeline: 'p1', run_id: 'r1' }),
      rec('b', 200, { pipeline: 'p1', run_id: 'r2' }),
      rec('c', 300, { pipeline: 'p2', run_id: 'r2' }),
      rec('d', 400, { pipeline: 'p2' }),
      rec('e', 500),
    ]);
    assert.equal(ids(await store.list({ kind: 'step', since: 200 })), ['b', 'c', 'd', 'e']);
    assert.equal(ids(await store.list({ kind: 'step', until: 300 })), ['a', 'b']);
    assert.equal(ids(await store.list({ kind: 'step', since: 200, until: 400 })), ['b', 'c']);
    assert.equal(ids(await store.list({ kind: 'step', since: 200.5, until: 399.5 })), ['c']);
    assert.equal(ids(await store.list({ kind: 'step', since: 300, until: 300 })), []);
    assert.equal(ids(await store.list({ kind: 'step', since: -1e300, until: 1e300 })), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(ids(await store.list({ kind: 'step', since: 1e300 })), []);
    assert.equal(ids(await store.list({ kind: 'step', pipeline: 'p1' })), ['a', 'b']);
    assert.equal(ids(await store.list({ kind: 'step', pipeline: 'p2' })), ['c', 'd']);
    assert.equal(ids(await store.list({ kind: 'step', run_id: 'r2' })), ['b', 'c']);
    assert.equal(ids(await store.list({ kind: 'step', run_id: 'r2', pipeline: 'p2' })), ['c']);
    assert.equal(ids(await store.list({ kind: 'step', run_id: 'r1', pipeline: 'p2' })), []);
    assert.equal(ids(await store.list({ kind: 'step', run_id: 'r2', since: 250 })), ['c']);
    assert.equal(ids(await store.list({ kind: 'step', pipeline: 'p2', until: 400 })), ['c']);
    assert.equal(ids(await store.list({ kind: 'step', pipeline: 'p3' })), []);
    assert.equal(ids(await store.list({ kind: 'other', pipeline: 'p1' })), []);
  });

  test('limit keeps the newest records, still oldest first', async ({ store }) => {
    await store.put([rec('a', 1, { run_id: 'r' }), rec('b', 2), rec('c', 3, { run_id: 'r' }), rec('d', 3, { run_id: 'r' }), rec('e', 4)]);
    assert.equal(ids(await store.list({ kind: 'step', limit: 2 })), ['d', 'e']);
    assert.equal(ids(await store.list({ kind: 'step', limit: 3 })), ['c', 'd', 'e']);
    assert.equal(ids(await store.list({ kind: 'step', limit: 9 })), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(ids(await store.list({ kind: 'step', limit: 0 })), []);
    assert.equal(ids(await store.list({ kind: 'step', until: 4, limit: 2 })), ['c', 'd']);
    assert.equal(ids(await store.list({ kind: 'step', run_id: 'r', limit: 2 })), ['c', 'd']);
    assert.equal(ids(await store.list({ kind: 'step', run_id: 'r', since: 2, limit: 1 })), ['d']);
  });

  test('a record with a stored (kind, id) replaces it whole; in one batch the later one wins', async ({ store }) => {
    await store.put([rec('a', 100, { pipeline: 'p1', run_id: 'r1', data: { v: 1 } }), rec('b', 200)]);
    await store.put([{ kind: 'run', id: 'a', at: 5, data: { other: true } }]);
    await store.put([rec('a', 300, { data: { v: 2 } })]);
    assert.equal(await store.list({ kind: 'step' }), [rec('b', 200), rec('a', 300, { data: { v: 2 } })]);
    // The replaced record's index entries are gone with it.
    assert.equal(await store.list({ kind: 'step', pipeline: 'p1' }), []);
    assert.equal(await store.list({ kind: 'step', run_id: 'r1' }), []);
    await store.put([rec('a', 300, { data: { v: 2 } })]);
    await store.put([rec('b', 1, { data: { v: 'first' }, run_id: 'r2' }), rec('c', 2), rec('b', 50, { data: { v: 'last' }, pipeline: 'p3' })]);
    assert.equal(await store.list({ kind: 'step' }), [rec('c', 2), rec('b', 50, { data: { v: 'last' }, pipeline: 'p3' }), rec('a', 300, { data: { v: 2 } })]);
    assert.equal(await store.list({ kind: 'step', run_id: 'r2' }), []);
    assert.equal(ids(await store.list({ kind: 'step', pipeline: 'p3' })), ['b']);
    assert.equal(await store.list({ kind: 'run' }), [{ kind: 'run', id: 'a', at: 5, data: { other: true } }]);
  });

  test('a batch holding one invalid record is STORE_INVALID naming the field, and writes nothing', async ({ store }) => {
    await store.put([rec('kept', 1, { data: { v: 'old' } })]);
    const bad: [Record<string, unknown>, string][] = [
      [{ kind: '' }, 'records[1].kind'],
      [{ kind: 7 }, 'records[1].kind'],
      [{ kind: undefined }, 'records[1].kind'],
      [{ id: '' }, 'records[1].id'],
      [{ id: null }, 'records[1].id'],
      [{ at: Number.NaN }, 'records[1].at'],
      [{ at: Number.POSITIVE_INFINITY }, 'records[1].at'],
      [{ at: 1.5 }, 'records[1].at'],
      [{ at: '1' }, 'records[1].at'],
      [{ data: null }, 'records[1].data'],
      [{ data: [1] }, 'records[1].data'],
      [{ data: 'x' }, 'records[1].data'],
      [{ pipeline: '' }, 'records[1].pipeline'],
      [{ run_id: 5 }, 'records[1].run_id'],
    ];
    for (const [change, path] of bad) {
      const error = await rejectsWith(store.put([rec('kept', 2, { data: { v: 'new' } }), { ...rec('x', 3), ...change } as StoredRecord, rec('y', 4)]), StoreErrors.INVALID);
      assert.is(error.path, path, JSON.stringify(change));
      assert.ok(error.message.startsWith(path), error.message);
    }
    for (const ttl_seconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) await rejectsWith(store.put([rec('x', 3)], { ttl_seconds }), StoreErrors.INVALID);
    assert.equal(await store.list({ kind: 'step' }), [rec('kept', 1, { data: { v: 'old' } })]);
  });

  test('a query or deletion with a bad kind, bound, filter or limit is STORE_INVALID and deletes nothing', async ({ store }) => {
    await store.put([rec('a', 1)]);
    const queries: [Record<string, unknown>, string][] = [
      [{ kind: '' }, 'kind'],
      [{ kind: 'step', since: Number.NaN }, 'since'],
      [{ kind: 'step', until: '5' }, 'until'],
      [{ kind: 'step', pipeline: '' }, 'pipeline'],
      [{ kind: 'step', run_id: 1 }, 'run_id'],
      [{ kind: 'step', limit: -1 }, 'limit'],
      [{ kind: 'step', limit: 1.5 }, 'limit'],
    ];
    for (const [query, path] of queries) assert.is((await rejectsWith(store.list(query as never), StoreErrors.INVALID)).path, path);
    const deletions: [Record<string, unknown>, string][] = [
      [{ kind: '' }, 'kind'],
      [{ kind: 'step', before: Number.POSITIVE_INFINITY }, 'before'],
      [{ kind: 'step', run_id: '' }, 'run_id'],
    ];
    for (const [deletion, path] of deletions) assert.is((await rejectsWith(store.delete(deletion as never), StoreErrors.INVALID)).path, path);
    assert.equal(ids(await store.list({ kind: 'step' })), ['a']);
  });

  test('delete removes records before a time (exclusive), of a run, both, or all of a kind', async ({ store }) => {
    const all = [rec('a', 100, { run_id: 'r1', pipeline: 'p' }), rec('b', 200, { run_id: 'r2', pipeline: 'p' }), rec('c', 300, { run_id: 'r1' }), rec('d', 400), rec('e', 500, { run_id: 'r1' })];
    await store.put(all);
    await store.put([{ kind: 'run', id: 'a', at: 1, data: {}, run_id: 'r1' }]);
    assert.is(await store.delete({ kind: 'step', before: 200 }), 1);
    assert.equal(ids(await store.list({ kind: 'step' })), ['b', 'c', 'd', 'e']);
    assert.is(await store.delete({ kind: 'step', before: 200 }), 0);
    assert.is(await store.delete({ kind: 'step', run_id: 'r1', before: 500 }), 1);
    assert.equal(ids(await store.list({ kind: 'step' })), ['b', 'd', 'e']);
    assert.is(await store.delete({ kind: 'step', run_id: 'r1' }), 1);
    assert.equal(ids(await store.list({ kind: 'step' })), ['b', 'd']);
    assert.equal(await store.list({ kind: 'step', run_id: 'r1' }), []);
    assert.equal(ids(await store.list({ kind: 'step', pipeline: 'p' })), ['b']);
    assert.is(await store.delete({ kind: 'step', run_id: 'nobody' }), 0);
    assert.equal(ids(await store.list({ kind: 'run', run_id: 'r1' })), ['a']);
    assert.is(await store.delete({ kind: 'step' }), 2);
    assert.equal(await store.list({ kind: 'step' }), []);
    assert.equal(await store.list({ kind: 'step', pipeline: 'p' }), []);
    assert.equal(ids(await store.list({ kind: 'run' })), ['a']);
    // Deleted records can be stored again.
    await store.put(all);
    assert.equal(ids(await store.list({ kind: 'step', run_id: 'r1' })), ['a', 'c', 'e']);
  });

  test('records with a TTL disappear after it, from every query, and are not counted as deleted', async ({ store }) => {
    await store.put([rec('short', 100, { pipeline: 'p', run_id: 'r' }), rec('made-permanent', 200, { run_id: 'r' }), rec('old', 1, { run_id: 'r' })], { ttl_seconds: 1 });
    await store.put([rec('kept', 300, { pipeline: 'p', run_id: 'r' }), rec('made-expiring', 400, { run_id: 'r' })]);
    await store.put([rec('made-permanent', 200, { run_id: 'r' })]);
    await store.put([rec('made-expiring', 400, { run_id: 'r' })], { ttl_seconds: 1 });
    await store.put([{ kind: 'other', id: 'long', at: 1, data: {} }], { ttl_seconds: 60 });
    assert.equal(ids(await store.list({ kind: 'step' })), ['old', 'short', 'made-permanent', 'kept', 'made-expiring']);
    await pastOneSecond();
    assert.equal(ids(await store.list({ kind: 'step' })), ['made-permanent', 'kept']);
    assert.equal(ids(await store.list({ kind: 'step', pipeline: 'p' })), ['kept']);
    assert.equal(ids(await store.list({ kind: 'step', run_id: 'r', since: 0, limit: 5 })), ['made-permanent', 'kept']);
    assert.is(await store.delete({ kind: 'step', before: 150 }), 0);
    assert.is(await store.delete({ kind: 'step', run_id: 'r', before: 350 }), 2);
    assert.equal(await store.list({ kind: 'step' }), []);
    assert.equal(ids(await store.list({ kind: 'other' })), ['long']);
    // An expired record's id is free: storing it again stores a new record.
    await store.put([rec('short', 5)]);
    assert.equal(await store.list({ kind: 'step' }), [rec('short', 5)]);
  });

  test('hostile kinds, ids, pipelines and run ids are stored and matched literally', async ({ store }) => {
    for (const [i, s] of HOSTILE.entries()) {
      await store.put([{ kind: s, id: s, at: i, data: { s }, pipeline: s, run_id: s }]);
      await store.put([rec(s, 7, { pipeline: s, run_id: s, data: { s } })]);
    }
    // Equal times are ordered by id in code-point order.
    const sorted = [...HOSTILE].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.equal(ids(await store.list({ kind: 'step' })), sorted);
    for (const [i, s] of HOSTILE.entries()) {
      assert.equal(await store.list({ kind: s }), [{ kind: s, id: s, at: i, data: { s }, pipeline: s, run_id: s }], s);
      assert.equal(ids(await store.list({ kind: 'step', pipeline: s })), [s], s);
      assert.equal(ids(await store.list({ kind: 'step', run_id: s })), [s], s);
    }
    assert.is(await store.delete({ kind: '*' }), 1);
    assert.is(await store.delete({ kind: 'step', run_id: 'a*' }), 1);
    assert.is(await store.delete({ kind: 'step', run_id: '%' }), 1);
    assert.equal(ids(await store.list({ kind: 'a*' })), ['a*']);
    assert.equal(ids(await store.list({ kind: 'weft:*' })), ['weft:*']);
    assert.equal(ids(await store.list({ kind: 'step', run_id: 'a:b' })), ['a:b']);
    assert.equal(ids(await store.list({ kind: 'step', pipeline: '_' })), ['_']);
    assert.equal(ids(await store.list({ kind: 'step' })), sorted.filter((s) => s !== 'a*' && s !== '%'));
  });

  run();
}
