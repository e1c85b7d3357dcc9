import { and, desc, eq, sql } from 'drizzle-orm';
import { StoreErrors, type CatalogEntry, type CatalogStore } from '#kernel';
import { corrupt, guarded, isObject, type SqlDatabase } from './database.js';
import { catalog } from './schema.js';

type CatalogRow = typeof catalog.$inferSelect;

function toEntry(row: CatalogRow): CatalogEntry {
  if (!isObject(row.definition)) throw corrupt('weft_catalog', `${row.name} revision ${row.revision}`, 'the definition is not a JSON object');
  return {
    name: row.name,
    revision: row.revision,
    version: row.version,
    hash: row.hash,
    definition: row.definition,
    ...(row.source === null ? {} : { source: row.source }),
    created_at: row.created_at.toISOString(),
  };
}

/** The pipeline catalogue on PGlite or PostgreSQL: one row per revision. */
export class SqlCatalogStore implements CatalogStore {
  readonly #database: SqlDatabase;

  constructor(database: SqlDatabase) {
    this.#database = database;
  }

  /**
   * One statement: the new revision is inserted only when the latest one has another hash. Two
   * writers racing for one revision number collide on the primary key; the loser reads again.
   */
  async put(entry: { name: string; version: string; hash: string; definition: Record<string, unknown>; source?: string }): Promise<{ entry: CatalogEntry; action: 'imported' | 'updated' | 'unchanged' }> {
    let rows;
    try {
      rows = await guarded(this.#database, `Cannot store pipeline "${entry.name}"`, () =>
        this.#database.rows(sql`with latest as (select revision, hash from ${catalog} where name = ${entry.name} order by revision desc limit 1)
          insert into ${catalog} (name, revision, version, hash, definition, source, created_at)
          select ${entry.name}, coalesce((select revision from latest), 0) + 1, ${entry.version}, ${entry.hash}, ${JSON.stringify(entry.definition)}::jsonb, ${entry.source ?? null}, now()
          where not exists (select 1 from latest where hash = ${entry.hash})
          returning revision`),
      );
    } catch (e: unknown) {
      if ((e as { code?: unknown }).code === StoreErrors.CONFLICT) return this.put(entry);
      throw e;
    }
    const inserted = rows[0]?.['revision'] as number | undefined;
    const stored = await this.get(entry.name, inserted);
    return { entry: stored!, action: inserted === undefined ? 'unchanged' : inserted === 1 ? 'imported' : 'updated' };
  }

  async get(name: string, revision?: number): Promise<CatalogEntry | undefined> {
    const [row] = await guarded(this.#database, `Cannot read pipeline "${name}"`, (db) =>
      db
        .select()
        .from(catalog)
        .where(and(eq(catalog.name, name), revision === undefined ? undefined : eq(catalog.revision, revision)))
        .orderBy(desc(catalog.revision))
        .limit(1),
    );
    return row && toEntry(row);
  }

  /** By name in code-point order, whatever the database's collation. */
  async list(): Promise<CatalogEntry[]> {
    const byName = sql`${catalog.name} collate "C"`;
    const rows = await guarded(this.#database, 'Cannot list pipelines', (db) => db.selectDistinctOn([byName]).from(catalog).orderBy(byName, desc(catalog.revision)));
    return rows.map(toEntry);
  }
}
