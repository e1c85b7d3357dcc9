import { join } from 'node:path';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqlBackend } from '../../../plugins/store-sql/backend.js';
import type { SqlDatabase } from '../../../plugins/store-sql/database.js';
import { migrationsFolder } from '../../../plugins/store-sql/migrations.js';
import { SqlRecordStore } from '../../../plugins/store-sql/record-store.js';
import { SqlRunStore } from '../../../plugins/store-sql/run-store.js';
import { rejectsWith } from '../../support/errors.js';
import { tempDir } from '../../support/temp.js';
import { reset, shared } from './support.js';

const database = shared('pglite');
const test = suite('store-sql: the backend connects once, on first use');
let db: SqlDatabase;
let closes = 0;
/** The shared database behind a close that only counts. */
const borrowed = (): SqlDatabase => ({ ...db, close: async () => void closes++ });

test.before(async () => void (db = await database.hold()));
test.before.each(async () => {
  closes = 0;
  await reset(db);
});
test.after(() => database.release());

test('nothing opens until a store is asked for; then once for every store', async () => {
  let opens = 0;
  const backend = new SqlBackend({ kind: 'pglite', where: 'here', migrations: migrationsFolder(), open: async () => (opens++, borrowed()) });
  assert.is(backend.kind, 'pglite');
  assert.is(backend.describe(), 'here');
  assert.is(opens, 0);
  const [runs, records] = await Promise.all([backend.runs(), backend.records(), backend.memory(), backend.kv(), backend.catalog()]);
  assert.instance(runs, SqlRunStore);
  assert.instance(records, SqlRecordStore);
  assert.equal((await backend.connect()).applied, []);
  assert.is(opens, 1);
  await backend.close();
  await backend.close();
  assert.is(closes, 1);
  // Once closed it stays closed: a late caller gets an error, not a connection nobody would close.
  const late = await rejectsWith(backend.runs(), 'STORE_UNAVAILABLE');
  assert.is(late.message, 'The pglite database at here is closed');
  assert.is(opens, 1);
});

test('a failed attempt is a store error, and the next use tries again', async () => {
  let attempt = 0;
  const backend = new SqlBackend({
    kind: 'pglite',
    where: 'there',
    migrations: migrationsFolder(),
    open: async () => {
      if (++attempt === 1) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return borrowed();
    },
  });
  const error = await rejectsWith(backend.runs(), 'STORE_UNAVAILABLE');
  assert.is(error.message, 'Cannot open the pglite database at there: EACCES: permission denied');
  assert.equal(error.data, { where: 'there' });
  await backend.runs();
  assert.is(attempt, 2);
  await backend.close();
});

test('a migration that fails closes what it opened', async () => {
  const broken = join(tempDir(), 'drizzle');
  cpSync(migrationsFolder(), broken, { recursive: true });
  const journal = JSON.parse(readFileSync(join(broken, 'meta', '_journal.json'), 'utf8')) as { entries: Array<Record<string, unknown>> };
  journal.entries.push({ ...journal.entries[0], idx: 1, tag: '0001_missing', when: Date.now() + 86_400_000 });
  writeFileSync(join(broken, 'meta', '_journal.json'), JSON.stringify(journal));
  const backend = new SqlBackend({ kind: 'pglite', where: 'here', migrations: broken, open: async () => borrowed() });
  const error = await rejectsWith(backend.kv(), 'STORE_UNAVAILABLE');
  assert.match(error.message, /0001_missing/);
  assert.is(closes, 1);
});

test('closing while a connection attempt fails leaves nothing behind', async () => {
  const backend = new SqlBackend({ kind: 'pglite', where: 'here', migrations: migrationsFolder(), open: () => Promise.reject(new Error('no')) });
  const connecting = backend.connect();
  await backend.close();
  await rejectsWith(connecting, 'STORE_UNAVAILABLE');
  assert.is(closes, 0);
});

test.run();
