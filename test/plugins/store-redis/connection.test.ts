import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StoreErrors } from '../../../kernel/index.js';
import { redisUrl } from '../../../kernel/testing.js';
import { RedisConnection, createRedisBackend } from '../../../plugins/store-redis/index.js';
import { rejectsWith } from '../../support/errors.js';
import { dropPrefix, rawClient, redisUp, skipped, uniquePrefix } from './support.js';

/** A loopback TCP server that accepts connections; `upstream` forwards them, otherwise it never answers. */
async function tcpServer(upstream?: URL): Promise<{ url: string; start(): Promise<void>; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  };
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        track(client);
        if (!upstream) return;
        const target = connect(Number(upstream.port || 6379), upstream.hostname);
        track(target);
        client.on('close', () => target.destroy());
        target.on('close', () => client.destroy());
        client.pipe(target).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server!.close(() => resolve());
    });
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}

const down = suite('store-redis: a server that is not there');

down('a refused connection is STORE_UNAVAILABLE naming the URL with the password masked, at once', async () => {
  const backend = createRedisBackend('redis://:secret@127.0.0.1:6390', { prefix: 'weft:', connect_timeout_ms: 2000, search_window: 10 });
  const started = Date.now();
  const error = await rejectsWith(async () => (await backend.kv()).get('k'), StoreErrors.UNAVAILABLE);
  assert.ok(Date.now() - started < 2000, 'within the connect timeout');
  assert.match(error.message, 'Redis at redis://:***@127.0.0.1:6390 is not available');
  assert.match(error.message, 'ECONNREFUSED');
  assert.not.match(error.message, 'secret');
  assert.is(error.data['where'], 'redis://:***@127.0.0.1:6390');
  assert.is(backend.describe(), 'redis://:***@127.0.0.1:6390, keys weft:*');
  // Every use tries again, and fails the same way.
  await rejectsWith(async () => (await backend.runs()).get('r'), StoreErrors.UNAVAILABLE);
  await backend.close();
});

down('a server that accepts but never answers fails within the connect timeout, not a hang', async () => {
  const silent = await tcpServer();
  const connection = new RedisConnection(silent.url.replace('redis://', 'redis://weft:hunter2@'), { connectTimeoutMs: 300 });
  const started = Date.now();
  const error = await rejectsWith(connection.run('ping', (redis) => redis.ping()), StoreErrors.UNAVAILABLE);
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 1500, `took ${took} ms`);
  assert.match(error.message, 'no answer within 300 ms');
  assert.match(error.message, `redis://weft:***@127.0.0.1:`);
  assert.not.match(error.message, 'hunter2');
  await connection.close();
  await silent.stop();
});

down('closing while the first connection attempt fails settles quietly', async () => {
  const connection = new RedisConnection('redis://127.0.0.1:6390', { connectTimeoutMs: 1000 });
  const pending = connection.run('ping', (redis) => redis.ping());
  await connection.close();
  await rejectsWith(pending, StoreErrors.UNAVAILABLE);
  await connection.close();
  // Once closed it stays closed: a late caller gets an error, not a connection nobody would close.
  const late = await rejectsWith(connection.run('ping', (redis) => redis.ping()), StoreErrors.UNAVAILABLE);
  assert.is(late.message, 'The Redis connection to redis://127.0.0.1:6390 is closed');
});

down.run();

if (redisUp) {
  const live = suite('store-redis: a server that comes and goes');

  live('a server that comes up after a failed attempt is used on the next call', async () => {
    const proxy = await tcpServer(new URL(redisUrl()));
    await proxy.stop();
    const backend = createRedisBackend(proxy.url, { prefix: uniquePrefix('late'), connect_timeout_ms: 1000, search_window: 10 });
    const kv = await backend.kv();
    await rejectsWith(kv.get('k'), StoreErrors.UNAVAILABLE);
    await proxy.start();
    await kv.set('k', 'v');
    assert.is(await kv.get('k'), 'v');
    await kv.delete('k');
    await backend.close();
    await proxy.stop();
  });

  live('a connection lost mid-use fails fast with STORE_UNAVAILABLE, and works again once the server is back', async () => {
    const proxy = await tcpServer(new URL(redisUrl()));
    const backend = createRedisBackend(proxy.url, { prefix: uniquePrefix('lost'), connect_timeout_ms: 1000, search_window: 10 });
    const kv = await backend.kv();
    await kv.set('k', 'v');
    await proxy.stop();
    const started = Date.now();
    const error = await rejectsWith(kv.get('k'), StoreErrors.UNAVAILABLE);
    assert.ok(Date.now() - started < 2000, 'fails fast');
    assert.match(error.message, `Redis at ${proxy.url} is not available (read key "k")`);
    await proxy.start();
    let value: string | undefined;
    for (let i = 0; i < 40 && value === undefined; i++) {
      value = await kv.get('k').catch(() => undefined);
      if (value === undefined) await sleep(100);
    }
    assert.is(value, 'v');
    await kv.delete('k');
    await backend.close();
    await proxy.stop();
  });

  live('a key holding the wrong kind of value is STORE_CORRUPT; other failures pass through unchanged', async () => {
    const backend = createRedisBackend(redisUrl(), { prefix: uniquePrefix('wrongtype'), connect_timeout_ms: 1000, search_window: 10 });
    const raw = rawClient();
    await raw.hset(`${backend.keys.prefix}kv:h`, 'a', '1');
    const error = await rejectsWith((await backend.kv()).get('h'), StoreErrors.CORRUPT);
    assert.match(error.message, 'read key "h"');
    assert.match(error.message, 'WRONGTYPE');
    const boom = new Error('boom');
    try {
      await backend.connection.run('anything', async () => {
        throw boom;
      });
      assert.unreachable('should throw');
    } catch (e: unknown) {
      assert.is(e, boom);
    }
    await dropPrefix(raw, backend.keys.prefix);
    raw.disconnect();
    await backend.close();
  });

  live('a server that no longer has a script (restarted, or SCRIPT FLUSH) is sent it again; script errors pass through', async () => {
    const backend = createRedisBackend(redisUrl(), { prefix: uniquePrefix('noscript'), connect_timeout_ms: 1000, search_window: 10 });
    const raw = rawClient();
    const count = { lua: "return redis.call('INCR', KEYS[1])" };
    const key = `${backend.keys.prefix}n`;
    assert.is(await backend.connection.script('count', count, [key], []), 1);
    await raw.script('FLUSH');
    assert.is(await backend.connection.script('count', count, [key], []), 2);
    assert.is(await backend.connection.script('count', count, [key], []), 3);
    const failing = { lua: "return redis.error_reply('WEFT no such thing')" };
    try {
      await backend.connection.script('fail', failing, [], []);
      assert.unreachable('should throw');
    } catch (e: unknown) {
      assert.match((e as Error).message, 'WEFT no such thing');
    }
    await raw.hset(key.replace(/n$/, 'h'), 'a', '1');
    await rejectsWith(backend.connection.script('count a hash', count, [key.replace(/n$/, 'h')], []), StoreErrors.CORRUPT);
    await dropPrefix(raw, backend.keys.prefix);
    raw.disconnect();
    await backend.close();
  });

  live.run();
} else {
  skipped('store-redis: a server that comes and goes');
}
