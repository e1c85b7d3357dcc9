import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { StoreErrors, WeftError, maskUrl } from '#kernel';


/** A Lua script the stores run atomically on the server. */
export interface LuaScript {
  lua: string;
}

/** Options of {@link RedisConnection}. */
export interface RedisConnectionOptions {
  /** How long connecting may take before the store reports STORE_UNAVAILABLE. */
  connectTimeoutMs: number;
}

// Failures that mean the server cannot be used right now, as ioredis and Node report them.
const LOST = /Connection is closed|max retries per request|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE/i;

// Each script's SHA1, computed once: EVALSHA names it.
const shas = new WeakMap<LuaScript, string>();

function shaOf(script: LuaScript): string {
  let sha = shas.get(script);
  if (sha === undefined) shas.set(script, (sha = createHash('sha1').update(script.lua).digest('hex')));
  return sha;
}

/**
 * One ioredis client, opened on first use. Connecting fails with STORE_UNAVAILABLE (naming the URL,
 * password masked) within the connect timeout, whether the server refuses or never answers, and
 * the next use tries again. After a connection is lost, commands fail fast with STORE_UNAVAILABLE
 * while the client reconnects in the background.
 */
export class RedisConnection {
  /** The URL with its password masked. */
  readonly where: string;
  readonly #url: string;
  readonly #timeoutMs: number;
  #client: Promise<Redis> | undefined;
  /** The client once connected, so that a command does not wait a turn for `#client`. */
  #ready: Redis | undefined;
  #closed = false;

  constructor(url: string, options: RedisConnectionOptions) {
    this.#url = url;
    this.where = maskUrl(url);
    this.#timeoutMs = options.connectTimeoutMs;
  }

  /** Runs `work` with the client, turning client failures into store errors about `what`. */
  async run<T>(what: string, work: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = this.#ready ?? (await this.#connected());
    try {
      return await work(redis);
    } catch (e: unknown) {
      throw this.#failure(e, what);
    }
  }

  /**
   * Runs a Lua script with `keys` (KEYS) and `args` (ARGV): EVALSHA, then EVAL (which also caches
   * it) when the server does not have the script, as after a restart or SCRIPT FLUSH. Called
   * directly rather than through ioredis's defineCommand, whose wrapper costs about a tenth of a
   * loopback round trip per call.
   */
  script(what: string, script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    return this.run(what, (redis) =>
      redis.evalsha(shaOf(script), keys.length, ...keys, ...args).catch((e: unknown) => {
        if (!(e as Error).message.startsWith('NOSCRIPT')) throw e;
        return redis.eval(script.lua, keys.length, ...keys, ...args);
      }),
    );
  }

  /** Closes the client, if one was opened. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#ready = undefined;
    const opening = this.#client;
    this.#client = undefined;
    const redis = await opening?.catch(() => undefined);
    redis?.disconnect();
  }

  #connected(): Promise<Redis> {
    // A late caller must not open a connection nobody will close (it would keep the process alive).
    if (this.#closed) return Promise.reject(new WeftError(StoreErrors.UNAVAILABLE, `The Redis connection to ${this.where} is closed`, { data: { where: this.where } }));
    this.#client ??= this.#open().catch((e: unknown) => {
      this.#client = undefined;
      throw e;
    });
    return this.#client;
  }

  async #open(): Promise<Redis> {
    const redis = new Redis(this.#url, {
      lazyConnect: true,
      connectTimeout: this.#timeoutMs,
      // Once connected, a command waits for one reconnection attempt at most, then fails.
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 100, 1000),
    });
    let lastError: unknown;
    redis.on('error', (e: unknown) => {
      lastError = e;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    const connecting = redis.connect();
    connecting.catch(() => {});
    try {
      await Promise.race([connecting, timeout]);
    } catch (e: unknown) {
      redis.disconnect();
      const reason = lastError ?? e;
      throw new WeftError(StoreErrors.UNAVAILABLE, `Redis at ${this.where} is not available: ${(reason as Error).message}. Start it, or check REDIS_URL`, { cause: reason, data: { where: this.where } });
    } finally {
      clearTimeout(timer);
    }
    // A close() while connecting has already been answered: this client is not handed out.
    if (!this.#closed) this.#ready = redis;
    return redis;
  }

  #failure(e: unknown, what: string): unknown {
    const message = (e as Error).message;
    if (message.includes('WRONGTYPE')) return new WeftError(StoreErrors.CORRUPT, `Redis at ${this.where}: a key read to ${what} holds the wrong kind of value (${message}); repair or delete it`, { cause: e, data: { where: this.where } });
    if (LOST.test(message)) return new WeftError(StoreErrors.UNAVAILABLE, `Redis at ${this.where} is not available (${what}): ${message}`, { cause: e, data: { where: this.where } });
    return e;
  }
}
