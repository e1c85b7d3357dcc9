// What the engine hands a step and takes back from it: parameter values, the step context, the
// check on a step's output, and the start of a stored history.
import { SuspendSignal, WeftError, childLogger, type CallRecord, type JsonObject, type Logger, type RunEvent, type RunMeta, type RunStartedEvent, type ServiceReader, type StepContext } from '#kernel';
import { PipelineErrors } from './errors.js';
import type { ParameterDecl } from './model.js';
import type { Scope } from './templates.js';

/** Run-time parameter values (spec §3): run request, then same-named input field, then default. */
export function resolveParameters(decls: readonly ParameterDecl[], given: JsonObject, input: JsonObject): { values: JsonObject; missing: string[] } {
  const values: JsonObject = { ...given };
  const missing: string[] = [];
  for (const decl of decls) {
    let value = given[decl.name];
    if (value === undefined && Object.prototype.hasOwnProperty.call(input, decl.name)) value = input[decl.name];
    if (value === undefined) value = decl.default;
    if (value === undefined && decl.required) missing.push(decl.name);
    values[decl.name] = value;
  }
  return { values, missing };
}

function isPlainObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Where `value` stops being JSON (spec §2: outputs are JSON-serialisable), as a path below `at` and
 * a reason: a cycle, a BigInt, a function or a symbol. Undefined when it is JSON. Walks objects and
 * arrays only (a string is not looked into); `above` holds the objects that contain this one.
 */
function notJson(value: unknown, at: string, above: object[]): [string, string] | undefined {
  switch (typeof value) {
    case 'bigint':
      return [at, 'is a BigInt'];
    case 'function':
      return [at, 'is a function'];
    case 'symbol':
      return [at, 'is a symbol'];
    case 'object': {
      if (value === null) return undefined;
      if (above.includes(value)) return [at, 'refers back to an object that contains it'];
      above.push(value);
      let problem: [string, string] | undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length && !problem; i++) problem = notJson(value[i], `${at}[${i}]`, above);
      } else {
        for (const key in value) {
          problem = notJson((value as JsonObject)[key], `${at}.${key}`, above);
          if (problem) break;
        }
      }
      above.pop();
      return problem;
    }
    default:
      return undefined;
  }
}

export function checkOutput(value: unknown, stepId: string): JsonObject {
  // A step may also return the signal instead of calling ctx.suspend().
  if (value instanceof SuspendSignal) throw value;
  if (value === undefined || value === null) return {};
  if (isPlainObject(value)) {
    const problem = notJson(value, 'output', []);
    if (problem) throw new WeftError(PipelineErrors.STEP_BAD_OUTPUT, `Step "${stepId}" returned an output that is not JSON: ${problem[0]} ${problem[1]}`, { path: problem[0], data: { step_id: stepId } });
    return value;
  }
  const kind = Array.isArray(value) ? 'an array' : typeof value === 'object' ? `a ${(value as object).constructor.name}` : `a ${typeof value}`;
  throw new WeftError(PipelineErrors.STEP_BAD_OUTPUT, `Step "${stepId}" returned ${kind}; a step must return a plain object (or nothing)`, { data: { step_id: stepId } });
}

const count = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

/** The problem with a call a step reports through `ctx.record`, as a field path and message; undefined when it is well formed. */
function callProblem(call: CallRecord): [string, string] | undefined {
  if (call === null || typeof call !== 'object') return ['call', 'must be an object'];
  if (call.kind !== 'llm' && call.kind !== 'tool') return ['call.kind', 'must be "llm" or "tool"'];
  if (typeof call.name !== 'string' || call.name === '') return ['call.name', 'must be a non-empty string'];
  if (typeof call.success !== 'boolean') return ['call.success', 'must be a boolean'];
  if (!Number.isFinite(call.duration_ms) || call.duration_ms < 0) return ['call.duration_ms', 'must be a non-negative number'];
  if (call.usage !== undefined && !(count(call.usage?.input_tokens) && count(call.usage?.output_tokens))) return ['call.usage', 'must be { input_tokens, output_tokens } with non-negative integers'];
  if (call.cost_usd !== undefined && !(Number.isFinite(call.cost_usd) && call.cost_usd >= 0)) return ['call.cost_usd', 'must be a non-negative number'];
  return undefined;
}

/** Refuses a malformed call record with PIPELINE_CALL_INVALID naming the field. */
export function checkCall(call: CallRecord, stepId: string): void {
  const problem = callProblem(call);
  if (problem) throw new WeftError(PipelineErrors.CALL_INVALID, `Step "${stepId}" recorded a call whose ${problem[0]} ${problem[1]}`, { path: problem[0], data: { step_id: stepId } });
}

/** What a step context reads from its run. */
export interface RunHandle {
  readonly meta: RunMeta;
  readonly scope: Scope;
  readonly services: ServiceReader;
  controller(): AbortController;
  record(step_id: string, iteration: number, attempt: number, call: CallRecord): Promise<void>;
}

/** The `ctx` a step receives. */
export class StepCtx implements StepContext {
  readonly run_id: string;
  readonly step_id: string;
  readonly iteration: number;
  readonly attempt: number;
  readonly path: string;
  readonly config: JsonObject;
  readonly parameters: JsonObject;
  readonly input: JsonObject;
  readonly #signal: AbortSignal | undefined;
  readonly #run: RunHandle;
  #log: Logger | undefined;

  constructor(run: RunHandle, step: { id: string; path: string }, iteration: number, attempt: number, config: JsonObject, signal?: AbortSignal) {
    this.run_id = run.meta.run_id;
    this.step_id = step.id;
    this.iteration = iteration;
    this.attempt = attempt;
    this.path = step.path;
    this.config = config;
    this.parameters = run.scope.parameters;
    this.input = run.scope.input;
    this.#signal = signal;
    this.#run = run;
  }

  get signal(): AbortSignal {
    return this.#signal ?? this.#run.controller().signal;
  }

  get log(): Logger {
    // Made on first use: most steps never log.
    return (this.#log ??= childLogger(this.#run.services.get('logger'), `run ${this.run_id} step ${this.step_id}`));
  }

  service<T = unknown>(key: string): T | undefined {
    const services = this.#run.services;
    return (services.has(key) ? services.get(key as never) : undefined) as T | undefined;
  }

  record(call: CallRecord): Promise<void> {
    return this.#run.record(this.step_id, this.iteration, this.attempt, call);
  }

  suspend(request: JsonObject): never {
    throw new SuspendSignal(request);
  }
}

/** The run.started event a stored history must begin with; RESUME_INVALID otherwise. */
export function startOf(history: readonly RunEvent[]): RunStartedEvent {
  const first = history[0];
  if (first?.type !== 'run.started') {
    throw new WeftError(PipelineErrors.RESUME_INVALID, 'A run history must begin with its run.started event', { data: { first: first?.type ?? null } });
  }
  return first;
}

