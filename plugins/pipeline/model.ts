import type { CatalogRef, JsonObject } from '#kernel';
import type { Template } from './templates.js';

/** A declared pipeline parameter (all dialects normalised to this). */
export interface ParameterDecl {
  name: string;
  type?: string;
  default?: unknown;
  required: boolean;
  description?: string;
}

/** A declared step input: a template resolved when the step is about to run. */
export interface InputDecl {
  name: string;
  source: string;
  template: Template;
  required: boolean;
  /** JSON path of the source, e.g. `steps[1].inputs[0].source`. */
  path: string;
}

/** Retry policy with the spec's defaults applied. */
export interface RetryPolicy {
  max_attempts: number;
  initial_delay: number;
  max_delay: number;
  exponential_base: number;
  jitter: boolean;
}

/** What to do when a step fails after its retries. */
export type OnError = 'fail' | 'continue' | 'fallback';

/** A step in canonical form. */
export interface StepDef {
  id: string;
  name: string;
  step_class?: string;
  module?: string;
  config: JsonObject;
  inputs?: InputDecl[];
  retry: RetryPolicy;
  timeout_ms?: number;
  on_error: OnError;
  /** JSON path of the step in the file, e.g. `steps[2]`. */
  path: string;
}

/** A condition as written: `{ type, config }` (nested conditions kept as written). */
export interface ConditionDef {
  type: string;
  config: JsonObject;
}

/** A transition in canonical form. */
export interface TransitionDef {
  from: string;
  to: string;
  /** The condition as written; compiled by the condition registry. */
  condition?: unknown;
  /** JSON path, e.g. `flow.transitions[3]` or `flow.paths[3]`. */
  path: string;
}

/** Loop bounds with defaults applied. */
export interface LoopConfig {
  max_iterations: number;
  max_loop_time_seconds: number;
  iteration_delay_seconds: number;
}

/** A pipeline in canonical form, whatever dialect the file used. */
export interface PipelineDef {
  name: string;
  version: string;
  description?: string;
  parameters: ParameterDecl[];
  steps: StepDef[];
  flow: { start_at: string; routing: 'all_matches' | 'first_match'; transitions: TransitionDef[] };
  loop_config: LoopConfig;
  outputs?: Record<string, Template>;
  /** Directory of the file it came from; relative step modules resolve against it. */
  baseDir: string;
  /** File name, for error messages. */
  file?: string;
  /** The document as written (after parsing), for the catalogue and for `slo` and other extensions. */
  raw: JsonObject;
  /** SHA-256 of the canonical JSON of `raw`: runs record it, so a resume notices a file that changed since. */
  hash: string;
  /** The catalogue revision the document was read from, when it came from the catalogue. */
  catalog?: CatalogRef;
}

/** Targets that end a branch rather than naming a step. */
export const TERMINALS: ReadonlySet<string> = new Set(['end', 'end_with_success', 'end_with_failure']);
