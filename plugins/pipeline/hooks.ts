import { AsyncSeriesBailHook, AsyncSeriesHook, SyncHook } from 'tapable';
import type { JsonObject, RunEvent, RunMeta, StepInvocation, StepOverride } from '#kernel';

/** A problem found in a pipeline document, at the JSON path of the offending field. */
export interface ValidationIssue {
  code: string;
  message: string;
  path: string;
}

/**
 * The pipeline plugin's hooks. `pipeline.event` sees every run event, in order, and is awaited
 * before the run goes on (a checkpoint tap makes a step durable before the next one starts).
 * `pipeline.beforeStep` may return `{ output }` to stand in for the step (replay) or throw to veto it.
 * Neither costs anything when nobody taps it. `pipeline.validate` lets a plugin check the parts of a
 * pipeline document it owns (reliability's `slo` block): it sees every document that passed the
 * schema, at `weft validate` and before every run, and adds errors or warnings. `pipeline.claim`
 * runs once before a run starts or resumes in this process, before its first event: a tap that
 * throws refuses the run, and run() or resume() rejects with its error with nothing written (the
 * checkpoint plugin takes the run's lease there, so a run executes in one process at a time).
 */
export function createPipelineHooks() {
  return {
    'pipeline.claim': new AsyncSeriesHook<[RunMeta, { resuming: boolean }]>(['run', 'claim']),
    'pipeline.event': new AsyncSeriesHook<[RunEvent, RunMeta]>(['event', 'run']),
    'pipeline.beforeStep': new AsyncSeriesBailHook<[StepInvocation], StepOverride | undefined>(['invocation']),
    'pipeline.validate': new SyncHook<[JsonObject, { errors: ValidationIssue[]; warnings: ValidationIssue[] }]>(['document', 'report']),
  };
}

/** The pipeline plugin's hook set. */
export type PipelineHooks = ReturnType<typeof createPipelineHooks>;
