// Real Redis for the store-redis tests: a key prefix unique to this test process, a raw client to
// inspect and tamper with keys, and cleanup of everything under the prefix.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import { redisUrl, requireServer } from '../../../kernel/testing.js';
import { createRedisBackend, type RedisBackend } from '../../../plugins/store-redis/index.js';

/** Whether Redis answers; under CI=true a missing server fails the run instead. */
export const redisUp = await requireServer('redis');

/** A prefix no other test run uses (hex only, so it is safe in a SCAN pattern). */
export function uniquePrefix(tag: string): string {
  return `weft-test-${process.pid}-${randomBytes(4).toString('hex')}-${tag}:`;
}

/** A backend on the test Redis under `prefix` (another process's view of the same keys, say). */
export function backendAt(prefix: string, options: { search_window?: number } = {}): RedisBackend {
  return createRedisBackend(redisUrl(), { prefix, connect_timeout_ms: 2000, search_window: options.search_window ?? 1000 });
}

/** A backend on the test Redis under a fresh prefix. */
export function testBackend(tag: string, options: { search_window?: number } = {}): RedisBackend {
  return backendAt(uniquePrefix(tag), options);
}

/** A raw client, for looking at and tampering with keys. */
export function rawClient(): Redis {
  return new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
}

/** Every key under `prefix`, sorted, with the prefix cut off. */
export async function keysUnder(raw: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.map((k) => k.slice(prefix.length)).sort();
}

/** Deletes every key under `prefix`. */
export async function dropPrefix(raw: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(raw, prefix);
  if (keys.length > 0) await raw.del(...keys.map((k) => prefix + k));
}

/** A visible placeholder when Redis is not there (requireServer already printed why). */
export function skipped(title: string): void {
  const placeholder = suite(title);
  placeholder.skip('needs Redis at REDIS_URL', () => {});
  placeholder.run();
}
