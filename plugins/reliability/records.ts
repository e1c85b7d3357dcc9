import type { CallRecord, RunEvent } from '#kernel';
import { ReliabilityErrors } from './errors.js';

/** One finished execution of a step, as the metrics see it. */
export interface StepRecord {
  run_id: string;
  pipeline: string;
  step_id: string;
  /** The step produced its own output (a recovered error output is not a success). */
  success: boolean;
  /** Its output came from `on_error: continue` or `fallback`. */
  required_compensation: boolean;
  /** A human response was given to it (a `run.resumed` naming the step). */
  required_human: boolean;
  /** Summed durations of the tool calls the step recorded (all its attempts); absent when it recorded none. */
  tool_duration_ms?: number;
  /** Milliseconds since the epoch when the step finished. */
  at: number;
  mode?: string;
  declared_mode?: string;
}

/** One run that reached an end (completed, failed or cancelled). */
export interface RunRecord {
  run_id: string;
  pipeline: string;
  success: boolean;
  /** Attempts that were followed by another attempt. */
  retries: number;
  /** Some step of the run was answered by a human. */
  required_human: boolean;
  /** Projected runs always have the next three; records from user code may leave them out. */
  duration_ms?: number;
  /** Model tokens (prompt and completion) of the calls its steps recorded. */
  tokens?: number;
  /** What those calls cost in USD. */
  cost_usd?: number;
  /** Milliseconds since the epoch when the run started. */
  at: number;
}

/** What one run's events contribute to the metrics. */
export interface RunRecords {
  run?: RunRecord;
  steps: StepRecord[];
}


/** What a projection needs besides the events. */
export interface ProjectOptions {
  /** Each step's declared mode (the pipeline file's `mode`), by step id. */
  modes?: Readonly<Record<string, string>>;
  /** A call's cost in USD (priced from its usage and model when it does not carry one). */
  price?: (call: CallRecord) => number;
  /** Whether a tool call is a write (in an `explore` step it is a mode violation). */
  isWrite?: (tool: string) => boolean;
}

const addTo = (sums: Map<string, number>, key: string, ms: number): void => {
  sums.set(key, (sums.get(key) ?? 0) + ms);
};

/** Projects one run's events into its step records and, once it ended, its run record. */
export function project(events: readonly RunEvent[], options: ProjectOptions = {}): RunRecords {
  const started = events.find((e) => e.type === 'run.started');
  if (started?.type !== 'run.started') return { steps: [] };
  const pipeline = started.pipeline;
  const answered = new Set<string>();
  for (const e of events) if (e.type === 'run.resumed' && e.response !== undefined && e.step_id !== undefined) answered.add(e.step_id);
  const steps: StepRecord[] = [];
  // A failure that on_error continue/fallback then recovered is one compensated step, not two.
  const failedAt = new Map<string, number>();
  let retries = 0;
  let tokens = 0;
  let cost = 0;
  // Steps that stepped outside their declared mode: refused by the enforcer, or an explore step that called a writing tool.
  const violated = new Set<string>();
  const toolTime = new Map<string, number>();
  const modes = options.modes ?? {};
  for (const e of events) {
    if (e.type === 'call.recorded') {
      tokens += (e.call.usage?.input_tokens ?? 0) + (e.call.usage?.output_tokens ?? 0);
      cost += e.call.cost_usd ?? options.price?.(e.call) ?? 0;
      if (e.call.kind === 'tool') addTo(toolTime, `${e.step_id}#${e.iteration}`, e.call.duration_ms);
      if (e.call.kind === 'tool' && modes[e.step_id] === 'explore' && options.isWrite?.(e.call.name)) violated.add(`${e.step_id}#${e.iteration}`);
      continue;
    }
    if (e.type === 'step.failed' && e.error.code === ReliabilityErrors.MODE_VIOLATION) violated.add(`${e.step_id}#${e.iteration}`);
    if (e.type === 'step.failed' && e.will_retry) retries++;
    const final = e.type === 'step.completed' || (e.type === 'step.failed' && !e.will_retry);
    if (!final) continue;
    const key = `${e.step_id}#${e.iteration}`;
    const recovered = e.type === 'step.completed' && e.recovered !== undefined;
    const replaced = recovered ? failedAt.get(key) : undefined;
    if (replaced !== undefined) steps.splice(replaced, 1);
    if (e.type === 'step.failed') failedAt.set(key, steps.length);
    const record: StepRecord = { run_id: e.run_id, pipeline, step_id: e.step_id, success: e.type === 'step.completed' && !recovered, required_compensation: recovered, required_human: answered.has(e.step_id), at: e.at };
    const toolMs = toolTime.get(key);
    if (toolMs !== undefined) record.tool_duration_ms = toolMs;
    const declared = modes[e.step_id];
    if (declared !== undefined) Object.assign(record, { declared_mode: declared, mode: violated.has(key) ? 'execute' : declared });
    steps.push(record);
  }
  const end = events.findLast((e) => e.type === 'run.completed' || e.type === 'run.failed' || e.type === 'run.cancelled');
  if (end === undefined) return { steps };
  return { steps, run: { run_id: started.run_id, pipeline, success: end.type === 'run.completed', retries, required_human: answered.size > 0, duration_ms: end.at - started.at, tokens, cost_usd: cost, at: started.at } };
}
