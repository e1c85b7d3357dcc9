import { join, resolve } from 'node:path';
import { definePlugin, maskUrl } from '#kernel';
import { SqlBackend } from './backend.js';
import { migrateCommand } from './command.js';
import { migrationsFolder } from './migrations.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

/** Configuration of the store-sql plugin (`plugins.store-sql`). */
export interface StoreSqlConfig {
  /** PostgreSQL schema for weft's tables and its migrations table (database_url only). */
  schema?: string;
  /** How long connecting to PostgreSQL may take before stores fail with STORE_UNAVAILABLE. */
  connect_timeout_ms: number;
  prepare: boolean;
}

export { SqlBackend } from './backend.js';
export type { Connected, SqlBackendOptions } from './backend.js';

/**
 * SQL storage on drizzle-orm with one schema: embedded PGlite under `<data_dir>/pglite` by
 * default, PostgreSQL through postgres.js when `database_url` is set. Connects and migrates on
 * first use; `weft db migrate` migrates ahead of time.
 */
export default definePlugin<StoreSqlConfig>({
  name: 'store-sql',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['storage'],
  description: 'SQL storage: embedded PGlite under data_dir, or PostgreSQL at database_url',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      schema: { type: 'string', pattern: '^[a-z_][a-z0-9_]*$', description: 'PostgreSQL schema for weft’s tables and migrations table (database_url only); default the server’s search_path and drizzle' },
      connect_timeout_ms: { type: 'integer', minimum: 1, default: 5000, description: 'How long connecting to PostgreSQL may take' },
      prepare: { type: 'boolean', default: true, description: 'Use named prepared statements (database_url only); false behind a transaction-mode pooler such as pgbouncer' },
    },
  },
  setup(ctx) {
    const url = ctx.kernelConfig.database_url;
    const migrations = migrationsFolder();
    const dir = join(ctx.kernelConfig.data_dir, 'pglite');
    const backend =
      url === undefined
        ? new SqlBackend({ kind: 'pglite', where: dir, migrations, open: () => openPglite(resolve(ctx.cwd, dir), dir) })
        : new SqlBackend({
            kind: 'postgres',
            where: maskUrl(url),
            migrations,
            migrationsSchema: ctx.config.schema,
            open: () => openPostgres(url, { schema: ctx.config.schema, connectTimeoutMs: ctx.config.connect_timeout_ms, prepare: ctx.config.prepare }),
          });
    ctx.services.get('storage').register(backend);
    ctx.onClose(() => backend.close());
    ctx.hooks.tap('kernel.commands', (commands) => commands.add(migrateCommand(backend)));
  },
});
