import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SqlDatabase } from '../../../plugins/store-sql/database.js';
import { SqlRecordStore } from '../../../plugins/store-sql/record-store.js';
import { records } from '../../../plugins/store-sql/schema.js';
import { pastOneSecond } from '../../contract/harness.js';
import { rejectsWith } from '../../support/errors.js';
import { kinds, reset, shared } from './support.js';

const rec = (id: string, at: number) => ({ kind: 'step', id, at, data: { id } });

for (const kind of await kinds()) {
  const database = shared(kind);
  const test = suite(`store-sql (${kind}): record store`);
  let db: SqlDatabase;
  const rows = async () => (await db.rows(sql`select id from weft_records order by id`)).map((r) => r['id']);
  test.before(async () => void (db = await database.hold()));
  test.before.each(() => reset(db));
  test.after(() => database.release());

  test('expired rows are invisible at once and purged by a later write, at most once a minute per store', async () => {
    const store = new SqlRecordStore(db);
    await store.put([rec('short', 1)], { ttl_seconds: 1 });
    await store.put([rec('kept', 2)]);
    await pastOneSecond();
    assert.equal((await store.list({ kind: 'step' })).map((r) => r.id), ['kept']);
    // This store purged on its first write, a moment ago; another one purges now.
    await store.put([rec('later', 3)]);
    assert.equal(await rows(), ['kept', 'later', 'short']);
    await new SqlRecordStore(db).put([rec('other', 4)]);
    assert.equal(await rows(), ['kept', 'later', 'other']);
  });

  test('the migrated table has the indexes the schema declares: by kind and time, pipeline, run, and expiry', async () => {
    const declared = getTableConfig(records).indexes.map((i) => i.config.name).sort();
    assert.equal(declared, ['weft_records_at_idx', 'weft_records_expires_idx', 'weft_records_pipeline_idx', 'weft_records_run_idx']);
    const found = await db.rows(sql`select indexname from pg_indexes where tablename = 'weft_records' and schemaname = current_schema() order by indexname`);
    assert.equal(found.map((r) => r['indexname']), [...declared, 'weft_records_kind_id_pk'].sort());
  });

  test('a row whose data is not a JSON object is STORE_CORRUPT', async () => {
    const store = new SqlRecordStore(db);
    await store.put([rec('a', 1)]);
    await db.rows(sql`update weft_records set data = '[1]'::jsonb`);
    const error = await rejectsWith(store.list({ kind: 'step' }), 'STORE_CORRUPT');
    assert.is(error.message, 'A row in weft_records (kind step, id a) is corrupt: the data is not a JSON object; repair or delete it');
  });

  test('data PostgreSQL refuses is STORE_INVALID and stores nothing of the batch', async () => {
    const store = new SqlRecordStore(db);
    await rejectsWith(store.put([rec('a', 1), { ...rec('b', 2), data: { text: '\u0000' } }]), 'STORE_INVALID');
    assert.equal(await rows(), []);
  });

  test.run();
}
