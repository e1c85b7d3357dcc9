import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { databaseUrl } from '../../../kernel/testing.js';
import type { SqlDatabase } from '../../../plugins/store-sql/database.js';
import { MIGRATIONS_TABLE, migrate, migrationsFolder, readJournal } from '../../../plugins/store-sql/migrations.js';
import { openPglite } from '../../../plugins/store-sql/pglite.js';
import { openPostgres } from '../../../plugins/store-sql/postgres.js';
import { SqlRunStore } from '../../../plugins/store-sql/run-store.js';
import type { RunEvent } from '../../../kernel/index.js';
import { rejectsWith } from '../../support/errors.js';
import { tempDir } from '../../support/temp.js';
import { TEST_SCHEMA, kinds, shared } from './support.js';

const folder = suite('store-sql: the migrations folder');

folder('is found by walking up from the module, from dist/ as from an installed package', () => {
  const found = migrationsFolder();
  assert.ok(readFileSync(join(found, 'meta', '_journal.json'), 'utf8').includes('0000_init'));
  const installed = tempDir({ 'node_modules/weft/drizzle/meta/_journal.json': '{"entries":[]}', 'node_modules/weft/dist/plugins/store-sql/migrations.js': '' });
  assert.is(migrationsFolder(join(installed, 'node_modules/weft/dist/plugins/store-sql/migrations.js')), join(installed, 'node_modules/weft/drizzle'));
});

folder('a missing folder is a coded error saying the installation lacks it', async () => {
  const error = await rejectsWith(() => migrationsFolder(join(tempDir(), 'a', 'b.js')), 'STORE_UNAVAILABLE');
  assert.match(error.message, /migrations are missing/);
});

folder('the journal lists the migrations oldest first', () => {
  const journal = readJournal(migrationsFolder());
  assert.is(journal[0]!.tag, '0000_init');
  assert.ok(journal.every((m, i) => i === 0 || m.when > journal[i - 1]!.when));
});

folder.run();

/** A copy of drizzle/ with only its first `count` migrations, as an older weft shipped. */
function olderFolder(count: number): string {
  const dir = join(tempDir(), 'drizzle');
  cpSync(migrationsFolder(), dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }));
  return dir;
}

/** Events as a weft before 0002_event_parts stored them: one row each, the payload as jsonb. */
const OLD_EVENTS: RunEvent[] = [
  { type: 'run.started', run_id: 'old', seq: 1, at: 1000, pipeline: 'p', version: '1', input: { topic: 'héllo ✓' }, parameters: {} },
  { type: 'step.completed', run_id: 'old', seq: 2, at: 1001, step_id: 's', iteration: 1, attempt: 1, output: { text: 'ab🙂é中'.repeat(3000), n: [1, null, true] }, duration_ms: 2.5 },
  { type: 'run.completed', run_id: 'old', seq: 3, at: 1002, output: { done: true } },
];

async function storeOldEvents(db: SqlDatabase): Promise<void> {
  await db.rows(sql`insert into weft_runs (run_id, pipeline, version, status, started_at, updated_at, events) values ('old', 'p', '1', 'completed', ${new Date(1000).toISOString()}::timestamptz, ${new Date(1002).toISOString()}::timestamptz, 3)`);
  for (const { run_id, seq, type, at, ...payload } of OLD_EVENTS) {
    await db.rows(sql`insert into weft_run_events (run_id, seq, type, at, payload) values (${run_id}, ${seq}, ${type}, ${at}, ${JSON.stringify(payload)}::jsonb)`);
  }
}

/** Upgrades a database at 0001_records holding events to the current schema, and reads them back. */
async function upgradeWithEvents(db: SqlDatabase, migrationsSchema: string): Promise<void> {
  assert.equal(await migrate(db, { folder: olderFolder(2), migrationsSchema }), ['0000_init', '0001_records']);
  await storeOldEvents(db);
  assert.equal(await migrate(db, { folder: migrationsFolder(), migrationsSchema }), readJournal(migrationsFolder()).slice(2).map((m) => m.tag));
  const store = new SqlRunStore(db);
  assert.equal(await store.events('old'), OLD_EVENTS);
  assert.equal(await db.rows(sql`select seq, part from weft_run_events order by seq, part`), [{ seq: 1, part: 0 }, { seq: 2, part: 0 }, { seq: 3, part: 0 }]);
  assert.equal(await db.rows(sql`select attstorage as storage, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = 'weft_run_events'::regclass and attname = 'payload'`), [{ storage: 'm', type: 'text' }]);
  // The key now takes the part: a stored seq is still a conflict, and a new large event is split.
  await rejectsWith(store.append([{ ...OLD_EVENTS[2]!, at: 2000 }]), 'STORE_CONFLICT');
  const later: RunEvent = { ...(OLD_EVENTS[1] as Extract<RunEvent, { type: 'step.completed' }>), seq: 4, at: 3000 };
  await store.append([later]);
  assert.equal(await store.events('old', 1), [...OLD_EVENTS.slice(1), later]);
  assert.ok(Number((await db.rows(sql`select count(*)::integer as n from weft_run_events where seq = 4`))[0]!['n']) > 1);
  assert.is((await store.get('old'))!.events, 4);
}

/** A copy of drizzle/ with one more migration, as a newer weft would ship. */
function newerFolder(): string {
  const dir = join(tempDir(), 'drizzle');
  cpSync(migrationsFolder(), dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<Record<string, unknown>> };
  const last = journal.entries[journal.entries.length - 1]!;
  journal.entries.push({ ...last, idx: journal.entries.length, tag: '9999_later', when: (last['when'] as number) + 1000 });
  writeFileSync(journalFile, JSON.stringify(journal));
  writeFileSync(join(dir, '9999_later.sql'), 'CREATE TABLE "weft_later" ("id" integer);');
  return dir;
}

for (const kind of await kinds()) {
  const database = shared(kind);
  const test = suite(`store-sql (${kind}): migrating`);
  const migrationsSchema = kind === 'postgres' ? TEST_SCHEMA : 'drizzle';
  const table = sql`${sql.identifier(migrationsSchema)}.${sql.identifier(MIGRATIONS_TABLE)}`;
  let db: SqlDatabase;
  test.before(async () => void (db = await database.hold()));
  test.after(() => database.release());

  test('an up-to-date database gets nothing', async () => {
    assert.equal(await migrate(db, { folder: migrationsFolder(), migrationsSchema }), []);
  });

  test('a database with a migration weft does not ship is refused, and nothing is written', async () => {
    const newer = newerFolder();
    assert.equal(await migrate(db, { folder: newer, migrationsSchema }), ['9999_later']);
    try {
      const error = await rejectsWith(migrate(db, { folder: migrationsFolder(), migrationsSchema }), 'STORE_SCHEMA_NEWER');
      assert.ok(error.message.startsWith(`The database at ${db.where} has migrations this weft does not know (made ${new Date(readJournal(newer).at(-1)!.when).toISOString()})`), error.message);
      assert.equal(error.data['unknown'], [readJournal(newer).at(-1)!.when]);
    } finally {
      await db.rows(sql`delete from ${table} where created_at = ${readJournal(newer).at(-1)!.when}`);
      await db.rows(sql`drop table weft_later`);
    }
    assert.equal(await migrate(db, { folder: migrationsFolder(), migrationsSchema }), []);
  });

  test.run();
}

if ((await kinds()).includes('postgres')) {
  const fresh = suite('store-sql (postgres): a fresh schema');
  const schema = `${TEST_SCHEMA}_fresh`;
  const open = () => openPostgres(databaseUrl(), { schema, connectTimeoutMs: 5000 });

  fresh('two processes migrating at once take turns: one applies, the other finds it done', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    try {
      const applied = await Promise.all([migrate(a, { folder: migrationsFolder(), migrationsSchema: schema }), migrate(b, { folder: migrationsFolder(), migrationsSchema: schema })]);
      assert.equal(applied.flat(), readJournal(migrationsFolder()).map((m) => m.tag));
      const tables = await a.rows(sql`select table_name from information_schema.tables where table_schema = ${schema} order by table_name`);
      assert.equal(tables.map((t) => t['table_name']), [MIGRATIONS_TABLE, 'weft_catalog', 'weft_kv', 'weft_messages', 'weft_records', 'weft_run_events', 'weft_runs', 'weft_threads']);
    } finally {
      await a.rows(sql`drop schema if exists ${sql.identifier(schema)} cascade`);
      await Promise.all([a.close(), b.close()]);
    }
  });

  fresh('a database migrated by an older weft gets only the migrations it lacks', async () => {
    const db = await open();
    try {
      assert.equal(await migrate(db, { folder: olderFolder(1), migrationsSchema: schema }), ['0000_init']);
      assert.equal(await migrate(db, { folder: migrationsFolder(), migrationsSchema: schema }), readJournal(migrationsFolder()).slice(1).map((m) => m.tag));
      assert.equal(await db.rows(sql`select count(*)::integer as n from weft_records`), [{ n: 0 }]);
    } finally {
      await db.rows(sql`drop schema if exists ${sql.identifier(schema)} cascade`);
      await db.close();
    }
  });

  fresh('a database at 0001_records with stored events upgrades, and its events read back unchanged', async () => {
    const db = await open();
    try {
      await upgradeWithEvents(db, schema);
    } finally {
      await db.rows(sql`drop schema if exists ${sql.identifier(schema)} cascade`);
      await db.close();
    }
  });

  fresh.run();
}

const pglite = suite('store-sql (pglite): a fresh database');

pglite('a database at 0001_records with stored events upgrades, and its events read back unchanged', async () => {
  const db = await openPglite(undefined, 'memory');
  try {
    await upgradeWithEvents(db, 'drizzle');
  } finally {
    await db.close();
  }
});

pglite.run();
