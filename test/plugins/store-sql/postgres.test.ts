import { sql } from 'drizzle-orm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { databaseUrl, requireServer } from '../../../kernel/testing.js';
import { openPostgres } from '../../../plugins/store-sql/postgres.js';

const pooled = suite('store-sql: prepared statements on PostgreSQL');

if (await requireServer('postgres')) {
  pooled('named prepared statements by default; none with prepare: false (for transaction-mode poolers such as pgbouncer)', async () => {
    const named = async (prepare: boolean | undefined) => {
      const db = await openPostgres(databaseUrl(), { connectTimeoutMs: 5000, ...(prepare === undefined ? {} : { prepare }) });
      try {
        await db.rows(sql`select ${1}::int as one`);
        const [row] = await db.rows(sql`select count(*)::int as n from pg_prepared_statements where statement like ${'%as one%'}`);
        return row!['n'];
      } finally {
        await db.close();
      }
    };
    assert.is(await named(undefined), 1);
    assert.is(await named(false), 0);
  });
}

pooled.run();
