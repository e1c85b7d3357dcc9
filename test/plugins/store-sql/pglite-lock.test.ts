import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir } from '../../../plugins/store-sql/pglite-lock.js';
import { tempDir } from '../../support/temp.js';

const lock = suite('store-sql: one process per PGlite directory');

const exited = (): Promise<number> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.on('exit', () => resolve(child.pid!));
  });

lock('the first opener takes the lock and releases it on close; the same process may open again', async () => {
  const dir = join(tempDir(), 'pglite');
  const release = await lockDataDir(dir, '.weft/pglite');
  assert.is(readFileSync(`${dir}.lock`, 'utf8'), String(process.pid));
  const again = await lockDataDir(dir, '.weft/pglite');
  await again();
  assert.ok(existsSync(`${dir}.lock`));
  await release();
  assert.not.ok(existsSync(`${dir}.lock`));
});

lock('a directory held by a live process is refused with STORE_LOCKED naming it', async () => {
  const dir = join(tempDir(), 'pglite');
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  writeFileSync(`${dir}.lock`, String(holder.pid));
  const error = await lockDataDir(dir, '.weft/pglite').then(() => undefined, (e: unknown) => e as { code: string; message: string });
  holder.kill();
  assert.is(error?.code, 'STORE_LOCKED');
  assert.is(error?.message, `The embedded database at .weft/pglite is open in process ${holder.pid}; stop it, or share a PostgreSQL server through DATABASE_URL`);
});

lock('a lock left by a process that died, or one that does not hold a pid, is taken over', async () => {
  for (const content of [String(await exited()), 'garbage']) {
    const dir = join(tempDir(), 'pglite');
    writeFileSync(`${dir}.lock`, content);
    const release = await lockDataDir(dir, '.weft/pglite');
    assert.is(readFileSync(`${dir}.lock`, 'utf8'), String(process.pid));
    await release();
  }
});

lock.run();
