// Shared set-up for the pipeline plugin's tests: a real kernel with the pipeline plugin booted.
import type { JsonObject, PluginDefinition, RunEvent, RunResult, StepImplementation } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { createTestKernel } from '../../../kernel/testing.js';
import pipelinePlugin from '../../../plugins/pipeline/index.js';
import type { PipelineService } from '../../../plugins/pipeline/service.js';

/** A booted kernel with the pipeline plugin (plus `extra` plugins) and its service. */
export async function bootPipeline(extra: PluginDefinition<never>[] = []): Promise<{ kernel: Kernel; pipeline: PipelineService }> {
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, ...extra] });
  return { kernel, pipeline: kernel.services.get('pipeline') };
}

/** Parses and runs an in-memory pipeline document. */
export async function runDoc(
  pipeline: PipelineService,
  doc: JsonObject,
  options: { steps?: Record<string, StepImplementation>; input?: JsonObject; parameters?: JsonObject; signal?: AbortSignal; onEvent?: (event: RunEvent) => void } = {},
): Promise<RunResult> {
  const steps = options.steps ?? {};
  const def = await pipeline.parse(doc, { steps });
  return pipeline.run(def, { ...options, steps });
}

/** A linear flow through `ids`. */
export function chainFlow(ids: string[]): JsonObject {
  return { start_at: ids[0], transitions: ids.slice(1).map((to, i) => ({ from: ids[i], to })) };
}

/** Steps that all use `step_class` = their id. */
export function stepsNamed(ids: string[]): JsonObject[] {
  return ids.map((id) => ({ id, step_class: id }));
}

/** A promise and its resolver. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
