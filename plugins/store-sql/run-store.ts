import { and, asc, desc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { readRows, STATUS_AFTER, StoreErrors, WeftError, type RunDeletion, type RunEvent, type RunEventType, type RunFilter, type RunStats, type RunStatus, type RunStore, type RunSummary } from '#kernel';
import { corrupt, guarded, isObject, type SqlDatabase } from './database.js';
import { runEvents, runs } from './schema.js';

const EVENT_TYPES = new Set<string>(['run.started', 'step.started', 'step.completed', 'step.failed', 'route.decided', 'run.suspended', 'run.resumed', 'call.recorded', 'run.completed', 'run.failed', 'run.cancelled'] satisfies RunEventType[]);
const STATUSES = new Set<string>(['running', 'completed', 'failed', 'waiting_for_input', 'cancelled'] satisfies RunStatus[]);

/** The summary columns an append writes, worked out from its events. */
interface SummaryDelta {
  start: { pipeline: string; version: string; started_at: string } | undefined;
  status: RunStatus | undefined;
  updated_at: string;
}

function summarise(events: readonly RunEvent[]): SummaryDelta {
  let start: SummaryDelta['start'];
  let status: RunStatus | undefined;
  for (const event of events) {
    if (event.type === 'run.started') start = { pipeline: event.pipeline, version: event.version, started_at: new Date(event.at).toISOString() };
    status = STATUS_AFTER[event.type] ?? status;
  }
  return { start, status, updated_at: new Date(Math.max(...events.map((e) => e.at))).toISOString() };
}

function checkBatch(events: readonly RunEvent[]): void {
  const runId = events[0]!.run_id;
  let previous = 0;
  for (const event of events) {
    if (event.run_id !== runId) throw new WeftError(StoreErrors.INVALID, `One append takes the events of one run, got "${runId}" and "${event.run_id}"`);
    if (!Number.isInteger(event.seq) || event.seq <= previous) throw new WeftError(StoreErrors.INVALID, `Events of run "${runId}" must come with increasing positive integer seq, got ${String(event.seq)} after ${previous}`);
    if (!Number.isFinite(event.at)) throw new WeftError(StoreErrors.INVALID, `Event ${event.seq} of run "${runId}" has no valid time (at: ${String(event.at)})`);
    previous = event.seq;
  }
}

/**
 * The most bytes of payload one row holds, less the row's run_id and type, so a row stays within
 * one 8 kB heap page: PostgreSQL moves a MAIN value out of line only past ~8,160-byte tuples, and
 * a tuple a little too big is merely toasted, never refused. Parts as large as fit in a page pack
 * best; smaller ones leave pages part-empty.
 */
export const PART_BYTES = 8000;

/** The payload bytes one row of an event of `type` in run `runId` may hold. */
export function partBudget(runId: string, type: string): number {
  return Math.max(1024, PART_BYTES - Buffer.byteLength(runId) - Buffer.byteLength(type));
}

/**
 * `text` cut into pieces of at most `budget` UTF-8 bytes (`budget` ≥ 4), never inside a
 * character: a cut that would fall on a continuation byte backs off to the character's start.
 */
export function splitUtf8(text: string, budget: number): string[] {
  if (Buffer.byteLength(text) <= budget) return [text];
  const bytes = Buffer.from(text, 'utf8');
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = Math.min(start + budget, bytes.length);
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
    parts.push(bytes.toString('utf8', start, end));
    start = end;
  }
  return parts;
}

/** The rows of `events`: `[seq, part, type, at, payload]`, payload the JSON of the event's other fields split into parts. */
function eventRows(runId: string, events: readonly RunEvent[]): Array<[number, number, string, number, string]> {
  const rows: Array<[number, number, string, number, string]> = [];
  for (const event of events) {
    const { run_id: _run, seq, type, at, ...rest } = event;
    splitUtf8(JSON.stringify(rest), partBudget(runId, type)).forEach((text, part) => rows.push([seq, part, type, at, text]));
  }
  return rows;
}

/**
 * Appends: one statement, so one commit. The rows go in as one jsonb array parameter and are
 * split by PostgreSQL; the run's summary row is inserted (batch holds `run.started`) or updated in
 * the same statement, counting events, not parts. A run that was never started gets nothing,
 * which the caller reports.
 */
function appendStatement(runId: string, events: readonly RunEvent[], delta: SummaryDelta): SQL {
  const count = events.length;
  // run.started sets a status, so a batch holding it never inserts a null one.
  const status = delta.status ?? null;
  const summary = delta.start
    ? sql`insert into ${runs} as r (run_id, pipeline, version, status, started_at, updated_at, events)
        values (${runId}, ${delta.start.pipeline}, ${delta.start.version}, ${status}::text, ${delta.start.started_at}::timestamptz, ${delta.updated_at}::timestamptz, ${count}::integer)
        on conflict (run_id) do update set status = excluded.status, updated_at = greatest(r.updated_at, excluded.updated_at), events = r.events + excluded.events`
    : sql`update ${runs} as r set status = coalesce(${status}::text, r.status), updated_at = greatest(r.updated_at, ${delta.updated_at}::timestamptz), events = r.events + ${count}::integer
        where r.run_id = ${runId}`;
  return sql`with summary as (${summary} returning 1)
    insert into ${runEvents} (run_id, seq, part, type, at, payload)
    select ${runId}, (e->>0)::integer, (e->>1)::smallint, e->>2, (e->>3)::bigint, e->>4
    from jsonb_array_elements(${JSON.stringify(eventRows(runId, events))}::jsonb) as e
    where exists (select 1 from summary)
    returning 1 as appended`;
}

interface EventRow {
  seq: number;
  part: number;
  type: string;
  at: number;
  payload: string;
}

/**
 * The events of `rows` (ordered by seq, part): each event's parts joined and parsed. Parts not
 * numbered 0..n-1, a joined payload that is not a JSON object, or an unknown type are STORE_CORRUPT.
 */
function joinEvents(runId: string, rows: readonly EventRow[]): RunEvent[] {
  const events: RunEvent[] = [];
  for (let i = 0; i < rows.length; ) {
    const { seq, type, at } = rows[i]!;
    const where = `run_id ${runId}, seq ${seq}`;
    let text = '';
    let part = 0;
    for (; i < rows.length && rows[i]!.seq === seq; i++, part++) {
      if (rows[i]!.part !== part) throw corrupt('weft_run_events', where, `part ${rows[i]!.part} where part ${part} belongs (parts are numbered from 0 without gaps)`);
      text += rows[i]!.payload;
    }
    if (!EVENT_TYPES.has(type)) throw corrupt('weft_run_events', where, `unknown event type "${type}"`);
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      throw corrupt('weft_run_events', where, `the payload (${part} part${part === 1 ? '' : 's'} joined) is not valid JSON`);
    }
    if (!isObject(payload)) throw corrupt('weft_run_events', where, 'the payload is not a JSON object');
    // The event's own fields go onto the parsed object: copying it (a spread) costs several times the parse.
    payload['type'] = type;
    payload['run_id'] = runId;
    payload['seq'] = seq;
    payload['at'] = at;
    events.push(payload as unknown as RunEvent);
  }
  return events;
}

type SummaryRow = typeof runs.$inferSelect;

/** Runs that started together are ordered by id in code-point order, whatever the collation. */
const byRunId = sql`${runs.run_id} collate "C"`;

function toSummary(row: SummaryRow): RunSummary {
  if (!STATUSES.has(row.status)) throw corrupt('weft_runs', `run_id ${row.run_id}`, `unknown status "${row.status}"`);
  return {
    run_id: row.run_id,
    pipeline: row.pipeline,
    version: row.version,
    status: row.status as RunStatus,
    started_at: row.started_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    events: row.events,
  };
}

/** The run store on PGlite or PostgreSQL: an append-only event table (an event's payload in one or more parts) and a summary row per run. */
export class SqlRunStore implements RunStore {
  readonly #database: SqlDatabase;

  constructor(database: SqlDatabase) {
    this.#database = database;
  }

  async append(events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    checkBatch(events);
    const runId = events[0]!.run_id;
    const delta = summarise(events);
    const appended = await guarded(this.#database, `Cannot append to run "${runId}"`, () => this.#database.rows(appendStatement(runId, events, delta)));
    if (appended.length === 0) throw new WeftError(StoreErrors.INVALID, `Run "${runId}" is not stored, so its log must begin with run.started`, { data: { run_id: runId } });
  }

  async events(runId: string, afterSeq = 0): Promise<RunEvent[]> {
    const rows = await guarded(this.#database, `Cannot read run "${runId}"`, (db) =>
      db
        .select({ seq: runEvents.seq, part: runEvents.part, type: runEvents.type, at: runEvents.at, payload: runEvents.payload })
        .from(runEvents)
        .where(and(eq(runEvents.run_id, runId), gt(runEvents.seq, afterSeq)))
        .orderBy(asc(runEvents.seq), asc(runEvents.part)),
    );
    return joinEvents(runId, rows);
  }

  async get(runId: string): Promise<RunSummary | undefined> {
    const [row] = await guarded(this.#database, `Cannot read run "${runId}"`, (db) => db.select().from(runs).where(eq(runs.run_id, runId)));
    return row && toSummary(row);
  }

  async list(filter: RunFilter = {}, report?: (problem: WeftError) => void): Promise<RunSummary[]> {
    const where = and(filter.status === undefined ? undefined : eq(runs.status, filter.status), filter.pipeline === undefined ? undefined : eq(runs.pipeline, filter.pipeline));
    const rows = await guarded(this.#database, 'Cannot list runs', (db) => {
      const query = db.select().from(runs).where(where).orderBy(desc(runs.started_at), desc(byRunId)).offset(filter.offset ?? 0);
      return filter.limit === undefined ? query : query.limit(filter.limit);
    });
    return readRows(rows, toSummary, report);
  }

  async delete(deletion: RunDeletion = {}): Promise<number> {
    const pipeline = deletion.pipeline === undefined ? sql`true` : sql`pipeline = ${deletion.pipeline}`;
    const keep = deletion.keep_latest ?? 0;
    const doomed =
      keep > 0
        ? sql`select run_id from ${runs} where ${pipeline} order by started_at desc, run_id collate "C" desc offset ${keep}`
        : deletion.before === undefined
          ? sql`select run_id from ${runs} where ${pipeline}`
          : sql`select run_id from ${runs} where ${pipeline} and started_at < ${deletion.before.toISOString()}::timestamptz`;
    const deleted = await guarded(this.#database, 'Cannot delete runs', () =>
      this.#database.rows(sql`with doomed as (${doomed}), gone as (delete from ${runEvents} where run_id in (select run_id from doomed))
        delete from ${runs} where run_id in (select run_id from doomed) returning 1`),
    );
    return deleted.length;
  }

  async stats(): Promise<RunStats> {
    const rows = await guarded(this.#database, 'Cannot count runs', (db) =>
      db
        .select({ status: runs.status, runs: sql<number>`count(*)::integer`, events: sql<number>`sum(${runs.events})::integer`, oldest: sql<Date>`min(${runs.started_at})`.mapWith(runs.started_at), newest: sql<Date>`max(${runs.started_at})`.mapWith(runs.started_at) })
        .from(runs)
        .groupBy(runs.status),
    );
    const stats: RunStats = { runs: 0, events: 0, by_status: {} };
    for (const row of rows) {
      stats.runs += row.runs;
      stats.events += row.events;
      stats.by_status[row.status as RunStatus] = row.runs;
      if (stats.oldest === undefined || row.oldest.toISOString() < stats.oldest) stats.oldest = row.oldest.toISOString();
      if (stats.newest === undefined || row.newest.toISOString() > stats.newest) stats.newest = row.newest.toISOString();
    }
    return stats;
  }
}
