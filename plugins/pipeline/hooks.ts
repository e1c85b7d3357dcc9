import { AsyncSeriesBailHook, AsyncSeriesHook } from 'tapable';
import type { RunEvent, RunMeta, StepInvocation, StepOverride } from '#kernel';

/**
 * The pipeline plugin's hooks. `pipeline.event` sees every run event, in order, and is awaited
 * before the run goes on (a checkpoint tap makes a step durable before the next one starts).
 * `pipeline.beforeStep` may return `{ output }` to stand in for the step (replay) or throw to veto it.
 * Neither costs anything when nobody taps it.
 */
export function createPipelineHooks() {
  return {
    'pipeline.event': new AsyncSeriesHook<[RunEvent, RunMeta]>(['event', 'run']),
    'pipeline.beforeStep': new AsyncSeriesBailHook<[StepInvocation], StepOverride | undefined>(['invocation']),
  };
}

/** The pipeline plugin's hook set. */
export type PipelineHooks = ReturnType<typeof createPipelineHooks>;
