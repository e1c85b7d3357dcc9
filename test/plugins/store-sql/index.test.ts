import { createServer, type AddressInfo, type Socket } from 'node:net';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../../../kernel/cli.js';
import type { RunEvent } from '../../../kernel/index.js';
import { createTestKernel, databaseUrl } from '../../../kernel/testing.js';
import storage from '../../../plugins/storage/index.js';
import storeSql from '../../../plugins/store-sql/index.js';
import { MIGRATIONS_TABLE, migrationsFolder, readJournal } from '../../../plugins/store-sql/migrations.js';
import { openPglite } from '../../../plugins/store-sql/pglite.js';
import { openPostgres } from '../../../plugins/store-sql/postgres.js';
import { rejectsWith } from '../../support/errors.js';
import { tempDir } from '../../support/temp.js';
import { TEST_SCHEMA, kinds } from './support.js';

const builtins = { storage: () => import('../../../plugins/storage/index.js'), 'store-sql': () => import('../../../plugins/store-sql/index.js') };

/** `weft <argv>` in-process with the storage plugins, in `cwd`. */
async function weft(argv: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { builtins, io: { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd, env } });
  return { code, stdout, stderr };
}

/** Every migration weft ships, as `weft db migrate` lists them when it applies them all. */
const ALL = readJournal(migrationsFolder()).map((m) => m.tag).join(', ');

const started = (run_id: string): RunEvent => ({ type: 'run.started', run_id, seq: 1, at: 1000, pipeline: 'p', version: '1', input: {}, parameters: {} });

const pglite = suite('store-sql: embedded PGlite under data_dir');
// A migrated data directory from the first test, so the second does not pay for initdb again.
let migrated: string | undefined;

pglite('weft db migrate creates and migrates the database on first use, then finds it up to date', async () => {
  const cwd = tempDir();
  assert.equal(await weft(['db', 'migrate'], cwd), { code: 0, stdout: `pglite (${join('.weft', 'pglite')}): applied ${ALL}\n`, stderr: '' });
  assert.ok(existsSync(join(cwd, '.weft', 'pglite', 'PG_VERSION')));
  assert.equal(await weft(['db', 'migrate'], cwd), { code: 0, stdout: `pglite (${join('.weft', 'pglite')}) is up to date\n`, stderr: '' });
  migrated = join(tempDir(), 'pglite');
  cpSync(join(cwd, '.weft', 'pglite'), migrated, { recursive: true });

  // What one kernel stored, the next one reads.
  const first = await createTestKernel({ plugins: [storage, storeSql], cwd });
  assert.equal(first.services.get('storage').describe().runs, `pglite (${join('.weft', 'pglite')})`);
  await (await first.services.get('storage').runs()).append([started('kept')]);
  await first.close();
  const second = await createTestKernel({ plugins: [storage, storeSql], cwd });
  assert.equal(await (await second.services.get('storage').runs()).events('kept'), [started('kept')]);
  await second.close();

  // A newer weft migrated it since: refused, exit 1, coded error.
  const db = await openPglite(join(cwd, '.weft', 'pglite'), 'direct');
  await db.rows(sql`insert into ${sql.identifier('drizzle')}.${sql.identifier(MIGRATIONS_TABLE)} (hash, created_at) values ('later', ${Date.now() + 86_400_000})`);
  await db.close();
  const refused = await weft(['db', 'migrate'], cwd);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /^error \[STORE_SCHEMA_NEWER\]: The database at \.weft\/pglite has migrations this weft does not know/);
});

pglite('data_dir may be absolute; the stores answer through the storage service', async () => {
  const dataDir = join(tempDir(), 'elsewhere');
  cpSync(migrated!, join(dataDir, 'pglite'), { recursive: true });
  const kernel = await createTestKernel({ plugins: [storage, storeSql], config: { data_dir: dataDir } });
  const service = kernel.services.get('storage');
  assert.is(service.describe().kv, `pglite (${join(dataDir, 'pglite')})`);
  const kv = await service.kv();
  await kv.set('k', 'v');
  assert.is(await kv.get('k'), 'v');
  assert.equal(await (await service.catalog()).list(), []);
  assert.equal(await (await service.memory()).thread('t'), []);
  await kernel.close();
  assert.ok(existsSync(join(dataDir, 'pglite', 'PG_VERSION')));
});

pglite.run();

const down = suite('store-sql: a PostgreSQL server that is down');
const DOWN = 'postgres://u:secret@127.0.0.1:6543/x';

down('the first store use fails quickly with STORE_UNAVAILABLE naming the URL, password masked', async () => {
  const kernel = await createTestKernel({ plugins: [storage, storeSql], config: { database_url: DOWN, plugins: { 'store-sql': { connect_timeout_ms: 2000 } } } });
  const service = kernel.services.get('storage');
  assert.is(service.describe().runs, 'postgres (postgres://u:***@127.0.0.1:6543/x)');
  const t0 = performance.now();
  const error = await rejectsWith(service.runs(), 'STORE_UNAVAILABLE');
  assert.ok(performance.now() - t0 < 2500);
  assert.ok(error.message.includes('postgres://u:***@127.0.0.1:6543/x'), error.message);
  assert.not.ok(error.message.includes('secret'));
  assert.not.ok(JSON.stringify(error.toJSON()).includes('secret'));
  await kernel.close();
});

down('a server that answers in another protocol fails within the connect timeout, not a hang', async () => {
  // One replies like an HTTP server and hangs up; the other replies and keeps the connection open.
  for (const close of [true, false]) {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => (close ? socket.end('HTTP/1.1 400 Bad Request\r\n\r\n') : socket.write('HTTP/1.1 400 Bad Request\r\n\r\n')));
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const url = `postgres://u:secret@127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const kernel = await createTestKernel({ plugins: [storage, storeSql], config: { database_url: url, plugins: { 'store-sql': { connect_timeout_ms: 500 } } } });
    const t0 = performance.now();
    const error = await rejectsWith(kernel.services.get('storage').runs(), 'STORE_UNAVAILABLE');
    assert.ok(performance.now() - t0 < 3000, `took ${performance.now() - t0} ms`);
    assert.ok(error.message.includes('postgres://u:***@127.0.0.1:'), error.message);
    await kernel.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((closed) => server.close(closed));
  }
});

down('weft db migrate exits 1 with the coded error', async () => {
  const result = await weft(['db', 'migrate'], tempDir(), { DATABASE_URL: DOWN });
  assert.is(result.code, 1);
  assert.match(result.stderr, /^error \[STORE_UNAVAILABLE\]: The database at postgres:\/\/u:\*\*\*@127\.0\.0\.1:6543\/x is not available/);
  assert.not.ok(result.stderr.includes('secret'));
});

down.run();

if ((await kinds()).includes('postgres')) {
  const postgres = suite('store-sql: PostgreSQL at database_url');
  const schema = `${TEST_SCHEMA}_plugin`;
  const dropSchema = async () => {
    const db = await openPostgres(databaseUrl(), { connectTimeoutMs: 5000 });
    await db.rows(sql`drop schema if exists ${sql.identifier(schema)} cascade`);
    await db.close();
  };
  postgres.before(dropSchema);
  postgres.after(dropSchema);

  postgres('weft db migrate applies to the configured schema, then finds it up to date; the stores use it', async () => {
    const cwd = tempDir({ 'weft.config.json': JSON.stringify({ plugins: { 'store-sql': { schema } } }) });
    const env = { DATABASE_URL: databaseUrl() };
    const where = `postgres (${databaseUrl().replace(/:[^:@/]*@/, ':***@')})`;
    assert.equal(await weft(['db', 'migrate'], cwd, env), { code: 0, stdout: `${where}: applied ${ALL}\n`, stderr: '' });
    assert.equal(await weft(['db', 'migrate'], cwd, env), { code: 0, stdout: `${where} is up to date\n`, stderr: '' });
    const kernel = await createTestKernel({ plugins: [storage, storeSql], config: { database_url: databaseUrl(), plugins: { 'store-sql': { schema } } } });
    assert.is(kernel.services.get('storage').describe().runs, where);
    await (await kernel.services.get('storage').runs()).append([started('pg')]);
    assert.is((await (await kernel.services.get('storage').runs()).get('pg'))!.pipeline, 'p');
    await kernel.close();
  });

  postgres.run();
}

