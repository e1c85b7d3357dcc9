import { checkBatch, conflict, notStarted, STATUS_AFTER, type RunDeletion, type RunEvent, type RunFilter, type RunStats, type RunStatus, type RunStore, type RunSummary } from '#kernel';

interface StoredRun {
  run_id: string;
  pipeline: string;
  version: string;
  status: RunStatus;
  started: number;
  updated: number;
  /** Sorted by seq. */
  events: RunEvent[];
  /** The stored seqs, so an append checks for a clash without scanning the log. */
  seqs: Set<number>;
}

function summary(run: StoredRun): RunSummary {
  return { run_id: run.run_id, pipeline: run.pipeline, version: run.version, status: run.status, started_at: new Date(run.started).toISOString(), updated_at: new Date(run.updated).toISOString(), events: run.events.length };
}

/** Newest first; equal start times by run id, descending (as the SQL and Redis backends order them). */
function newestFirst(a: StoredRun, b: StoredRun): number {
  return b.started - a.started || (a.run_id < b.run_id ? 1 : -1);
}

/** The run store in process memory; events are deep-copied in and out. */
export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, StoredRun>();

  async append(events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    const runId = checkBatch(events);
    const stored = this.#runs.get(runId);
    const start = events.find((e) => e.type === 'run.started');
    if (!stored && !start) throw notStarted(runId);
    const clash = stored && events.find((e) => stored.seqs.has(e.seq));
    if (clash) throw conflict(runId, clash.seq);
    const run = stored ?? { run_id: runId, pipeline: start!.pipeline, version: start!.version, status: 'running', started: start!.at, updated: start!.at, events: [], seqs: new Set<number>() };
    const last = run.events.at(-1)?.seq ?? 0;
    run.events.push(...structuredClone(events));
    if (events[0]!.seq < last) run.events.sort((a, b) => a.seq - b.seq);
    for (const event of events) {
      run.seqs.add(event.seq);
      run.status = STATUS_AFTER[event.type] ?? run.status;
      run.updated = Math.max(run.updated, event.at);
    }
    this.#runs.set(runId, run);
  }

  async events(runId: string, afterSeq = 0): Promise<RunEvent[]> {
    return structuredClone((this.#runs.get(runId)?.events ?? []).filter((e) => e.seq > afterSeq));
  }

  async get(runId: string): Promise<RunSummary | undefined> {
    const run = this.#runs.get(runId);
    return run && summary(run);
  }

  async list(filter: RunFilter = {}): Promise<RunSummary[]> {
    const offset = filter.offset ?? 0;
    const matching = this.#sorted().filter((r) => (filter.status === undefined || r.status === filter.status) && (filter.pipeline === undefined || r.pipeline === filter.pipeline));
    return matching.slice(offset, filter.limit === undefined ? undefined : offset + filter.limit).map(summary);
  }

  async delete(deletion: RunDeletion = {}): Promise<number> {
    const runs = this.#sorted().filter((r) => deletion.pipeline === undefined || r.pipeline === deletion.pipeline);
    const keep = deletion.keep_latest ?? 0;
    const before = deletion.before?.getTime();
    const doomed = keep > 0 ? runs.slice(keep) : before === undefined ? runs : runs.filter((r) => r.started < before);
    for (const run of doomed) this.#runs.delete(run.run_id);
    return doomed.length;
  }

  async stats(): Promise<RunStats> {
    const stats: RunStats = { runs: 0, events: 0, by_status: {} };
    const runs = this.#sorted();
    for (const run of runs) {
      stats.runs++;
      stats.events += run.events.length;
      stats.by_status[run.status] = (stats.by_status[run.status] ?? 0) + 1;
    }
    if (runs.length > 0) {
      stats.oldest = new Date(runs.at(-1)!.started).toISOString();
      stats.newest = new Date(runs[0]!.started).toISOString();
    }
    return stats;
  }

  #sorted(): StoredRun[] {
    return [...this.#runs.values()].sort(newestFirst);
  }
}
