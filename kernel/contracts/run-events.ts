/**
 * The run event model: a pipeline run is an append-only list of these events. Every projection
 * (result, checkpoints, HITL, reliability, telemetry) is derived from them.
 */

/** JSON-serialisable value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A plain object of JSON values: what steps take and return. */
export type JsonObject = { [key: string]: unknown };

/** Final and intermediate run statuses. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'waiting_for_input' | 'cancelled';

/** A coded error as it appears in events and results. */
export interface RunError {
  code: string;
  message: string;
  step_id?: string;
  retryable?: boolean;
  [key: string]: unknown;
}

interface EventBase {
  run_id: string;
  /** 1-based position in the run's log. */
  seq: number;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface RunStartedEvent extends EventBase {
  type: 'run.started';
  pipeline: string;
  version: string;
  input: JsonObject;
  parameters: JsonObject;
  /** Path of the pipeline file, when the run came from one (resume reloads it), or the file a catalogue pipeline was imported from. */
  file?: string;
  /**
   * SHA-256 of the canonical JSON of the pipeline document the run started with: resume refuses a
   * file whose content no longer hashes to it. Absent in runs stored before it was recorded.
   */
  hash?: string;
  /** The catalogue revision the pipeline came from (`weft run name[@version]`): resume loads exactly that revision. */
  catalog?: CatalogRef;
}

/** A revision of a pipeline in the catalogue. */
export interface CatalogRef {
  name: string;
  revision: number;
}

export interface StepStartedEvent extends EventBase {
  type: 'step.started';
  step_id: string;
  iteration: number;
  attempt: number;
  input: JsonObject;
}

export interface StepCompletedEvent extends EventBase {
  type: 'step.completed';
  step_id: string;
  iteration: number;
  attempt: number;
  output: JsonObject;
  duration_ms: number;
  /** Set when the output is an error object recorded by `on_error: continue` or came from `fallback`. */
  recovered?: 'continue' | 'fallback';
  /** Set when the output was supplied by a `beforeStep` tap (replay) instead of running the step. */
  replayed?: boolean;
}

export interface StepFailedEvent extends EventBase {
  type: 'step.failed';
  step_id: string;
  iteration: number;
  attempt: number;
  error: RunError;
  duration_ms: number;
  /** True when another attempt follows. */
  will_retry: boolean;
  delay_ms?: number;
}

/** One transition's evaluation after a step finished. */
export interface RouteEvaluation {
  to: string;
  held: boolean;
  /** The values that decided the condition (source value, expected value, operator …). */
  values?: JsonObject;
  back_edge?: boolean;
}

export interface RouteDecidedEvent extends EventBase {
  type: 'route.decided';
  step_id: string;
  iteration: number;
  evaluated: RouteEvaluation[];
  /** Targets taken, in declaration order. */
  taken: string[];
}

export interface RunSuspendedEvent extends EventBase {
  type: 'run.suspended';
  step_id: string;
  iteration: number;
  request: JsonObject;
  /**
   * Set when the step is still waiting on an earlier suspension (the seq of that run.suspended):
   * another step of the run was answered and the run stopped again without asking anew, so the
   * question, its id and its deadline are those of the earlier event.
   */
  continues?: number;
}

export interface RunResumedEvent extends EventBase {
  type: 'run.resumed';
  /** Set when the run resumes a suspended step with a human response. */
  step_id?: string;
  response?: JsonObject;
  actor?: string;
  interaction_id?: string;
}

/** A call a step made to a model or a tool, as the step reported it through `ctx.record`. */
export interface CallRecord {
  kind: 'llm' | 'tool';
  /** The tool's name, or the model provider's. */
  name: string;
  model?: string;
  input?: unknown;
  output?: unknown;
  success: boolean;
  error?: string;
  duration_ms: number;
  /** Token counts of a model call. */
  usage?: { input_tokens: number; output_tokens: number };
  /** What the call cost, when the caller knows it; otherwise it is priced from `usage` and `model`. */
  cost_usd?: number;
}

export interface CallRecordedEvent extends EventBase {
  type: 'call.recorded';
  step_id: string;
  iteration: number;
  attempt: number;
  call: CallRecord;
}

export interface RunCompletedEvent extends EventBase {
  type: 'run.completed';
  output: unknown;
}

export interface RunFailedEvent extends EventBase {
  type: 'run.failed';
  error: RunError;
  output: unknown;
}

export interface RunCancelledEvent extends EventBase {
  type: 'run.cancelled';
  reason: string;
}

/** Any run event. */
export type RunEvent =
  | RunStartedEvent
  | StepStartedEvent
  | StepCompletedEvent
  | StepFailedEvent
  | RouteDecidedEvent
  | RunSuspendedEvent
  | RunResumedEvent
  | CallRecordedEvent
  | RunCompletedEvent
  | RunFailedEvent
  | RunCancelledEvent;

/** The type tag of a run event. */
export type RunEventType = RunEvent['type'];

/** One execution of a step in the result. */
export interface StepRun {
  step_id: string;
  iteration: number;
  status: 'running' | 'completed' | 'failed';
  started_at: string;
  duration_ms: number;
  attempts: number;
  error?: RunError;
}

/** The result of a run (spec §7). */
export interface RunResult {
  run_id: string;
  pipeline: string;
  status: Exclude<RunStatus, 'running'>;
  input: JsonObject;
  parameters: JsonObject;
  steps: Record<string, JsonObject>;
  output: unknown;
  execution_path: string[];
  step_runs: StepRun[];
  error: RunError | null;
}

/** What every `pipeline.event` tap receives beside the event: the run's identity and definition. */
export interface RunMeta {
  run_id: string;
  pipeline: string;
  version: string;
  /** Path of the pipeline file, when it came from one. */
  file?: string;
  /** The pipeline document as written (its `slo`, `metadata` … blocks are here). */
  definition: JsonObject;
}

/** A step about to be invoked, as `pipeline.beforeStep` taps see it. */
export interface StepInvocation {
  run: RunMeta;
  step_id: string;
  iteration: number;
  attempt: number;
  input: JsonObject;
}

/**
 * Returned by a `pipeline.beforeStep` tap: `output` supplies the step's output without running it
 * (replay); `halt` fails the step and the run with that error, past retries and `on_error`
 * (a spent budget). Throwing from the tap fails the step as if the step had thrown.
 */
export type StepOverride = { output: JsonObject; halt?: undefined } | { halt: RunError; output?: undefined };
