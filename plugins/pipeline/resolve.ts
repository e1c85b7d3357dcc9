import { WeftError, type StepImplementation } from '#kernel';
import { PipelineErrors } from './errors.js';
import type { StepDef } from './model.js';

/** Imports a module relative to a directory (the kernel's importModule, cached per pipeline service). */
export type ModuleLoader = (specifier: string, fromDir: string) => Promise<Record<string, unknown>>;

/** Whether an implementation is a class with `run` (constructed per run) rather than a function. */
export function isStepClass(impl: StepImplementation): impl is Extract<StepImplementation, new (...args: never[]) => unknown> {
  return typeof (impl as { prototype?: { run?: unknown } }).prototype?.run === 'function';
}

/**
 * Resolves a step (spec §2): `step_class` among the registered implementations first, otherwise the
 * export named `step_class` (or the default export) of `module`, relative to the pipeline file.
 */
export async function resolveStep(step: StepDef, lookup: (name: string) => StepImplementation | undefined, baseDir: string, load: ModuleLoader): Promise<StepImplementation> {
  const registered = step.step_class === undefined ? undefined : lookup(step.step_class);
  if (registered) return registered;
  if (step.module === undefined) {
    const name = step.step_class ?? '(none)';
    throw new WeftError(PipelineErrors.STEP_UNRESOLVED, `Step "${step.id}": step class "${name}" is not registered and the step names no module; register it (--steps) or add "module"`, { path: `${step.path}.step_class`, data: { step_id: step.id } });
  }
  let mod: Record<string, unknown>;
  try {
    mod = await load(step.module, baseDir);
  } catch (e: unknown) {
    throw new WeftError(PipelineErrors.STEP_UNRESOLVED, `Step "${step.id}": cannot load module "${step.module}": ${(e as Error).message}`, { path: `${step.path}.module`, cause: e, data: { step_id: step.id } });
  }
  const exportName = step.step_class ?? 'default';
  const impl = mod[exportName];
  if (typeof impl !== 'function') {
    throw new WeftError(PipelineErrors.STEP_UNRESOLVED, `Step "${step.id}": module "${step.module}" has no function or class export "${exportName}"`, { path: `${step.path}.${step.step_class === undefined ? 'module' : 'step_class'}`, data: { step_id: step.id } });
  }
  return impl as StepImplementation;
}
