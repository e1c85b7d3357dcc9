import type { SQL } from 'drizzle-orm';
import type { MigrationConfig } from 'drizzle-orm/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { StoreErrors, WeftError } from '#kernel';

/** A drizzle database of either driver: the stores use only what both share. */
export type Db = PgDatabase<PgQueryResultHKT>;

/** A raw row: column name → value as the driver returns it. */
export type Row = Record<string, unknown>;

/** Runs statements on one connection, for migrating. */
export interface MigrationSession {
  rows(query: SQL): Promise<Row[]>;
  /** drizzle-orm's migrator for this driver. */
  migrate(config: MigrationConfig): Promise<void>;
}

/** A connected database: PGlite in-process or a PostgreSQL server through postgres.js. */
export interface SqlDatabase {
  readonly kind: 'pglite' | 'postgres';
  /** Where the data lives: the data directory, or the URL with its password masked. */
  readonly where: string;
  readonly db: Db;
  /** The rows of a raw statement (the drivers shape raw results differently). */
  rows(query: SQL): Promise<Row[]>;
  /** Runs `work` on one connection that no other weft process migrates at the same time. */
  exclusive<T>(work: (session: MigrationSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}


// Failures that mean the server cannot be used right now: connection classes (08, 57P0x shutdown,
// 53 resources, 28 authentication, 3D no such database) and the socket or client codes of Node and
// postgres.js.
const UNAVAILABLE = /^(08|57P0|53|28|3D)|^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|CONNECT_TIMEOUT|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED)$/;

/** The SQLSTATE or socket code of a failure; drizzle wraps the driver's error as `cause`. */
function failureCode(e: unknown): string | undefined {
  for (let at: unknown = e; typeof at === 'object' && at !== null; at = (at as { cause?: unknown }).cause) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** The driver's own message (drizzle's wrapper repeats the query and its parameters). */
function driverMessage(e: unknown): string {
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : (e as Error).message;
}

/**
 * Turns a driver failure into a store error: a duplicate key is STORE_CONFLICT, a value the
 * database refuses is STORE_INVALID, a server it cannot reach is STORE_UNAVAILABLE (naming where,
 * password masked). Anything else is returned as it is.
 */
export function storeFailure(e: unknown, where: string, what: string): unknown {
  if (e instanceof WeftError) return e;
  const code = failureCode(e) ?? '';
  const reason = driverMessage(e);
  if (code === '23505') return new WeftError(StoreErrors.CONFLICT, `${what}: ${reason}`, { cause: e });
  if (/^2[23]/.test(code)) return new WeftError(StoreErrors.INVALID, `${what}: ${reason}`, { cause: e });
  if (UNAVAILABLE.test(code)) return new WeftError(StoreErrors.UNAVAILABLE, `The database at ${where} is not available (${what}): ${reason}`, { cause: e, data: { where } });
  return e;
}

/** Runs one store operation and maps its failure with {@link storeFailure}. */
export async function guarded<T>(database: SqlDatabase, what: string, work: (db: Db) => Promise<T>): Promise<T> {
  try {
    return await work(database.db);
  } catch (e: unknown) {
    throw storeFailure(e, database.where, what);
  }
}

/** A STORE_CORRUPT error about a stored row weft cannot read. */
export function corrupt(table: string, key: string, problem: string): WeftError {
  return new WeftError(StoreErrors.CORRUPT, `A row in ${table} (${key}) is corrupt: ${problem}; repair or delete it`, { data: { table, key } });
}

/** Whether a jsonb value read back is a plain object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
