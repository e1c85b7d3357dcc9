import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AsyncSeriesBailHook, AsyncSeriesHook } from 'tapable';
import {
  interactionId,
  SuspendSignal,
  WeftError,
  type CallRecord,
  toWeftError,
  type JsonObject,
  type RouteEvaluation,
  type RunError,
  type RunEvent,
  type RunMeta,
  type RunResult,
  type RunSuspendedEvent,
  type ServiceReader,
  type StepContext,
  type StepImplementation,
  type StepInstance,
  type StepInvocation,
  type StepOverride,
} from '#kernel';
import type { CompiledCondition, ConditionEnv } from './conditions.js';
import { PipelineErrors } from './errors.js';
import type { Edge, Graph } from './graph.js';
import type { PipelineDef, StepDef } from './model.js';
import { RunProjection } from './projection.js';
import { isRetryable, retryDelayMs, runError } from './retry.js';
import { checkCall, checkOutput, resolveParameters, startOf, StepCtx } from './step-context.js';
import { suspensionsOf } from './suspensions.js';
import { materialise, resolveTemplate, type Scope, type ValueTemplate } from './templates.js';

/** A transition ready to evaluate. */
export interface PreparedEdge extends Edge {
  condition?: CompiledCondition;
}

/** A step with its implementation resolved and its graph neighbourhood precomputed. */
export interface PreparedStep {
  def: StepDef;
  impl: StepImplementation;
  isClass: boolean;
  config: ValueTemplate;
  outgoing: PreparedEdge[];
  forwardIn: Edge[];
  loopEntry: boolean;
}

/** A pipeline compiled for execution; reusable across runs. */
export interface PreparedPipeline {
  def: PipelineDef;
  graph: Graph;
  steps: ReadonlyMap<string, PreparedStep>;
}

/** The engine's hooks (declared by the pipeline plugin as `pipeline.event` and `pipeline.beforeStep`). */
export interface EngineHooks {
  claim: AsyncSeriesHook<[RunMeta, { resuming: boolean }]>;
  event: AsyncSeriesHook<[RunEvent, RunMeta]>;
  beforeStep: AsyncSeriesBailHook<[StepInvocation], StepOverride | undefined>;
}

/** Options of one run. */
export interface RunOptions {
  input?: JsonObject;
  /** Parameter values; they win over same-named input fields and declared defaults. */
  parameters?: JsonObject;
  run_id?: string;
  signal?: AbortSignal;
  /** Called with every event of this run, synchronously, before the hook taps (progress output). */
  onEvent?: (event: RunEvent) => void;
  /**
   * The stored events of an earlier, interrupted run of this pipeline: the run resumes from its
   * graph position. Steps that completed are not run again (their recorded outputs and routing
   * decisions are replayed without new events); the interrupted step runs again; loop counters
   * continue. Input, parameters and run id come from the history.
   */
  history?: readonly RunEvent[];
  /**
   * With `history` of a run waiting for input: the human response to one of its suspended steps.
   * The step's output becomes `{ ...request.output, ...response, human_input: response,
   * interaction_id }`. When other steps of the run are still waiting, the answer is recorded and
   * the run stays waiting on them; once none is, the run goes on with every answer applied to its step.
   */
  response?: HumanResponse;
}

/** A human's answer to a suspended step. */
export interface HumanResponse {
  step_id: string;
  response: JsonObject;
  actor?: string;
  interaction_id?: string;
}

/** The output an answer gives its suspended step: the request's `output`, the response, and who asked. */
function answerOutput(suspension: RunSuspendedEvent, response: JsonObject, interaction_id: string | undefined): JsonObject {
  const request = suspension.request;
  const id = interaction_id ?? request['interaction_id'];
  return { ...((request['output'] ?? {}) as JsonObject), ...response, human_input: response, ...(id === undefined ? {} : { interaction_id: id }) };
}

/** One run of a prepared pipeline. The result is a projection of the events it emits. */
class Execution {
  readonly projection = new RunProjection();
  readonly meta: RunMeta;
  readonly scope: Scope;
  readonly services: ServiceReader;
  readonly #p: PreparedPipeline;
  readonly #hooks: EngineHooks;
  readonly #tapped: boolean;
  readonly #onEvent: ((event: RunEvent) => void) | undefined;
  readonly #beforeTapped: boolean;
  #controller: AbortController | undefined;
  readonly #counts = new Map<string, number>();
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, Map<number, JsonObject>>();
  readonly #instances = new Map<string, StepInstance>();
  readonly #loopStart = new Map<string, number>();
  readonly #recorded = new Map<string, JsonObject>();
  readonly #decided = new Map<string, string[]>();
  /** Suspensions of the history still waiting for an answer, by step id, and the outputs answers gave their steps. */
  #suspensions = new Map<string, RunSuspendedEvent>();
  readonly #answered = new Map<string, JsonObject>();
  readonly #response: HumanResponse | undefined;
  #resuming = false;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => this.#cancel(String(this.#signal!.reason));
  #missing: string[];
  #seq = 0;
  #inflight = 0;
  #idle: (() => void) | undefined;
  #stopped = false;
  #failure: RunError | undefined;
  #suspended = false;
  #cancelled: string | undefined;

  constructor(prepared: PreparedPipeline, hooks: EngineHooks, services: ServiceReader, options: RunOptions) {
    this.#p = prepared;
    this.#hooks = hooks;
    this.services = services;
    this.#tapped = hooks.event.taps.length > 0;
    this.#beforeTapped = hooks.beforeStep.taps.length > 0;
    this.#onEvent = options.onEvent;
    const def = prepared.def;
    const started = options.history ? startOf(options.history) : undefined;
    const input = started?.input ?? options.input ?? {};
    const { values, missing } = started ? { values: started.parameters, missing: [] } : resolveParameters(def.parameters, options.parameters ?? {}, input);
    this.#missing = missing;
    this.scope = { parameters: values, input, steps: this.projection.steps, prev: undefined };
    this.meta = { run_id: started?.run_id ?? options.run_id ?? randomUUID(), pipeline: def.name, version: def.version, definition: def.raw, ...(def.file === undefined ? {} : { file: def.file }) };
    this.#response = options.response;
    if (options.history) this.#restore(options.history);
    // A response for a step that is not waiting, or a waiting run resumed without one, is refused before anything is written.
    const answer = options.response;
    if (answer && !this.#answer(answer.step_id, answer.response, answer.interaction_id)) {
      throw new WeftError(PipelineErrors.RESUME_INVALID, `Run ${this.meta.run_id} is not waiting for input at step "${answer.step_id}"`, { data: { run_id: this.meta.run_id, step_id: answer.step_id } });
    }
    if (!answer && this.projection.status === 'waiting_for_input') throw this.#waitingError();
    this.#signal = options.signal;
    if (this.#signal?.aborted) this.#onAbort();
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Lets go of the caller's abort signal, for a run that will not start. */
  abandon(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  /** Folds a stored history into this run: the result so far, and what to replay instead of rerun. */
  #restore(history: readonly RunEvent[]): void {
    this.#resuming = true;
    for (const event of history) {
      this.projection.apply(event);
      if (event.type === 'step.completed') this.#recorded.set(`${event.step_id}:${event.iteration}`, event.output);
      else if (event.type === 'route.decided') this.#decided.set(`${event.step_id}:${event.iteration}`, event.taken);
    }
    const { open, answers } = suspensionsOf(history);
    for (const { suspension, response, interaction_id } of answers) this.#answered.set(`${suspension.step_id}:${suspension.iteration}`, answerOutput(suspension, response, interaction_id));
    this.#suspensions = open;
    this.#seq = history[history.length - 1]!.seq;
  }

  /** Records the output a human response gives a suspended step; false when the step is not suspended. */
  #answer(stepId: string, response: JsonObject, interactionId: string | undefined): boolean {
    const suspension = this.#suspensions.get(stepId);
    if (!suspension) return false;
    this.#answered.set(`${stepId}:${suspension.iteration}`, answerOutput(suspension, response, interactionId));
    this.#suspensions.delete(stepId);
    return true;
  }

  /** The refusal of a resume without a response while the run waits for people: it would ask them again. */
  #waitingError(): WeftError {
    const run_id = this.meta.run_id;
    const interactions = [...this.#suspensions.values()].map(interactionId);
    const named = interactions.map((id) => `"${id}"`).join(', ');
    return new WeftError(PipelineErrors.RESUME_WAITING, `Run ${run_id} is waiting for input at ${named}; answer with \`weft hitl respond <interaction> --input <json>\` instead of resuming it`, { data: { run_id, interactions } });
  }

  /** Stops again on the steps still waiting, without asking anew: each keeps its question, id and deadline. */
  async #keepWaiting(): Promise<void> {
    this.#suspended = true;
    this.#stopped = true;
    for (const open of this.#suspensions.values()) {
      const { step_id, iteration, request } = open;
      await this.#emit({ type: 'run.suspended', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id, iteration, request, continues: open.seq });
    }
  }

  /** The run's abort controller, created on first use (most runs never need one). */
  controller(): AbortController {
    return (this.#controller ??= new AbortController());
  }

  #emit(event: RunEvent): Promise<void> | undefined {
    this.projection.apply(event);
    this.#onEvent?.(event);
    return this.#tapped ? this.#hooks.event.promise(event, this.meta) : undefined;
  }

  /** Appends a step's model or tool call to the log (`ctx.record`). */
  record(step_id: string, iteration: number, attempt: number, call: CallRecord): Promise<void> {
    checkCall(call, step_id);
    return this.#emit({ type: 'call.recorded', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id, iteration, attempt, call }) ?? Promise.resolve();
  }

  /** The next sequence number of this run's log. */
  #next(): number {
    return ++this.#seq;
  }

  async start(): Promise<RunResult> {
    const { def } = this.#p;
    try {
      const answer = this.#response;
      if (answer) {
        const { step_id, response, actor, interaction_id } = answer;
        await this.#emit({ type: 'run.resumed', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id, response, ...(actor === undefined ? {} : { actor }), ...(interaction_id === undefined ? {} : { interaction_id }) });
      } else if (this.#resuming) await this.#emit({ type: 'run.resumed', run_id: this.meta.run_id, seq: this.#next(), at: Date.now() });
      else await this.#emit({ type: 'run.started', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), pipeline: def.name, version: def.version, input: this.scope.input, parameters: this.scope.parameters, ...(def.file === undefined ? {} : { file: def.file }), hash: def.hash, ...(def.catalog === undefined ? {} : { catalog: def.catalog }) });
      if (this.#suspensions.size > 0) await this.#keepWaiting();
      if (this.#missing.length > 0) {
        const names = this.#missing.join(', ');
        this.#fail({ code: PipelineErrors.PARAMETER_MISSING, message: `Required parameter(s) ${names} have no value; pass them with --param or in the run input`, parameters: this.#missing });
      } else if (!this.#stopped) {
        this.#activate(def.flow.start_at, this.scope.input);
        if (this.#inflight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
      }
    } catch (e: unknown) {
      this.#fail(runError(e));
    }
    await this.#finish();
    return this.projection.result();
  }

  #output(): unknown {
    const outputs = this.#p.def.outputs;
    const last = this.projection.last;
    if (!outputs) return last ?? null;
    const scope: Scope = { ...this.scope, prev: last };
    const out: JsonObject = {};
    for (const key in outputs) out[key] = resolveTemplate(outputs[key]!, scope);
    return out;
  }

  async #finish(): Promise<void> {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#suspended && !this.#failure && this.#cancelled === undefined) return;
    const base = { run_id: this.meta.run_id, seq: this.#next(), at: Date.now() };
    const event: RunEvent = this.#failure
      ? { type: 'run.failed', ...base, error: this.#failure, output: this.#output() }
      : this.#cancelled !== undefined
        ? { type: 'run.cancelled', ...base, reason: this.#cancelled }
        : { type: 'run.completed', ...base, output: this.#output() };
    try {
      await this.#emit(event);
    } catch (e: unknown) {
      // The end of the run could not be recorded (a store went away). A run already failing keeps
      // its own error; otherwise the result reports this failure rather than a success nobody stored.
      if (event.type !== 'run.failed') this.projection.apply({ type: 'run.failed', run_id: base.run_id, seq: this.#next(), at: Date.now(), error: runError(e), output: event.type === 'run.completed' ? event.output : null });
    }
  }

  #fail(error: RunError): void {
    this.#failure ??= error;
    this.#stopped = true;
  }

  #cancel(reason: string): void {
    if (this.#stopped) return;
    this.#cancelled = reason;
    this.#stopped = true;
    this.controller().abort(new WeftError(PipelineErrors.CANCELLED, `Run cancelled: ${reason}`));
  }

  #activate(id: string, input: JsonObject): void {
    if (this.#stopped) return;
    const step = this.#p.steps.get(id)!;
    const count = this.#counts.get(id) ?? 0;
    const loop = this.#p.def.loop_config;
    if (count >= loop.max_iterations) {
      this.#fail({ code: PipelineErrors.LOOP_LIMIT, message: `Step "${id}" would run a ${count + 1}th time, past loop_config.max_iterations = ${loop.max_iterations}`, step_id: id, bound: 'max_iterations', limit: loop.max_iterations });
      return;
    }
    let delay = 0;
    if (step.loopEntry) {
      const first = this.#loopStart.get(id);
      if (first === undefined) {
        this.#loopStart.set(id, Date.now());
      } else {
        if (Date.now() - first >= loop.max_loop_time_seconds * 1000) {
          this.#fail({ code: PipelineErrors.LOOP_LIMIT, message: `The loop entered at "${id}" ran longer than loop_config.max_loop_time_seconds = ${loop.max_loop_time_seconds}`, step_id: id, bound: 'max_loop_time_seconds', limit: loop.max_loop_time_seconds });
          return;
        }
        if (!this.#recorded.has(`${id}:${count + 1}`)) delay = loop.iteration_delay_seconds * 1000;
      }
    }
    this.#counts.set(id, count + 1);
    this.#active.set(id, (this.#active.get(id) ?? 0) + 1);
    this.#inflight++;
    void this.#runStep(step, input, count + 1, delay);
  }

  async #runStep(step: PreparedStep, input: JsonObject, iteration: number, delay: number): Promise<void> {
    try {
      if (delay > 0) await sleep(delay);
      if (!this.#stopped) await this.#execute(step, input, iteration);
    } catch (e: unknown) {
      this.#fail(runError(e, step.def.id));
    }
    const id = step.def.id;
    const left = this.#active.get(id)! - 1;
    if (left === 0) this.#active.delete(id);
    else this.#active.set(id, left);
    this.#inflight--;
    if (this.#waiting.size > 0 && !this.#stopped) this.#settleJoins();
    if (this.#inflight === 0) this.#idle?.();
  }

  #resolveInputs(step: PreparedStep, prev: JsonObject): JsonObject {
    const scope: Scope = { ...this.scope, prev };
    const out: JsonObject = {};
    for (const input of step.def.inputs!) {
      const value = resolveTemplate(input.template, scope);
      if (value === undefined && input.required) {
        throw new WeftError(PipelineErrors.INPUT_MISSING, `Step "${step.def.id}": required input "${input.name}" resolved to nothing from ${input.source}`, { data: { step_id: step.def.id, input: input.name, template: input.source } });
      }
      out[input.name] = value;
    }
    return out;
  }

  async #execute(step: PreparedStep, activation: JsonObject, iteration: number): Promise<void> {
    const def = step.def;
    // A recorded completion wins over the answer it was made from.
    const recorded = this.#recorded.get(`${def.id}:${iteration}`);
    if (recorded) {
      this.#recorded.delete(`${def.id}:${iteration}`);
      // Replayed steps finish without awaiting anything; one tick each keeps a long replay off the stack.
      await undefined;
      return this.#route(step, recorded, iteration);
    }
    const answered = this.#answered.get(`${def.id}:${iteration}`);
    if (answered) {
      this.#answered.delete(`${def.id}:${iteration}`);
      const done = this.#emit({ type: 'step.completed', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id: def.id, iteration, attempt: 1, output: answered, duration_ms: 0 });
      if (done) await done;
      return this.#route(step, answered, iteration);
    }
    let input = activation;
    let inputError: unknown;
    if (def.inputs) {
      try {
        input = this.#resolveInputs(step, activation);
      } catch (e: unknown) {
        inputError = e;
      }
    }
    return this.#attempt(step, input, inputError, iteration, 1);
  }

  /** One attempt of a step; a retryable failure schedules the next attempt. */
  async #attempt(step: PreparedStep, input: JsonObject, inputError: unknown, iteration: number, attempt: number): Promise<void> {
    const def = step.def;
    const id = def.id;
    const t0 = performance.now();
    const started = this.#emit({ type: 'step.started', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id: id, iteration, attempt, input });
    if (started) await started;
    let output: JsonObject | undefined;
    let replayed = false;
    let halt: RunError | undefined;
    let error: unknown = inputError;
    if (error === undefined) {
      try {
        if (this.#beforeTapped) {
          const override = await this.#hooks.beforeStep.promise({ run: this.meta, step_id: id, iteration, attempt, input });
          if (override?.halt) halt = { ...override.halt, step_id: id };
          else if (override) {
            output = checkOutput(override.output, id);
            replayed = true;
          }
        }
        if (halt === undefined) output ??= await this.#invoke(step, input, iteration, attempt);
      } catch (e: unknown) {
        error = e;
      }
    }
    const duration_ms = performance.now() - t0;
    if (halt) {
      await this.#emit({ type: 'step.failed', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id: id, iteration, attempt, error: halt, duration_ms, will_retry: false });
      return this.#fail(halt);
    }
    if (output !== undefined) {
      const done = this.#emit({ type: 'step.completed', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id: id, iteration, attempt, output, duration_ms, ...(replayed ? { replayed } : {}) });
      if (done) await done;
      return this.#route(step, output, iteration);
    }
    if (error instanceof SuspendSignal) {
      this.#suspended = true;
      this.#stopped = true;
      await this.#emit({ type: 'run.suspended', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id: id, iteration, request: error.request });
      return;
    }
    const failure = runError(error, id);
    const retry = attempt < def.retry.max_attempts && isRetryable(error) && !this.#stopped && inputError === undefined;
    if (retry) {
      const delay_ms = retryDelayMs(def.retry, attempt);
      await this.#emit({ type: 'step.failed', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id: id, iteration, attempt, error: failure, duration_ms, will_retry: true, delay_ms });
      await sleep(delay_ms);
      return this.#attempt(step, input, inputError, iteration, attempt + 1);
    }
    await this.#emit({ type: 'step.failed', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id: id, iteration, attempt, error: failure, duration_ms, will_retry: false });
    const recovered = await this.#recover(step, input, error, failure, iteration, attempt);
    if (!recovered) return this.#fail(failure);
    await this.#emit({ type: 'step.completed', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id: id, iteration, attempt, output: recovered.output, duration_ms: performance.now() - t0, recovered: recovered.how });
    return this.#route(step, recovered.output, iteration);
  }

  /** `on_error: continue | fallback`; undefined when the run must fail. */
  async #recover(step: PreparedStep, input: JsonObject, error: unknown, failure: RunError, iteration: number, attempt: number): Promise<{ output: JsonObject; how: 'continue' | 'fallback' } | undefined> {
    const { on_error, id } = step.def;
    if (on_error === 'continue') return { output: { step_error: true, code: failure.code, message: failure.message, error: failure }, how: 'continue' };
    if (on_error !== 'fallback') return undefined;
    const holder = step.isClass ? this.#instances.get(id) : (step.impl as unknown as StepInstance);
    if (typeof holder?.fallback !== 'function') {
      throw new WeftError(PipelineErrors.NO_FALLBACK, `Step "${id}" has on_error: fallback but its implementation has no fallback(input, error, ctx) method`, { data: { step_id: id } });
    }
    const ctx = new StepCtx(this, step.def, iteration, attempt, materialise(step.config, this.scope) as JsonObject);
    const cause = error instanceof Error ? error : new Error(failure.message);
    const output = checkOutput(await holder.fallback(input, cause, ctx), id);
    return { output, how: 'fallback' };
  }

  async #invoke(step: PreparedStep, input: JsonObject, iteration: number, attempt: number): Promise<JsonObject> {
    const def = step.def;
    const config = materialise(step.config, { ...this.scope, prev: input }) as JsonObject;
    if (def.timeout_ms === undefined) {
      const ctx = new StepCtx(this, def, iteration, attempt, config);
      return checkOutput(await this.#call(step, input, ctx), def.id);
    }
    const attemptController = new AbortController();
    const signal = AbortSignal.any([this.controller().signal, attemptController.signal]);
    const ctx = new StepCtx(this, def, iteration, attempt, config, signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new WeftError(PipelineErrors.STEP_TIMEOUT, `Step "${def.id}" did not finish within timeout_ms = ${def.timeout_ms}`, { data: { step_id: def.id, timeout_ms: def.timeout_ms } });
        attemptController.abort(error);
        reject(error);
      }, def.timeout_ms);
    });
    try {
      return checkOutput(await Promise.race([Promise.resolve().then(() => this.#call(step, input, ctx)), timeout]), def.id);
    } finally {
      clearTimeout(timer);
    }
  }

  #call(step: PreparedStep, input: JsonObject, ctx: StepCtx): unknown {
    if (!step.isClass) return (step.impl as (i: JsonObject, c: StepContext) => unknown)(input, ctx);
    let instance = this.#instances.get(step.def.id);
    if (!instance) {
      instance = new (step.impl as new (c: JsonObject, x: StepContext) => StepInstance)(ctx.config, ctx);
      this.#instances.set(step.def.id, instance);
    }
    return instance.run(input, ctx);
  }

  #conditionEnv(stepId: string, output: JsonObject): ConditionEnv {
    const run = this;
    return {
      scope: { ...this.scope, prev: output },
      run_id: this.meta.run_id,
      step_id: stepId,
      get signal() {
        return run.controller().signal;
      },
      service: <T>(key: string) => (this.services.has(key) ? (this.services.get(key as never) as T) : undefined),
    };
  }

  async #route(step: PreparedStep, output: JsonObject, iteration: number): Promise<void> {
    if (this.#stopped && !this.#suspended) return;
    const id = step.def.id;
    const recorded = this.#resuming ? this.#decided.get(`${id}:${iteration}`) : undefined;
    if (recorded) {
      this.#decided.delete(`${id}:${iteration}`);
      const edges = recorded.map((to) => step.outgoing.find((e) => e.def.to === to));
      if (edges.includes(undefined)) {
        throw new WeftError(PipelineErrors.RESUME_INVALID, `The stored run took ${id} → ${recorded.join(', ')}, which the pipeline no longer has; resume it with the pipeline it started with`, { data: { step_id: id } });
      }
      return this.#follow(step, edges as PreparedEdge[], output);
    }
    const firstMatch = this.#p.def.flow.routing === 'first_match';
    const evaluated: RouteEvaluation[] = [];
    const taken: PreparedEdge[] = [];
    let env: ConditionEnv | undefined;
    for (const edge of step.outgoing) {
      if (firstMatch && taken.length > 0) break;
      let held = true;
      let values: JsonObject | undefined;
      if (edge.condition) {
        env ??= this.#conditionEnv(id, output);
        try {
          const outcome = edge.condition(env);
          const settled = outcome instanceof Promise ? await outcome : outcome;
          held = settled.held;
          values = settled.values;
        } catch (e: unknown) {
          throw toWeftError(e, PipelineErrors.CONDITION_FAILED, `Condition on ${edge.def.path} failed: `);
        }
      }
      const evaluation: RouteEvaluation = { to: edge.def.to, held };
      if (values) evaluation.values = values;
      if (edge.back) evaluation.back_edge = true;
      evaluated.push(evaluation);
      if (held) taken.push(edge);
    }
    const targets: string[] = [];
    for (const edge of taken) targets.push(edge.def.to);
    const decided = this.#emit({ type: 'route.decided', run_id: this.meta.run_id, seq: this.#next(), at: Date.now(), step_id: id, iteration, evaluated, taken: targets });
    if (decided) await decided;
    this.#follow(step, taken, output);
  }

  /** Activates (or delivers to) the targets of the transitions taken. */
  #follow(step: PreparedStep, taken: readonly PreparedEdge[], output: JsonObject): void {
    if (this.#stopped) return;
    const id = step.def.id;
    for (const edge of taken) {
      const to = edge.def.to;
      if (edge.terminal) {
        if (to === 'end_with_failure') this.#fail({ code: PipelineErrors.END_WITH_FAILURE, message: `Step "${id}" routed to end_with_failure`, step_id: id });
      } else if (edge.back) {
        this.#activate(to, output);
      } else {
        this.#deliver(edge, output);
      }
    }
  }

  #deliver(edge: Edge, output: JsonObject): void {
    const target = edge.def.to;
    if (this.#p.steps.get(target)!.forwardIn.length <= 1) return this.#activate(target, output);
    let delivered = this.#waiting.get(target);
    if (!delivered) this.#waiting.set(target, (delivered = new Map()));
    delivered.set(edge.index, output);
  }

  /** Whether a running, ready or waiting step can still reach `pred` through forward transitions. */
  #canDeliver(pred: string, target: string): boolean {
    const ancestors = this.#p.graph.forwardAncestors(pred);
    for (const id of this.#active.keys()) if (ancestors.has(id)) return true;
    for (const id of this.#waiting.keys()) if (id !== target && ancestors.has(id)) return true;
    return false;
  }

  #settleJoins(): void {
    for (const [target, delivered] of this.#waiting) {
      const preds = this.#p.steps.get(target)!.forwardIn;
      if (preds.some((edge) => !delivered.has(edge.index) && this.#canDeliver(edge.def.from, target))) continue;
      this.#waiting.delete(target);
      const merged: JsonObject = {};
      for (const edge of preds) Object.assign(merged, delivered.get(edge.index));
      this.#activate(target, merged);
    }
  }
}

/** Runs a prepared pipeline to completion, failure, suspension or cancellation. */
export function execute(prepared: PreparedPipeline, hooks: EngineHooks, services: ServiceReader, options: RunOptions = {}): Promise<RunResult> {
  const run = new Execution(prepared, hooks, services, options);
  if (hooks.claim.taps.length === 0) return run.start();
  // Refused before anything is written: the caller gets the tap's error, not a failed run.
  return hooks.claim.promise(run.meta, { resuming: options.history !== undefined }).then(
    () => run.start(),
    (e: unknown) => {
      run.abandon();
      throw e;
    },
  );
}
