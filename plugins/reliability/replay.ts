import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  WeftError,
  toWeftError,
  type HookRegistrar,
  type JsonObject,
  type RunError,
  type RunEvent,
  type RunStartedEvent,
  type Services,
  type StepImplementation,
  type StepInvocation,
  type StepOverride,
} from '#kernel';
import { ReliabilityErrors } from './errors.js';
import { compareRuns, sameJson, type Difference, type Outcome } from './replay-diff.js';

export type { Difference, Outcome, Significance } from './replay-diff.js';

/**
 * strict: no step runs for real; a step without a recorded outcome is vetoed. simulated: steps
 * without one run for real. counterfactual: a step runs for real unless its input equals the
 * recorded one; every difference is expected.
 */
export type ReplayMode = 'strict' | 'simulated' | 'counterfactual';

/** The replay modes, in the order help text lists them. */
export const REPLAY_MODES: readonly ReplayMode[] = ['strict', 'simulated', 'counterfactual'];

/** Prefix of replay run ids, so stored replay runs can be told apart from real ones. */
export const REPLAY_RUN_PREFIX = 'replay-';

type Pipeline = Services['pipeline'];

/** What a replay needs: the pipeline service (with the replay tap installed on its hooks) and the stored events of a run. */
export interface ReplayDeps {
  pipeline: Pick<Pipeline, 'run' | 'project' | 'hooks' | 'recorded'>;
  events(runId: string): Promise<RunEvent[]>;
  /** Told every verdict, the replay success rate's measurements. */
  outcome?(result: ReplayResult): Promise<void>;
}

/** How to replay. */
export interface ReplayOptions {
  mode: ReplayMode;
  /**
   * The pipeline to replay with (a changed file or definition); default the one the run started
   * with: its catalogue revision, or its file while unchanged (PIPELINE_RESUME_CHANGED otherwise).
   */
  pipeline?: Parameters<Pipeline['run']>[0];
  /** Counterfactual only: the input to run with instead of the recorded one. */
  input?: JsonObject;
  /** Step implementations by class name, as for a run. */
  steps?: Record<string, StepImplementation> | ReadonlyMap<string, StepImplementation>;
}

/** A replay's verdict (reference §3.6). */
export interface ReplayResult {
  mode: ReplayMode;
  /** The recorded run and its pipeline. */
  run_id: string;
  pipeline: string;
  replay_run_id: string;
  /** The replay ran and nothing critical differs. */
  success: boolean;
  /** Successful and without any difference. */
  exact_match: boolean;
  differences: Difference[];
  original_outcome: Outcome;
  /** Null when the replay could not run (see `error`). */
  replayed_outcome: Outcome | null;
  duration_ms: number;
  /** Why the replay could not run (the pipeline would not load …). */
  error?: RunError;
}

/** A step invocation's recorded outcome: its output, or the error it finally failed with. */
type Recording = { input: JsonObject; output: JsonObject } | { input: JsonObject; error: RunError };

interface Session {
  mode: ReplayMode;
  recorded: Map<string, Recording>;
}

// Replays in progress by replay run id; the tap serves only these runs. Run ids are unique, so
// kernels sharing this module never see each other's sessions.
const sessions = new Map<string, Session>();
// The beforeStep hooks the tap is installed on: a replay through any other would run every step.
const tapped = new WeakSet<object>();

function recordingOf(events: readonly RunEvent[]): Map<string, Recording> {
  const inputs = new Map<string, JsonObject>();
  const recorded = new Map<string, Recording>();
  for (const e of events) {
    if (e.type === 'step.started') inputs.set(`${e.step_id}#${e.iteration}`, e.input);
    else if (e.type === 'step.completed' || (e.type === 'step.failed' && !e.will_retry)) {
      const key = `${e.step_id}#${e.iteration}`;
      // A completion or final failure always follows its step's start, so the input is known.
      const input = inputs.get(key)!;
      recorded.set(key, e.type === 'step.completed' ? { input, output: e.output } : { input, error: e.error });
    }
  }
  return recorded;
}

/** Thrown by the tap; never retried, since a retry would meet the same recording. */
function refusal(code: string, message: string, data: JsonObject): WeftError {
  return Object.assign(new WeftError(code, message, { data }), { retryable: false });
}

/**
 * The `pipeline.beforeStep` tap. Runs that are not replays leave at the first lookup (no
 * allocation). In a replay, a recorded output stands in for the step, a recorded failure is
 * reproduced, and a step without a recorded outcome is vetoed (strict) or runs (otherwise).
 */
function serve(invocation: StepInvocation): StepOverride | undefined {
  const session = sessions.get(invocation.run.run_id);
  if (session === undefined) return undefined;
  const { step_id, iteration } = invocation;
  const recording = session.recorded.get(`${step_id}#${iteration}`);
  const usable = recording !== undefined && (session.mode !== 'counterfactual' || sameJson(recording.input, invocation.input));
  if (!usable) {
    if (session.mode !== 'strict') return undefined;
    throw refusal(ReliabilityErrors.REPLAY_UNRECORDED_STEP, `Step "${step_id}" #${iteration} has no recorded outcome, and a strict replay runs no step for real; replay with --mode simulated to run it`, { step_id, iteration });
  }
  if ('output' in recording) return { output: recording.output };
  throw refusal(recording.error.code, recording.error.message, { step_id, iteration, replayed: true });
}

/** Installs the replay tap on `pipeline.beforeStep` (named after the plugin whose registrar this is). */
export function installReplayTap(hooks: HookRegistrar): void {
  hooks.tap('pipeline.beforeStep', serve);
  tapped.add(hooks.get('pipeline.beforeStep'));
}

/**
 * Replays a stored run as a new run (`replay-<uuid>`) with the recorded input and parameters,
 * through the recorded pipeline file or `options.pipeline`, and compares the two. Recorded outputs
 * stand in for the steps, so nothing with side effects runs unless the mode lets it.
 */
export async function replay(deps: ReplayDeps, runId: string, options: ReplayOptions): Promise<ReplayResult> {
  const { mode } = options;
  if (!REPLAY_MODES.includes(mode)) throw new WeftError(ReliabilityErrors.REPLAY_OPTION_INVALID, `--mode must be one of ${REPLAY_MODES.join(', ')}, not "${String(mode)}"`, { path: '--mode' });
  if (options.input !== undefined && mode !== 'counterfactual') throw new WeftError(ReliabilityErrors.REPLAY_OPTION_INVALID, `--input applies to counterfactual replays only; add --mode counterfactual`, { path: '--input' });
  if (!tapped.has(deps.pipeline.hooks['pipeline.beforeStep'])) {
    throw new WeftError(ReliabilityErrors.REPLAY_NOT_INSTALLED, 'The replay tap is not installed on this pipeline service; call installReplayTap(ctx.hooks) in a plugin setup first');
  }
  const events = await deps.events(runId);
  // A stored log always opens with its run.started event.
  const started = events[0] as RunStartedEvent;
  if (options.pipeline === undefined && started.file === undefined && started.catalog === undefined) throw new WeftError(ReliabilityErrors.REPLAY_NO_PIPELINE, `Run ${runId} names no pipeline file or catalogue revision; pass the pipeline to replay it with (--pipeline <file>)`, { data: { run_id: runId } });
  const original = { events, outcome: outcomeOf(deps.pipeline.project(events)) };
  const replayRunId = `${REPLAY_RUN_PREFIX}${randomUUID()}`;
  const base = { mode, run_id: runId, pipeline: started.pipeline, replay_run_id: replayRunId, original_outcome: original.outcome };
  const replayed: RunEvent[] = [];
  const t0 = performance.now();
  sessions.set(replayRunId, { mode, recorded: recordingOf(events) });
  let outcome: Outcome;
  try {
    const source = options.pipeline ?? (await deps.pipeline.recorded(events, { command: 'replay', ...(options.steps === undefined ? {} : { steps: options.steps }) }));
    outcome = outcomeOf(
      await deps.pipeline.run(source, {
        run_id: replayRunId,
        input: options.input ?? started.input,
        parameters: started.parameters,
        onEvent: (event) => void replayed.push(event),
        ...(options.steps === undefined ? {} : { steps: options.steps }),
      }),
    );
  } catch (e: unknown) {
    const error = toWeftError(e, ReliabilityErrors.REPLAY_FAILED, 'Replay failed: ');
    return told(deps, { ...base, success: false, exact_match: false, differences: [], replayed_outcome: null, duration_ms: performance.now() - t0, error: { code: error.code, message: error.message } });
  } finally {
    sessions.delete(replayRunId);
  }
  const found = compareRuns(original, { events: replayed, outcome }, mode === 'strict' ? 'critical' : 'minor');
  const differences = mode === 'counterfactual' ? found.map((d) => ({ ...d, significance: 'expected' as const })) : found;
  const success = !differences.some((d) => d.significance === 'critical');
  return told(deps, { ...base, success, exact_match: success && differences.length === 0, differences, replayed_outcome: outcome, duration_ms: performance.now() - t0 });
}

async function told(deps: ReplayDeps, result: ReplayResult): Promise<ReplayResult> {
  await deps.outcome?.(result);
  return result;
}

function outcomeOf(r: Outcome): Outcome {
  return { status: r.status, output: r.output, execution_path: r.execution_path, error: r.error };
}
