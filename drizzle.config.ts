import { defineConfig } from 'drizzle-kit';

/** drizzle-kit configuration: one PostgreSQL schema shared by PGlite and postgres.js. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './plugins/*/schema.ts',
  out: './drizzle',
  dbCredentials: { url: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test' },
});
