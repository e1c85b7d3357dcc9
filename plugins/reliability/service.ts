import type { RunEvent, RunSummary } from '#kernel';
import { metrics, type MetricsFilter, type MetricsReport } from './metrics.js';
import { project, type RunRecord, type StepRecord } from './records.js';

/** The `reliability` service: records and metrics projected from the stored run events. */
export interface ReliabilityService {
  /** Step and run records of the stored runs (of one pipeline, when the filter names it). */
  records(filter?: MetricsFilter): Promise<{ runs: RunRecord[]; steps: StepRecord[] }>;
  /** The metrics report over the stored runs the filter admits. */
  metrics(filter?: MetricsFilter): Promise<MetricsReport>;
}

/** What the service reads: stored run summaries and a run's events. */
export interface RunSource {
  list(pipeline?: string): Promise<RunSummary[]>;
  events(runId: string): Promise<RunEvent[]>;
}

/** Builds the service over a run source. */
export function reliabilityService(source: RunSource): ReliabilityService {
  const records = async (filter: MetricsFilter = {}): Promise<{ runs: RunRecord[]; steps: StepRecord[] }> => {
    const runs: RunRecord[] = [];
    const steps: StepRecord[] = [];
    for (const summary of await source.list(filter.pipeline)) {
      const projected = project(await source.events(summary.run_id));
      if (projected.run) runs.push(projected.run);
      steps.push(...projected.steps);
    }
    return { runs, steps };
  };
  return { records, metrics: async (filter = {}) => metrics(await records(filter), filter) };
}
