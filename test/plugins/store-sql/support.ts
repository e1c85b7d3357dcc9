// Databases for the store-sql tests. A fresh PGlite runs initdb (seconds), so the whole test
// process shares ONE migrated in-memory PGlite, and ONE PostgreSQL connection whose tables live in
// a schema of this process (other test processes may use the same server). Suites hold them
// between `before` and `after`; once nobody has held them for a moment they are closed (and the
// schema dropped), so the process can exit.
import { sql } from 'drizzle-orm';
import { databaseUrl, requireServer } from '../../../kernel/testing.js';
import type { SqlDatabase } from '../../../plugins/store-sql/database.js';
import { migrate, migrationsFolder } from '../../../plugins/store-sql/migrations.js';
import { openPglite } from '../../../plugins/store-sql/pglite.js';
import { openPostgres } from '../../../plugins/store-sql/postgres.js';

/** The PostgreSQL schema this test process keeps its tables (and migrations table) in. */
export const TEST_SCHEMA = `weft_sql_test_${process.pid}`;

/** Every table of the schema, for truncating between tests. */
export const TABLES = ['weft_runs', 'weft_run_events', 'weft_messages', 'weft_threads', 'weft_kv', 'weft_catalog', 'weft_records'];

type Kind = 'pglite' | 'postgres';
const opened = new Map<Kind, Promise<SqlDatabase>>();
let holders = 0;
let closing: NodeJS.Timeout | undefined;

async function open(kind: Kind): Promise<SqlDatabase> {
  if (kind === 'pglite') {
    const db = await openPglite(undefined, 'memory');
    await migrate(db, { folder: migrationsFolder() });
    return db;
  }
  const db = await openPostgres(databaseUrl(), { schema: TEST_SCHEMA, connectTimeoutMs: 5000 });
  await db.rows(sql`drop schema if exists ${sql.identifier(TEST_SCHEMA)} cascade`);
  await migrate(db, { folder: migrationsFolder(), migrationsSchema: TEST_SCHEMA });
  return db;
}

async function closeAll(): Promise<void> {
  const all = [...opened.values()];
  opened.clear();
  for (const db of await Promise.all(all)) {
    if (db.kind === 'postgres') await db.rows(sql`drop schema if exists ${sql.identifier(TEST_SCHEMA)} cascade`);
    await db.close();
  }
}

/** A shared database for a suite: call `hold` in `before` and `release` in `after`. */
export function shared(kind: Kind) {
  return {
    async hold(): Promise<SqlDatabase> {
      holders++;
      clearTimeout(closing);
      let db = opened.get(kind);
      if (!db) opened.set(kind, (db = open(kind)));
      return db;
    },
    release(): void {
      if (--holders === 0) closing = setTimeout(() => void closeAll(), 300);
    },
  };
}

/** Empties every table. */
export async function reset(db: SqlDatabase): Promise<void> {
  await db.rows(sql.raw(`truncate ${TABLES.join(', ')} restart identity`));
}

let postgresUp: Promise<boolean> | undefined;

/**
 * The backends to test: PGlite, and PostgreSQL when it answers (asked once per process; outside
 * CI a missing server prints a loud banner and its suites are left out, under CI=true it throws).
 */
export async function kinds(): Promise<Kind[]> {
  postgresUp ??= requireServer('postgres');
  return (await postgresUp) ? ['pglite', 'postgres'] : ['pglite'];
}
