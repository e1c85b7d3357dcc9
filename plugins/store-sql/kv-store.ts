import { sql, type SQL } from 'drizzle-orm';
import { StoreErrors, WeftError, type KeyValueStore } from '#kernel';
import { guarded, type SqlDatabase } from './database.js';
import { kv } from './schema.js';

/**
 * The expiry of a write: `now() + ttl`, or none. Times are the database's, shared by every
 * process. A TTL that is not a positive number is STORE_INVALID.
 */
function expiry(key: string, ttl: number | undefined): SQL {
  if (ttl === undefined) return sql`null::timestamptz`;
  if (!(ttl > 0)) throw new WeftError(StoreErrors.INVALID, `The TTL of key "${key}" must be a positive number of seconds, got ${ttl}`, { path: 'ttl_seconds' });
  return sql`now() + make_interval(secs => ${ttl}::double precision)`;
}

/** An entry is absent once its expiry has passed; `r` is the table's alias in every statement. */
const expired = sql`(r.expires_at is not null and r.expires_at <= now())`;

// Expired rows are invisible to every operation; writes purge them at most this often.
const PURGE_EVERY_MS = 60_000;

/** Key-value entries with time to live on PGlite or PostgreSQL: one statement per operation. */
export class SqlKeyValueStore implements KeyValueStore {
  readonly #database: SqlDatabase;
  #purged = 0;

  constructor(database: SqlDatabase) {
    this.#database = database;
  }

  async get(key: string): Promise<string | undefined> {
    const [row] = await this.#run(`Cannot read key "${key}"`, sql`select value from ${kv} as r where key = ${key} and not ${expired}`);
    return row?.['value'] as string | undefined;
  }

  async set(key: string, value: string, options: { ttl_seconds?: number } = {}): Promise<void> {
    await this.#run(`Cannot set key "${key}"`, sql`insert into ${kv} as r (key, value, expires_at) values (${key}, ${value}, ${expiry(key, options.ttl_seconds)})
      on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at`);
    await this.#purge();
  }

  async setIfAbsent(key: string, value: string, options: { ttl_seconds?: number } = {}): Promise<boolean> {
    const rows = await this.#run(`Cannot set key "${key}"`, sql`insert into ${kv} as r (key, value, expires_at) values (${key}, ${value}, ${expiry(key, options.ttl_seconds)})
      on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at where ${expired} returning 1`);
    await this.#purge();
    return rows.length > 0;
  }

  async delete(key: string): Promise<boolean> {
    const rows = await this.#run(`Cannot delete key "${key}"`, sql`delete from ${kv} as r where key = ${key} returning not ${expired} as live`);
    return rows.some((row) => row['live'] === true);
  }

  async replaceIf(key: string, expected: string, value: string, options: { ttl_seconds?: number } = {}): Promise<boolean> {
    const rows = await this.#run(`Cannot set key "${key}"`, sql`update ${kv} as r set value = ${value}, expires_at = ${expiry(key, options.ttl_seconds)} where key = ${key} and value = ${expected} and not ${expired} returning 1`);
    return rows.length > 0;
  }

  async deleteIf(key: string, expected: string): Promise<boolean> {
    const rows = await this.#run(`Cannot delete key "${key}"`, sql`delete from ${kv} as r where key = ${key} and value = ${expected} and not ${expired} returning 1`);
    return rows.length > 0;
  }

  /**
   * A missing or expired counter starts from 0 with `ttl_seconds`; a live one keeps its expiry (a
   * fixed window), or takes `ttl_seconds` when it had none.
   */
  async increment(key: string, by = 1, options: { ttl_seconds?: number } = {}): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new WeftError(StoreErrors.INVALID, `Key "${key}" is incremented by integers, got ${by}`);
    const [row] = await this.#run(`Cannot increment key "${key}"`, sql`insert into ${kv} as r (key, value, expires_at) values (${key}, (${by}::bigint)::text, ${expiry(key, options.ttl_seconds)})
      on conflict (key) do update set
        value = (case when ${expired} then 0 else r.value::bigint end + ${by}::bigint)::text,
        expires_at = case when ${expired} then excluded.expires_at else coalesce(r.expires_at, excluded.expires_at) end
      returning value`);
    await this.#purge();
    return Number(row!['value']);
  }

  #run(what: string, statement: SQL) {
    return guarded(this.#database, what, () => this.#database.rows(statement));
  }

  /** Deletes expired entries, at most once a minute per store. */
  async #purge(): Promise<void> {
    if (Date.now() - this.#purged < PURGE_EVERY_MS) return;
    this.#purged = Date.now();
    await this.#run('Cannot purge expired keys', sql`delete from ${kv} as r where ${expired}`);
  }
}
