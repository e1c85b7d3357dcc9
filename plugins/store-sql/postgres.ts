import { maskUrl } from '#kernel';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SqlDatabase } from './database.js';

/** Options of {@link openPostgres}. */
export interface PostgresOptions {
  /** PostgreSQL schema weft's tables live in (the connection's search_path); default the server's. */
  schema?: string | undefined;
  /** How long a connection attempt may take before the store reports STORE_UNAVAILABLE. */
  connectTimeoutMs: number;
  /**
   * Named prepared statements (default true: an append's planning costs more than running it).
   * False for a pooler in transaction mode (pgbouncer), where a session's statements are not kept.
   */
  prepare?: boolean;
}

/** `query`, or a CONNECT_TIMEOUT failure (a connection failure to the store) after `ms`. */
async function answered(query: PromiseLike<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no PostgreSQL answer within ${ms} ms`), { code: 'CONNECT_TIMEOUT' })), ms);
  });
  try {
    await Promise.race([query, late]);
  } finally {
    clearTimeout(timer);
  }
}

// Any constant would do: weft processes migrating one database take turns on it.
const MIGRATION_LOCK = 0x77656674;

/**
 * Connects to a PostgreSQL server through postgres.js and asks it one `select 1`, answered within
 * the connect timeout or failed: postgres.js bounds only the TCP connection, so a server that
 * answers in another protocol (an HTTP proxy, the wrong port) would otherwise leave the first
 * statement waiting forever.
 */
export async function openPostgres(url: string, options: PostgresOptions): Promise<SqlDatabase> {
  const [{ default: postgres }, { drizzle }, { migrate }] = await Promise.all([import('postgres'), import('drizzle-orm/postgres-js'), import('drizzle-orm/postgres-js/migrator')]);
  const settings = {
    connect_timeout: options.connectTimeoutMs / 1000,
    // The migrator's CREATE … IF NOT EXISTS statements raise notices postgres.js would print.
    onnotice: () => {},
    ...(options.schema === undefined ? {} : { connection: { search_path: options.schema } }),
  };
  const prepare = options.prepare ?? true;
  const client = postgres(url, { ...settings, prepare });
  await answered(client`select 1`, options.connectTimeoutMs).catch(async (e: unknown) => {
    await client.end({ timeout: 0 });
    throw e;
  });
  const db = drizzle({ client });
  const dialect = new PgDialect();
  return {
    kind: 'postgres',
    where: maskUrl(url),
    db,
    // Prepared (once per connection): the append statement's planning costs more than running it.
    async rows(query) {
      const { sql: text, params } = dialect.sqlToQuery(query);
      return [...(await client.unsafe(text, params as never[], { prepare }))];
    },
    async exclusive(work) {
      // One connection of its own holding a session lock, released when the connection ends.
      const single = drizzle({ client: postgres(url, { ...settings, max: 1 }) });
      try {
        await single.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
        return await work({ rows: async (query) => [...(await single.execute(query))], migrate: (config) => migrate(single, config) });
      } finally {
        await single.$client.end();
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}
