import type { CallRecord, JsonObject, RunSuspendedEvent } from './run-events.js';
import type { Logger } from '../plugin.js';

/** What a step sees besides its input. */
export interface StepContext {
  readonly run_id: string;
  readonly step_id: string;
  /** 1-based count of this step's runs in this run, including the current one. */
  readonly iteration: number;
  /** 1-based attempt number within this iteration (retries). */
  readonly attempt: number;
  /** Where the step is declared in the pipeline document (`steps[2]`): errors about its config name `${path}.config.<field>`. */
  readonly path: string;
  /** The step's `config`, with `{{ parameters.x }}` templates resolved. */
  readonly config: JsonObject;
  /** Resolved run parameters. */
  readonly parameters: JsonObject;
  /** The run input. */
  readonly input: JsonObject;
  /** Aborted when the attempt times out or the run is cancelled. */
  readonly signal: AbortSignal;
  /** The kernel's log; each line names the run and the step. */
  readonly log: Logger;
  /** Reads a kernel service by key; undefined when it is not registered. */
  service<T = unknown>(key: string): T | undefined;
  /** Appends a model or tool call this step made to the run's log (decision trail, cost, replay). */
  record(call: CallRecord): Promise<void>;
  /** Asks for human input: the run stops in `waiting_for_input` with this request. Never returns. */
  suspend(request: JsonObject): never;
}

/** A step as a function. */
export type StepFunction = (input: JsonObject, ctx: StepContext) => unknown;

/** A step instance built from a class. */
export interface StepInstance {
  run(input: JsonObject, ctx: StepContext): unknown;
  fallback?(input: JsonObject, error: Error, ctx: StepContext): unknown;
}

/** A step as a class constructed with `(config, ctx)`. */
export type StepClass = new (config: JsonObject, ctx: StepContext) => StepInstance;

/** Either form of step implementation. */
export type StepImplementation = StepFunction | StepClass;

/** Thrown by `ctx.suspend()`; the engine turns it into a `run.suspended` event. */
export class SuspendSignal extends Error {
  readonly request: JsonObject;
  constructor(request: JsonObject) {
    super('Step is waiting for human input');
    this.name = 'SuspendSignal';
    this.request = request;
  }
}

/** The id a suspension is answered under: the request's own `interaction_id`, else `<run_id>:<step_id>:<iteration>`. */
export function interactionId(event: RunSuspendedEvent): string {
  const own = event.request['interaction_id'];
  return typeof own === 'string' ? own : `${event.run_id}:${event.step_id}:${event.iteration}`;
}
