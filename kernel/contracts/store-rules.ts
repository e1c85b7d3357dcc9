// Rules of the store contracts that every backend applies before it writes, shared so that the
// memory, SQL and Redis backends refuse the same things with the same errors.
import { StoreErrors, WeftError } from '../errors.js';
import type { RunEvent, RunEventType, RunStatus } from './run-events.js';
import type { MessageRole, RecordDeletion, RecordQuery, StoredRecord } from './stores.js';

/** The status an event leaves its run in; other events leave it as it was. */
export const STATUS_AFTER: Partial<Record<RunEventType, RunStatus>> = {
  'run.started': 'running',
  'run.resumed': 'running',
  'run.suspended': 'waiting_for_input',
  'run.completed': 'completed',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
};

/** Refuses a batch mixing runs or without strictly increasing positive integer `seq`; returns its run id. */
export function checkBatch(events: readonly RunEvent[]): string {
  const runId = events[0]!.run_id;
  let previous = 0;
  for (const event of events) {
    if (event.run_id !== runId) throw new WeftError(StoreErrors.INVALID, `One append takes the events of one run, got "${runId}" and "${event.run_id}"`);
    if (!Number.isInteger(event.seq) || event.seq <= previous) throw new WeftError(StoreErrors.INVALID, `Events of run "${runId}" must come with increasing positive integer seq, got ${String(event.seq)} after ${previous}`);
    previous = event.seq;
  }
  return runId;
}

/**
 * `read` over `rows`; a row it finds corrupt (STORE_CORRUPT) is thrown, or, given `report`,
 * passed there and left out. Any other error is thrown.
 */
export function readRows<T, R>(rows: readonly T[], read: (row: T) => R, report?: (problem: WeftError) => void): R[] {
  const out: R[] = [];
  for (const row of rows) {
    try {
      out.push(read(row));
    } catch (e: unknown) {
      if (report === undefined || !(e instanceof WeftError) || e.code !== StoreErrors.CORRUPT) throw e;
      report(e);
    }
  }
  return out;
}

/** The error for events appended to a run whose `run.started` is not stored. */
export function notStarted(runId: string): WeftError {
  return new WeftError(StoreErrors.INVALID, `Run "${runId}" is not stored, so its log must begin with run.started`, { data: { run_id: runId } });
}

/** The error for a batch holding a `seq` the run already has. */
export function conflict(runId: string, seq: number): WeftError {
  return new WeftError(StoreErrors.CONFLICT, `Run "${runId}" already has an event with seq ${seq}; nothing of the batch was written`, { data: { run_id: runId, seq } });
}

const ROLES = new Set<string>(['user', 'assistant', 'system', 'function'] satisfies MessageRole[]);

/** Refuses a message role outside {@link MessageRole}. */
export function checkRole(role: string): void {
  if (!ROLES.has(role)) throw new WeftError(StoreErrors.INVALID, `Unknown message role "${role}": use user, assistant, system or function`);
}

/** Refuses a TTL that is not a positive finite number of seconds; returns it in milliseconds. */
export function ttlMs(seconds: number): number {
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new WeftError(StoreErrors.INVALID, `ttl_seconds must be a positive number of seconds, got ${seconds}`);
  return Math.max(1, Math.round(seconds * 1000));
}

function invalid(path: string, problem: string): WeftError {
  return new WeftError(StoreErrors.INVALID, `${path} ${problem}`, { path });
}

function checkName(value: unknown, path: string): void {
  if (typeof value !== 'string' || value === '') throw invalid(path, `must be a non-empty string, got ${JSON.stringify(value) ?? String(value)}`);
}

function checkOptionalName(value: unknown, path: string): void {
  if (value !== undefined) checkName(value, path);
}

function checkTime(value: unknown, path: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value))) throw invalid(path, `must be a finite number of milliseconds since the epoch, got ${String(value)}`);
}

/**
 * Refuses a record batch a RecordStore cannot store (see `RecordStore`), naming the first bad
 * field; returns the batch with one record per (kind, id), the last one given, each with only the
 * fields of {@link StoredRecord}.
 */
export function checkRecords(records: readonly StoredRecord[]): StoredRecord[] {
  const latest = new Map<string, StoredRecord>();
  records.forEach((record, i) => {
    const at = `records[${i}]`;
    checkName(record.kind, `${at}.kind`);
    checkName(record.id, `${at}.id`);
    if (!Number.isSafeInteger(record.at)) throw invalid(`${at}.at`, `must be an integer number of milliseconds since the epoch, got ${String(record.at)}`);
    const data: unknown = record.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid(`${at}.data`, 'must be a JSON object');
    checkOptionalName(record.pipeline, `${at}.pipeline`);
    checkOptionalName(record.run_id, `${at}.run_id`);
    // A JSON pair cannot collide: neither part is confused with the separator.
    const key = JSON.stringify([record.kind, record.id]);
    latest.delete(key);
    latest.set(key, {
      kind: record.kind,
      id: record.id,
      at: record.at,
      data: record.data,
      ...(record.pipeline === undefined ? {} : { pipeline: record.pipeline }),
      ...(record.run_id === undefined ? {} : { run_id: record.run_id }),
    });
  });
  return [...latest.values()];
}

/** Refuses a RecordStore query with a bad kind, filter, time bound or limit. */
export function checkRecordQuery(query: RecordQuery): void {
  checkName(query.kind, 'kind');
  checkTime(query.since, 'since');
  checkTime(query.until, 'until');
  checkOptionalName(query.pipeline, 'pipeline');
  checkOptionalName(query.run_id, 'run_id');
  if (query.limit !== undefined && !(Number.isSafeInteger(query.limit) && query.limit >= 0)) throw invalid('limit', `must be a non-negative integer, got ${String(query.limit)}`);
}

/** Refuses a RecordStore deletion with a bad kind, time bound or run id. */
export function checkRecordDeletion(deletion: RecordDeletion): void {
  checkName(deletion.kind, 'kind');
  checkTime(deletion.before, 'before');
  checkOptionalName(deletion.run_id, 'run_id');
}

/**
 * A store URL fit for messages: the password in its user part (`postgres://user:***@host/db`) or
 * in its query (`?password=***`) is masked. Over-masks rather than leaks.
 */
export function maskUrl(url: string): string {
  return url.replace(/^([^:/]+:\/\/[^:@/]*:).*@([^@]*)$/, '$1***@$2').replace(/([?&](?:password|passwd|pass|pwd)=)[^&#]*/gi, '$1***');
}
