import { sql } from 'drizzle-orm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SqlDatabase } from '../../../plugins/store-sql/database.js';
import { shared } from './support.js';

const database = shared('pglite');
const test = suite('store-sql: PGlite runs raw statements as prepared statements');
let db: SqlDatabase;
test.before(async () => void (db = await database.hold()));
test.after(() => database.release());

test('a statement whose table is missing fails, and parses afresh once the table exists', async () => {
  const query = () => db.rows(sql`select n from weft_later_table where n > ${0}`);
  for (let i = 0; i < 2; i++) {
    const error = (await query().then(() => assert.unreachable('should fail'), (e: unknown) => e)) as { code?: string };
    assert.is(error.code, '42P01');
  }
  await db.rows(sql`create table weft_later_table (n integer)`);
  await db.rows(sql`insert into weft_later_table values (${1}), (${2})`);
  assert.equal(await query(), [{ n: 1 }, { n: 2 }]);
  await db.rows(sql`drop table weft_later_table`);
});

test('values go as text and come back typed; nulls stay null', async () => {
  const [row] = await db.rows(sql`select ${5}::integer as i, ${'x'}::text as t, ${null}::text as z, ${true}::boolean as b, ${'{"a":[1]}'}::jsonb as j`);
  assert.equal(row, { i: 5, t: 'x', z: null, b: true, j: { a: [1] } });
});

test.run();
