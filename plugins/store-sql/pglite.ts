import { mkdir } from 'node:fs/promises';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Row, SqlDatabase } from './database.js';
import { lockDataDir } from './pglite-lock.js';

/** Joins protocol messages into one buffer: PGlite takes a whole exchange in one call. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Opens embedded PGlite: file-backed in `dataDir` (created when missing; a fresh directory costs
 * PostgreSQL's initdb, a few seconds), or in memory without one. PGlite is one connection in this
 * process, so `exclusive` needs no lock; a lock file keeps other processes out of the directory. The WASM module is imported only here, on first use.
 *
 * Raw statements (appends, upserts) run as named prepared statements over PGlite's wire protocol:
 * its `query()` parses and plans every call again, which for the append statement costs several
 * times the statement itself.
 */
export async function openPglite(dataDir: string | undefined, where: string): Promise<SqlDatabase> {
  const [{ PGlite, protocol, parse, types }, { drizzle }, { migrate }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite'), import('drizzle-orm/pglite/migrator')]);
  let release = async (): Promise<void> => undefined;
  if (dataDir !== undefined) {
    await mkdir(dataDir, { recursive: true });
    release = await lockDataDir(dataDir, where);
  }
  const client = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  const db = drizzle({ client });
  const dialect = new PgDialect();
  const { serialize } = protocol;
  // Like query(): no other query or transaction runs in between.
  const send = (parts: Uint8Array[]) => client.runExclusive(() => client.execProtocol(concat(parts)));
  const statements = new Map<string, Promise<string>>();
  let named = 0;
  const prepared = (text: string): Promise<string> => {
    let statement = statements.get(text);
    if (statement === undefined) {
      const name = `weft_${++named}`;
      statement = send([serialize.parse({ name, text }), serialize.sync()]).then(() => name);
      // A statement that did not parse (its table is missing, say) is parsed afresh next time.
      statement.catch(() => statements.delete(text));
      statements.set(text, statement);
    }
    return statement;
  };
  const rows: SqlDatabase['rows'] = async (query) => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    const statement = await prepared(text);
    const values = params.map((value) => (value === null ? null : String(value)));
    const { messages } = await send([serialize.bind({ statement, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
    return parse.parseResults(messages, types.parsers)[0]!.rows as Row[];
  };
  return {
    kind: 'pglite',
    where,
    db,
    rows,
    exclusive: (work) => work({ rows, migrate: (config) => migrate(db, config) }),
    close: async () => {
      await client.close();
      await release();
    },
  };
}
