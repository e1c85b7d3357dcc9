import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { StoreErrors, WeftError } from '#kernel';
import type { SqlDatabase } from './database.js';

/** drizzle's table of applied migrations (its default name). */
export const MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * The `drizzle/` folder shipped with weft: found by walking up from this module until
 * `drizzle/meta/_journal.json` exists, so it works from the sources, from dist/ and from an
 * installed package alike.
 */
export function migrationsFolder(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  while (!existsSync(join(dir, 'drizzle', 'meta', '_journal.json'))) {
    if (dirname(dir) === dir) throw new WeftError(StoreErrors.UNAVAILABLE, `No drizzle/meta/_journal.json above ${from}: the SQL migrations are missing from this installation of weft`);
    dir = dirname(dir);
  }
  return join(dir, 'drizzle');
}

/** One migration of drizzle-kit's journal. */
export interface Migration {
  tag: string;
  /** drizzle records this as `created_at` of the applied migration. */
  when: number;
}

/** The migrations in `folder`, oldest first. */
export function readJournal(folder: string): Migration[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: Migration[] };
  return journal.entries.map(({ tag, when }) => ({ tag, when }));
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  folder: string;
  /** Schema of drizzle's migrations table; default `drizzle`. */
  migrationsSchema?: string | undefined;
}

/**
 * Applies the migrations the database lacks and resolves to their tags (empty when it was up to
 * date). A database that records a migration this weft does not ship — migrated by a newer weft —
 * is refused with STORE_SCHEMA_NEWER before anything is written.
 */
export async function migrate(database: SqlDatabase, options: MigrateOptions): Promise<string[]> {
  const known = readJournal(options.folder);
  const schema = options.migrationsSchema ?? 'drizzle';
  return database.exclusive(async (session) => {
    const [{ present }] = (await session.rows(sql`select to_regclass(${`"${schema}"."${MIGRATIONS_TABLE}"`}) is not null as present`)) as [{ present: boolean }];
    const applied = present ? (await session.rows(sql`select created_at from ${sql.identifier(schema)}.${sql.identifier(MIGRATIONS_TABLE)}`)).map((r) => Number(r['created_at'])) : [];
    const unknown = applied.filter((when) => !known.some((m) => m.when === when));
    if (unknown.length > 0) {
      const stamps = unknown.map((when) => new Date(when).toISOString()).join(', ');
      throw new WeftError(StoreErrors.SCHEMA_NEWER, `The database at ${database.where} has migrations this weft does not know (made ${stamps}): a newer weft migrated it. Upgrade weft, or use another database`, { data: { where: database.where, unknown } });
    }
    const last = Math.max(0, ...applied);
    const pending = known.filter((m) => m.when > last);
    if (pending.length > 0) await session.migrate({ migrationsFolder: options.folder, migrationsSchema: schema, migrationsTable: MIGRATIONS_TABLE });
    return pending.map((m) => m.tag);
  });
}
