import { StoreErrors, WeftError, type CatalogStore, type KeyValueStore, type MemoryStore, type RecordStore, type RunStore, type StoreBackend } from '#kernel';
import { SqlCatalogStore } from './catalog-store.js';
import { storeFailure, type SqlDatabase } from './database.js';
import { SqlKeyValueStore } from './kv-store.js';
import { SqlMemoryStore } from './memory-store.js';
import { migrate } from './migrations.js';
import { SqlRecordStore } from './record-store.js';
import { SqlRunStore } from './run-store.js';

/** What {@link SqlBackend} needs to know about its database. */
export interface SqlBackendOptions {
  kind: 'pglite' | 'postgres';
  /** Where the data lives, for `describe()` and errors (password masked). */
  where: string;
  /** Opens the driver; called on first use, and again after a failed attempt. */
  open: () => Promise<SqlDatabase>;
  /** The drizzle/ folder. */
  migrations: string;
  /** Schema of drizzle's migrations table; default `drizzle`. */
  migrationsSchema?: string | undefined;
}

/** An open database and the migrations opening it applied. */
export interface Connected {
  database: SqlDatabase;
  applied: string[];
}

/**
 * The SQL storage backend: connects and migrates on first use of any store, once; a failed attempt
 * is reported as a store error and the next use tries again.
 */
export class SqlBackend implements StoreBackend {
  readonly kind: 'pglite' | 'postgres';
  readonly #options: SqlBackendOptions;
  #connecting: Promise<Connected> | undefined;
  #closed = false;

  constructor(options: SqlBackendOptions) {
    this.kind = options.kind;
    this.#options = options;
  }

  describe(): string {
    return this.#options.where;
  }

  /** Opens and migrates the database, once; resolves to it and to the migrations that applied. */
  connect(): Promise<Connected> {
    // A late caller must not open a connection nobody will close (it would keep the process alive).
    if (this.#closed) return Promise.reject(new WeftError(StoreErrors.UNAVAILABLE, `The ${this.kind} database at ${this.#options.where} is closed`, { data: { where: this.#options.where } }));
    this.#connecting ??= this.#connect().catch((e: unknown) => {
      this.#connecting = undefined;
      throw e;
    });
    return this.#connecting;
  }

  async runs(): Promise<RunStore> {
    return new SqlRunStore((await this.connect()).database);
  }

  async memory(): Promise<MemoryStore> {
    return new SqlMemoryStore((await this.connect()).database);
  }

  async kv(): Promise<KeyValueStore> {
    return new SqlKeyValueStore((await this.connect()).database);
  }

  async catalog(): Promise<CatalogStore> {
    return new SqlCatalogStore((await this.connect()).database);
  }

  async records(): Promise<RecordStore> {
    return new SqlRecordStore((await this.connect()).database);
  }

  /** Closes the connection, if one was opened. */
  async close(): Promise<void> {
    this.#closed = true;
    const connecting = this.#connecting;
    this.#connecting = undefined;
    // A failed connection attempt has nothing to close.
    const connected = await connecting?.catch(() => undefined);
    await connected?.database.close();
  }

  async #connect(): Promise<Connected> {
    const { where, migrations, migrationsSchema } = this.#options;
    let database: SqlDatabase | undefined;
    try {
      database = await this.#options.open();
      return { database, applied: await migrate(database, { folder: migrations, migrationsSchema }) };
    } catch (e: unknown) {
      await database?.close();
      const failure = storeFailure(e, where, 'connecting');
      throw failure instanceof WeftError ? failure : new WeftError(StoreErrors.UNAVAILABLE, `Cannot open the ${this.kind} database at ${where}: ${(e as Error).message}`, { cause: e, data: { where } });
    }
  }
}
