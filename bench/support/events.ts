// Run events as the engine writes them, for the storage benchmarks.
import type { RunEvent } from '../../kernel/index.js';

/** One step's events, from `seq`, with `output` as the step's output. */
export function stepEvents(run_id: string, seq: number, output: Record<string, unknown>): RunEvent[] {
  const at = Date.now();
  return [
    { type: 'step.started', run_id, seq, at, step_id: `s${seq}`, iteration: 1, attempt: 1, input: {} },
    { type: 'step.completed', run_id, seq: seq + 1, at, step_id: `s${seq}`, iteration: 1, attempt: 1, output, duration_ms: 0.05 },
    { type: 'route.decided', run_id, seq: seq + 2, at, step_id: `s${seq}`, iteration: 1, evaluated: [{ to: `s${seq + 3}`, held: true }], taken: [`s${seq + 3}`] },
  ];
}

/** The run.started event of a benchmark run. */
export const started = (run_id: string): RunEvent => ({ type: 'run.started', run_id, seq: 1, at: Date.now(), pipeline: 'bench', version: '1', input: {}, parameters: {} });
