import { and, asc, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { checkRecordDeletion, checkRecordQuery, checkRecords, ttlMs, type RecordDeletion, type RecordQuery, type RecordStore, type StoredRecord } from '#kernel';
import { corrupt, guarded, isObject, type SqlDatabase } from './database.js';
import { records } from './schema.js';

/** A record is absent once its expiry has passed. */
const live = sql`(${records.expires_at} is null or ${records.expires_at} > now())`;

/** Equal times are ordered by id in code-point order, whatever the database's collation. */
const byId = sql`${records.id} collate "C"`;

// Expired rows are invisible to every operation; writes purge them at most this often.
const PURGE_EVERY_MS = 60_000;

/**
 * A time bound as the bigint column compares it: `at` is an integer, so `at >= 200.5` is
 * `at >= 201` and `at < 399.5` is `at < 400`; bounds beyond any storable `at` are clamped.
 */
function bound(ms: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(Number.MIN_SAFE_INTEGER, Math.ceil(ms)));
}

type RecordRow = typeof records.$inferSelect;

function toRecord(row: RecordRow): StoredRecord {
  if (!isObject(row.data)) throw corrupt('weft_records', `kind ${row.kind}, id ${row.id}`, 'the data is not a JSON object');
  return {
    kind: row.kind,
    id: row.id,
    at: row.at,
    data: row.data,
    ...(row.pipeline === null ? {} : { pipeline: row.pipeline }),
    ...(row.run_id === null ? {} : { run_id: row.run_id }),
  };
}

/** Time-stamped records on PGlite or PostgreSQL: one row per (kind, id), with an optional expiry. */
export class SqlRecordStore implements RecordStore {
  readonly #database: SqlDatabase;
  #purged = 0;

  constructor(database: SqlDatabase) {
    this.#database = database;
  }

  /**
   * One statement, so one commit: the batch goes in as one jsonb array parameter, split by
   * PostgreSQL; a stored (kind, id) is overwritten, expiry included. Times are the database's.
   */
  async put(input: readonly StoredRecord[], options: { ttl_seconds?: number } = {}): Promise<void> {
    const ms = options.ttl_seconds === undefined ? undefined : ttlMs(options.ttl_seconds);
    const batch = checkRecords(input);
    if (batch.length === 0) return;
    const expiry = ms === undefined ? sql`null::timestamptz` : sql`now() + ${ms}::bigint * interval '1 millisecond'`;
    await this.#run(`Cannot store ${batch.length} record(s) of kind "${batch[0]!.kind}"`, sql`insert into ${records} (kind, id, at, pipeline, run_id, data, expires_at)
      select r->>'kind', r->>'id', (r->>'at')::bigint, r->>'pipeline', r->>'run_id', r->'data', ${expiry}
      from jsonb_array_elements(${JSON.stringify(batch)}::jsonb) as r
      on conflict (kind, id) do update set at = excluded.at, pipeline = excluded.pipeline, run_id = excluded.run_id, data = excluded.data, expires_at = excluded.expires_at`);
    await this.#purge();
  }

  async list(query: RecordQuery): Promise<StoredRecord[]> {
    checkRecordQuery(query);
    if (query.limit === 0) return [];
    const where = and(
      eq(records.kind, query.kind),
      live,
      query.since === undefined ? undefined : gte(records.at, bound(query.since)),
      query.until === undefined ? undefined : lt(records.at, bound(query.until)),
      query.pipeline === undefined ? undefined : eq(records.pipeline, query.pipeline),
      query.run_id === undefined ? undefined : eq(records.run_id, query.run_id),
    );
    const rows = await guarded(this.#database, `Cannot list records of kind "${query.kind}"`, (db) => {
      const select = db.select().from(records).where(where);
      // The newest `limit`, read newest first and turned around.
      return query.limit === undefined ? select.orderBy(asc(records.at), asc(byId)) : select.orderBy(desc(records.at), desc(byId)).limit(query.limit).then((newest) => newest.reverse());
    });
    return rows.map(toRecord);
  }

  /** Expired rows the deletion selects go too, but only live ones are counted. */
  async delete(deletion: RecordDeletion): Promise<number> {
    checkRecordDeletion(deletion);
    const where: SQL[] = [sql`kind = ${deletion.kind}`];
    if (deletion.before !== undefined) where.push(sql`at < ${bound(deletion.before)}::bigint`);
    if (deletion.run_id !== undefined) where.push(sql`run_id = ${deletion.run_id}`);
    const rows = await this.#run(`Cannot delete records of kind "${deletion.kind}"`, sql`delete from ${records} where ${sql.join(where, sql` and `)} returning ${live} as live`);
    return rows.filter((row) => row['live'] === true).length;
  }

  #run(what: string, statement: SQL) {
    return guarded(this.#database, what, () => this.#database.rows(statement));
  }

  /** Deletes expired records, at most once a minute per store. */
  async #purge(): Promise<void> {
    if (Date.now() - this.#purged < PURGE_EVERY_MS) return;
    this.#purged = Date.now();
    await this.#run('Cannot purge expired records', sql`delete from ${records} where not ${live}`);
  }
}
