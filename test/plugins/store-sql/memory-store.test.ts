import { sql } from 'drizzle-orm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SqlDatabase } from '../../../plugins/store-sql/database.js';
import { SqlMemoryStore } from '../../../plugins/store-sql/memory-store.js';
import { rejectsWith } from '../../support/errors.js';
import { kinds, reset, shared } from './support.js';

for (const kind of await kinds()) {
  const database = shared(kind);
  const test = suite(`store-sql (${kind}): memory store`);
  let db: SqlDatabase;
  let store: SqlMemoryStore;
  test.before(async () => {
    db = await database.hold();
    store = new SqlMemoryStore(db);
  });
  test.before.each(() => reset(db));
  test.after(() => database.release());

  test('expired threads are purged from the tables, not only hidden', async () => {
    await store.append({ thread_id: 'old', role: 'user', content: 'a' });
    await store.append({ thread_id: 'old', role: 'user', content: 'b' });
    await store.expireThread('old', 0.001);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Setting any thread's expiry sweeps the threads that have expired.
    await store.append({ thread_id: 'other', role: 'user', content: 'c' });
    await store.expireThread('other', 60);
    const left = await db.rows(sql`select thread_id from weft_messages union all select thread_id from weft_threads`);
    assert.equal(left.map((r) => r['thread_id']), ['other', 'other']);
  });

  test('a thread without messages gets no expiry; a non-positive expiry is STORE_INVALID', async () => {
    await store.expireThread('empty', 0.001);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.append({ thread_id: 'empty', role: 'user', content: 'stays' });
    assert.equal((await store.thread('empty')).map((m) => m.content), ['stays']);
    for (const seconds of [0, -5, Number.NaN]) await rejectsWith(store.expireThread('empty', seconds), 'STORE_INVALID');
    assert.equal(await db.rows(sql`select thread_id from weft_threads`), []);
  });

  test('an expired thread given a new expiry does not come back', async () => {
    await store.append({ thread_id: 't', role: 'user', content: 'gone' });
    await store.expireThread('t', 0.001);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.expireThread('t', 60);
    assert.equal(await store.thread('t'), []);
    const [{ n }] = (await db.rows(sql`select count(*)::integer as n from weft_messages`)) as [{ n: number }];
    assert.is(n, 0);
  });

  test('corrupt or foreign rows are reported as STORE_CORRUPT', async () => {
    const id = await store.append({ thread_id: 't', role: 'user', content: 'x' });
    await db.rows(sql`update weft_messages set metadata = '"text"'::jsonb`);
    const error = await rejectsWith(store.thread('t'), 'STORE_CORRUPT');
    assert.is(error.message, `A row in weft_messages (message_id ${id}) is corrupt: the metadata is not a JSON object; repair or delete it`);
    await db.rows(sql`update weft_messages set metadata = '{}'::jsonb, role = 'oracle'`);
    assert.match((await rejectsWith(store.search('x'), 'STORE_CORRUPT')).message, /unknown role "oracle"/);
  });

  test('a value PostgreSQL refuses is STORE_INVALID', async () => {
    await rejectsWith(store.append({ thread_id: 't', role: 'user', content: 'nul \u0000 here' }), 'STORE_INVALID');
    await rejectsWith(store.append({ thread_id: 't', role: 'user', content: 'x', timestamp: 'not a time' }), 'STORE_INVALID');
    assert.equal(await store.thread('t'), []);
  });

  test.run();
}
