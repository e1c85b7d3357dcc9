import type { Command } from '#kernel';
import type { SqlBackend } from './backend.js';

/** `weft db migrate`: applies the SQL migrations to the configured database and says which. */
export function migrateCommand(backend: SqlBackend): Command {
  return {
    name: 'db migrate',
    summary: 'Apply the SQL migrations to the configured database (PGlite under data_dir, or database_url)',
    description: 'Databases are also migrated on first use; this does it ahead of time. A database migrated by a newer weft is refused (STORE_SCHEMA_NEWER).',
    async run({ io }) {
      const { applied } = await backend.connect();
      const where = `${backend.kind} (${backend.describe()})`;
      io.stdout(applied.length === 0 ? `${where} is up to date\n` : `${where}: applied ${applied.join(', ')}\n`);
      return 0;
    },
  };
}
