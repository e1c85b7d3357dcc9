import type { CallRecord, JsonObject, RunError, RunEvent, RunResult, RunStartedEvent, RouteEvaluation } from '#kernel';

/** A human's answer to a suspended step. */
export interface HumanDecision {
  step_id: string;
  actor: string | null;
  response: JsonObject;
  /** ISO time. */
  at: string;
  interaction_id: string | null;
}

/** One execution of a step (all its attempts). */
export interface TrailStep {
  step_id: string;
  iteration: number;
  input: JsonObject;
  output: JsonObject | null;
  success: boolean;
  /** `continue` or `fallback` when the output is a recovery, not the step's own. */
  recovered: string | null;
  duration_ms: number;
  retries: number;
  error: RunError | null;
  human: HumanDecision | null;
  /** Model and tool calls the step recorded, in order. */
  calls: TrailCall[];
}

/** A model or tool call, with the step that made it. */
export interface TrailCall extends CallRecord {
  step_id: string;
  iteration: number;
  attempt: number;
  /** ISO time it was recorded. */
  at: string;
}

/** A routing decision after a step: every transition evaluated, with the values that decided it. */
export interface RouteDecision {
  from: string;
  iteration: number;
  taken: string[];
  evaluated: RouteEvaluation[];
}

/** A run's decision trail (reference §3.5), projected from its events. */
export interface DecisionTrail {
  run_id: string;
  pipeline: string;
  version: string;
  status: RunResult['status'];
  success: boolean;
  started_at: string;
  duration_ms: number;
  input: JsonObject;
  parameters: JsonObject;
  execution_path: string[];
  steps: TrailStep[];
  routes: RouteDecision[];
  human: HumanDecision[];
  /** Every model and tool call, in order. */
  calls: TrailCall[];
  /** Model tokens of those calls. */
  tokens_used: number;
  /** What those calls cost in USD (priced when a call does not say). */
  cost_usd: number;
  /** Every failed attempt, retried or not. */
  errors: RunError[];
  /** Why the run failed, when it did. */
  run_error: RunError | null;
  output: unknown;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Projects a run's events (and the result the pipeline service rebuilt from them) into its trail; `price` costs a call that carries no cost. */
export function decisionTrail(events: readonly RunEvent[], result: RunResult, price: (call: CallRecord) => number): DecisionTrail {
  // Every stored log opens with run.started.
  const first = events[0] as RunStartedEvent;
  const steps = new Map<string, TrailStep>();
  const routes: RouteDecision[] = [];
  const human: HumanDecision[] = [];
  const errors: RunError[] = [];
  const calls: TrailCall[] = [];
  for (const e of events) {
    if (e.type === 'step.started') {
      const key = `${e.step_id}#${e.iteration}`;
      const step = steps.get(key) ?? { step_id: e.step_id, iteration: e.iteration, input: e.input, output: null, success: false, recovered: null, duration_ms: 0, retries: -1, error: null, human: null, calls: [] };
      step.retries++;
      steps.set(key, step);
    } else if (e.type === 'step.completed' || e.type === 'step.failed') {
      // A step is started before it completes or fails, in every log the engine writes.
      const step = steps.get(`${e.step_id}#${e.iteration}`)!;
      step.duration_ms += e.duration_ms;
      if (e.type === 'step.completed') Object.assign(step, { output: e.output, success: e.recovered === undefined, recovered: e.recovered ?? null });
      else {
        errors.push({ ...e.error, step_id: e.step_id });
        if (!e.will_retry) step.error = e.error;
      }
    } else if (e.type === 'call.recorded') {
      const call: TrailCall = { ...e.call, step_id: e.step_id, iteration: e.iteration, attempt: e.attempt, at: iso(e.at) };
      calls.push(call);
      // A step records calls while it runs, after its step.started.
      steps.get(`${e.step_id}#${e.iteration}`)!.calls.push(call);
    } else if (e.type === 'route.decided') routes.push({ from: e.step_id, iteration: e.iteration, taken: e.taken, evaluated: e.evaluated });
    else if (e.type === 'run.resumed' && e.step_id !== undefined && e.response !== undefined) {
      const decision = { step_id: e.step_id, actor: e.actor ?? null, response: e.response, at: iso(e.at), interaction_id: e.interaction_id ?? null };
      human.push(decision);
      // A response answers a step that was started (and suspended) earlier in the log.
      [...steps.values()].findLast((s) => s.step_id === e.step_id)!.human = decision;
    }
  }
  const last = events[events.length - 1]!;
  return {
    run_id: result.run_id,
    pipeline: result.pipeline,
    version: first.version,
    status: result.status,
    success: result.status === 'completed',
    started_at: iso(first.at),
    duration_ms: last.at - first.at,
    input: result.input,
    parameters: result.parameters,
    execution_path: result.execution_path,
    steps: [...steps.values()],
    routes,
    human,
    calls,
    tokens_used: calls.reduce((n, c) => n + (c.usage ? c.usage.input_tokens + c.usage.output_tokens : 0), 0),
    cost_usd: calls.reduce((n, c) => n + (c.cost_usd ?? price(c)), 0),
    errors,
    run_error: result.error,
    output: result.output,
  };
}
