import { isDeepStrictEqual } from 'node:util';
import type { JsonObject, RunEvent, RunResult } from '#kernel';

/** How much a difference matters: critical changes the outcome or path, minor does not, expected was asked for (counterfactual). */
export type Significance = 'critical' | 'minor' | 'expected';

/** One way a replay differs from the run it replays (reference §3.6). */
export interface Difference {
  /** What differs: `status`, `error.code`, `route`, `missing_step`, `unrecorded_step`, `step_input`, or an output key path. */
  field: string;
  /** The recorded value; undefined when the recording has none (an output key it lacks). */
  original_value: unknown;
  replayed_value: unknown;
  /** Where: `run`, `output`, `route:<step>#<iteration>` or `step:<step>#<iteration>`. */
  location: string;
  significance: Significance;
}

/** The part of a run's result a replay is judged on. */
export type Outcome = Pick<RunResult, 'status' | 'output' | 'execution_path' | 'error'>;

/** One side of the comparison: a run's events and its outcome. */
export interface RunSide {
  events: readonly RunEvent[];
  outcome: Outcome;
}

interface Trace {
  /** Input of each step invocation's last attempt, by `step#iteration`. */
  inputs: Map<string, JsonObject>;
  /** Targets taken after each step invocation, by `step#iteration`. */
  routes: Map<string, string[]>;
}

function trace(events: readonly RunEvent[]): Trace {
  const inputs = new Map<string, JsonObject>();
  const routes = new Map<string, string[]>();
  for (const e of events) {
    if (e.type === 'step.started') inputs.set(`${e.step_id}#${e.iteration}`, e.input);
    else if (e.type === 'route.decided') routes.set(`${e.step_id}#${e.iteration}`, e.taken);
  }
  return { inputs, routes };
}

/**
 * Equal as stored: a recording went through JSON, a live value did not (keys holding undefined,
 * objects without a prototype), so both are compared in their JSON form.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(asStored(a), asStored(b));
}

const asStored = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field-level output differences; a key path with a segment starting with `_` is minor (private, such as timestamps). */
function diffOutput(a: unknown, b: unknown, path: string, minor: boolean, out: Difference[]): void {
  if (isDeepStrictEqual(a, b)) return;
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      diffOutput(a[key], b[key], path === '' ? key : `${path}.${key}`, minor || key.startsWith('_'), out);
    }
    return;
  }
  out.push({ field: path === '' ? 'output' : path, original_value: a, replayed_value: b, location: 'output', significance: minor ? 'minor' : 'critical' });
}

/**
 * Every difference between a recorded run and its replay: final status and error code, routing
 * decisions taken differently at the same step and iteration, step invocations present on one side
 * only, step inputs that changed, and the final output key by key. `unrecorded` is the significance
 * of a step the recording never ran (critical in strict replays, minor in simulated ones).
 */
export function compareRuns(original: RunSide, replayed: RunSide, unrecorded: Significance): Difference[] {
  const out: Difference[] = [];
  const a = original.outcome;
  const b = replayed.outcome;
  if (a.status !== b.status) out.push({ field: 'status', original_value: a.status, replayed_value: b.status, location: 'run', significance: 'critical' });
  else if (a.error?.code !== b.error?.code) out.push({ field: 'error.code', original_value: a.error?.code, replayed_value: b.error?.code, location: 'run', significance: 'critical' });
  const was = trace(original.events);
  const now = trace(replayed.events);
  for (const [key, taken] of was.routes) {
    const retaken = now.routes.get(key);
    if (retaken !== undefined && !isDeepStrictEqual(taken, retaken)) out.push({ field: 'route', original_value: taken, replayed_value: retaken, location: `route:${key}`, significance: 'critical' });
  }
  for (const [key, input] of was.inputs) {
    if (!now.inputs.has(key)) out.push({ field: 'missing_step', original_value: input, replayed_value: undefined, location: `step:${key}`, significance: 'critical' });
  }
  for (const [key, input] of now.inputs) {
    const recorded = was.inputs.get(key);
    if (recorded === undefined) out.push({ field: 'unrecorded_step', original_value: undefined, replayed_value: input, location: `step:${key}`, significance: unrecorded });
    else if (!sameJson(recorded, input)) out.push({ field: 'step_input', original_value: recorded, replayed_value: input, location: `step:${key}`, significance: 'minor' });
  }
  diffOutput(a.output, b.output, '', false, out);
  return out;
}
