// Rules of the store contracts that every backend applies before it writes, shared so that the
// memory, SQL and Redis backends refuse the same things with the same errors.
import { StoreErrors, WeftError } from '../errors.js';
import type { RunEvent, RunEventType, RunStatus } from './run-events.js';
import type { MessageRole } from './stores.js';

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
