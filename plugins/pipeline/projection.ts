import type { JsonObject, RunError, RunEvent, RunResult, RunStatus, StepRun } from '#kernel';

interface OpenRun {
  step_id: string;
  iteration: number;
  status: StepRun['status'];
  at: number;
  duration_ms: number;
  attempts: number;
  error?: RunError;
}

let lastMs = Number.NaN;
let lastIso = '';

/** ISO time of `ms`, memoised: the steps of a fast run mostly start within the same millisecond. */
function iso(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/**
 * The run result as a projection of the event log (spec §7). The engine feeds it every event as it
 * is emitted; `weft runs show` and resume feed it stored events.
 */
export class RunProjection {
  run_id = '';
  pipeline = '';
  status: RunStatus = 'running';
  input: JsonObject = {};
  parameters: JsonObject = {};
  readonly steps: Record<string, JsonObject> = {};
  readonly execution_path: string[] = [];
  readonly runs: OpenRun[] = [];
  readonly #open = new Map<string, OpenRun>();
  output: unknown = null;
  error: RunError | null = null;
  /** Output of the step that finished last. */
  last: JsonObject | undefined;

  /** Folds one event into the projection. */
  apply(event: RunEvent): void {
    switch (event.type) {
      case 'run.started':
        this.run_id = event.run_id;
        this.pipeline = event.pipeline;
        this.input = event.input;
        this.parameters = event.parameters;
        return;
      case 'step.started': {
        const key = `${event.step_id}:${event.iteration}`;
        const open = this.#open.get(key);
        if (open) {
          open.attempts = event.attempt;
          open.status = 'running';
          return;
        }
        const record: OpenRun = { step_id: event.step_id, iteration: event.iteration, status: 'running', at: event.at, duration_ms: 0, attempts: event.attempt };
        this.#open.set(key, record);
        this.runs.push(record);
        this.execution_path.push(event.step_id);
        return;
      }
      case 'step.completed': {
        const record = this.#open.get(`${event.step_id}:${event.iteration}`);
        if (record) {
          record.status = 'completed';
          record.duration_ms += event.duration_ms;
          // Errors of earlier attempts are history once an attempt succeeds; a recovery keeps its error.
          if (!event.recovered) delete record.error;
        }
        this.steps[event.step_id] = event.output;
        this.last = event.output;
        return;
      }
      case 'step.failed': {
        const record = this.#open.get(`${event.step_id}:${event.iteration}`);
        if (record) {
          record.status = 'failed';
          record.duration_ms += event.duration_ms;
          record.error = event.error;
        }
        return;
      }
      case 'run.suspended':
        this.status = 'waiting_for_input';
        return;
      case 'run.resumed':
        this.status = 'running';
        this.error = null;
        this.output = null;
        return;
      case 'run.completed':
        this.status = 'completed';
        this.output = event.output;
        return;
      case 'run.failed':
        this.status = 'failed';
        this.error = event.error;
        this.output = event.output;
        return;
      case 'run.cancelled':
        this.status = 'cancelled';
        this.error = { code: 'PIPELINE_CANCELLED', message: event.reason };
        return;
      default:
        return;
    }
  }

  /** The spec §7 result object. */
  result(): RunResult {
    return {
      run_id: this.run_id,
      pipeline: this.pipeline,
      status: this.status === 'running' ? 'failed' : this.status,
      input: this.input,
      parameters: this.parameters,
      steps: this.steps,
      output: this.output,
      execution_path: this.execution_path,
      step_runs: this.runs.map((r) => ({
        step_id: r.step_id,
        iteration: r.iteration,
        status: r.status,
        started_at: iso(r.at),
        duration_ms: r.duration_ms,
        attempts: r.attempts,
        ...(r.error ? { error: r.error } : {}),
      })),
      error: this.error,
    };
  }
}

/** Rebuilds a result from a stored event log. */
export function project(events: Iterable<RunEvent>): RunProjection {
  const projection = new RunProjection();
  for (const event of events) projection.apply(event);
  return projection;
}
