import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { databaseUrl, redisUrl, requireServer, serverAvailable, serverUrl, createTestKernel } from '../../kernel/testing.js';
import hello from '../fixtures/hello-plugin.js';
import { tempDir } from '../support/temp.js';

const kernels = suite('testing: createTestKernel');

kernels('boots a real kernel in a temporary directory that is removed on close', async () => {
  const kernel = await createTestKernel({ plugins: [hello] });
  assert.is(kernel.state, 'ready');
  assert.ok(existsSync(kernel.cwd));
  assert.is(kernel.services.get('greeter').greet('Ada'), 'Hello, Ada!');
  await kernel.close();
  assert.not.ok(existsSync(kernel.cwd));
});

kernels('a given cwd is used and left alone; config reaches the plugin', async () => {
  const cwd = tempDir();
  {
    await using kernel = await createTestKernel({ plugins: [hello], cwd, config: { plugins: { hello: { greeting: 'Hi' } } } });
    assert.is(kernel.cwd, cwd);
    assert.is(kernel.services.get('greeter').greet('Bo'), 'Hi, Bo!');
  }
  assert.ok(existsSync(cwd));
});

kernels.run();

const servers = suite('testing: server helpers');
const closedPort = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', REDIS_URL: 'redis://127.0.0.1:1' };

servers('URLs come from the environment, with local defaults', () => {
  assert.is(databaseUrl({}), 'postgres://postgres@127.0.0.1:5432/test');
  assert.is(redisUrl({}), 'redis://127.0.0.1:6379');
  assert.is(databaseUrl({ DATABASE_URL: 'postgres://db/x' }), 'postgres://db/x');
  assert.is(redisUrl({ REDIS_URL: '' }), 'redis://127.0.0.1:6379');
  assert.is(databaseUrl(), process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test');
  assert.is(redisUrl(), serverUrl('redis'));
});

servers('a closed port is unavailable; a URL without a port uses the default port', async () => {
  assert.is(await serverAvailable('postgres', { env: closedPort }), false);
  const withPort = await serverAvailable('redis', { env: { REDIS_URL: 'redis://127.0.0.1:6379' } });
  assert.is(await serverAvailable('redis', { env: { REDIS_URL: 'redis://127.0.0.1' }, timeoutMs: 2000 }), withPort);
});

servers('an unreachable server fails the suite under CI=true', async () => {
  try {
    await requireServer('redis', { env: { ...closedPort, CI: 'true' } });
    assert.unreachable('requireServer should throw under CI');
  } catch (e: unknown) {
    assert.match((e as Error).message, 'redis is not reachable at redis://127.0.0.1:1, and CI=true requires it');
  }
});

servers('an unreachable server skips loudly elsewhere', async () => {
  let banner = '';
  assert.is(await requireServer('postgres', { env: closedPort, stderr: (t) => void (banner += t) }), false);
  assert.match(banner, '!! SKIPPING postgres tests: postgres is not reachable at postgres://postgres@127.0.0.1:1/test.');
  // With no options at all: the process environment (CI unset here) and stderr.
  const written: string[] = [];
  const saved = { write: process.stderr.write, redis: process.env['REDIS_URL'], ci: process.env['CI'] };
  process.stderr.write = ((t: string) => written.push(t) > 0) as typeof process.stderr.write;
  process.env['REDIS_URL'] = closedPort.REDIS_URL;
  delete process.env['CI'];
  try {
    assert.is(await requireServer('redis'), false);
  } finally {
    process.stderr.write = saved.write;
    for (const [name, value] of [['REDIS_URL', saved.redis], ['CI', saved.ci]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  assert.match(written.join(''), '!! SKIPPING redis tests');
});

servers.run();

// One real round trip to each server, so later storage suites inherit a known-good setup.
const hasPostgres = await requireServer('postgres');
const hasRedis = await requireServer('redis');
const connectivity = suite('testing: real servers');

(hasPostgres ? connectivity : connectivity.skip)('PostgreSQL answers select 1 (postgres.js)', async () => {
  const sql = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 as one`;
    assert.is(rows[0]?.['one'], 1);
  } finally {
    await sql.end();
  }
});

(hasRedis ? connectivity : connectivity.skip)('Redis answers PING (ioredis)', async () => {
  const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    assert.is(await redis.ping(), 'PONG');
  } finally {
    redis.disconnect();
  }
});

connectivity.run();
