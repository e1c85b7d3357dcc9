import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqlCatalogStore } from '../../../plugins/store-sql/catalog-store.js';
import type { SqlDatabase } from '../../../plugins/store-sql/database.js';
import { rejectsWith } from '../../support/errors.js';
import { kinds, reset, shared } from './support.js';

const entry = (hash: string, definition: Record<string, unknown> = { name: 'p' }) => ({ name: 'p', version: '1', hash, definition });

for (const kind of await kinds()) {
  const database = shared(kind);
  const test = suite(`store-sql (${kind}): catalog store`);
  let db: SqlDatabase;
  let store: SqlCatalogStore;
  test.before(async () => {
    db = await database.hold();
    store = new SqlCatalogStore(db);
  });
  test.before.each(() => reset(db));
  test.after(() => database.release());

  test('corrupt or foreign rows are reported as STORE_CORRUPT', async () => {
    await store.put(entry('h1'));
    await db.rows(sql`update weft_catalog set definition = '[1]'::jsonb`);
    const error = await rejectsWith(store.get('p'), 'STORE_CORRUPT');
    assert.is(error.message, 'A row in weft_catalog (p revision 1) is corrupt: the definition is not a JSON object; repair or delete it');
    await rejectsWith(store.list(), 'STORE_CORRUPT');
  });

  test('a definition PostgreSQL refuses is STORE_INVALID and stores nothing', async () => {
    await rejectsWith(store.put(entry('h1', { text: '\u0000' })), 'STORE_INVALID');
    assert.equal(await store.list(), []);
  });

  test('names list in code-point order, whatever the collation', async () => {
    for (const name of ['b', 'B', 'a', '_x', 'A']) await store.put({ ...entry(`h-${name}`), name });
    assert.equal((await store.list()).map((e) => e.name), ['A', 'B', '_x', 'a', 'b']);
  });

  if (kind === 'postgres') {
    test('a writer that loses the race for a revision number reads again and takes the next', async () => {
      let putting: ReturnType<SqlCatalogStore['put']> | undefined;
      await db.db.transaction(async (tx) => {
        await tx.execute(sql`insert into weft_catalog (name, revision, version, hash, definition, created_at) values ('p', 1, '0', 'theirs', '{}'::jsonb, now())`);
        // Sees no revision yet, so it also inserts revision 1 and waits on the key until this commits.
        putting = store.put(entry('mine'));
        await sleep(300);
      });
      const { entry: stored, action } = await putting!;
      assert.is(action, 'updated');
      assert.equal([stored.revision, stored.hash], [2, 'mine']);
    });
  }

  test.run();
}
