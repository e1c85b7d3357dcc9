import type { CallRecord, RunEvent, RunSummary } from '#kernel';
import type { Measurement } from './measurements.js';
import { metrics, type MetricsFilter, type MetricsReport } from './metrics.js';
import { project, type RunRecord, type StepRecord } from './records.js';

/** The `reliability` service: records and metrics projected from the stored run events. */
export interface ReliabilityService {
  /** Step and run records of the stored runs (of one pipeline, when the filter names it). */
  records(filter?: MetricsFilter): Promise<{ runs: RunRecord[]; steps: StepRecord[] }>;
  /** The metrics report over the stored runs (and added records) the filter admits. */
  metrics(filter?: MetricsFilter): Promise<MetricsReport>;
  /** Adds records from user code (work done outside pipelines, steps with a `mode`); kept in memory for this process. */
  add(records: { runs?: RunRecord[]; steps?: StepRecord[] }): void;
  /** Records an SLO measurement (MTTE, RSR). */
  measure(measurement: Measurement): Promise<void>;
  /** A model or tool call's cost in USD. */
  price(call: CallRecord): number;
}

/** What the service reads: stored run summaries and a run's events. */
export interface RunSource {
  list(pipeline?: string): Promise<RunSummary[]>;
  events(runId: string): Promise<RunEvent[]>;
}

/** Builds the service over a run source. */
export function reliabilityService(source: RunSource): ReliabilityService {
  const added: { runs: RunRecord[]; steps: StepRecord[]; measurements: Measurement[] } = { runs: [], steps: [], measurements: [] };
  const records = async (filter: MetricsFilter = {}): Promise<{ runs: RunRecord[]; steps: StepRecord[] }> => {
    const mine = (r: { pipeline: string }): boolean => filter.pipeline === undefined || r.pipeline === filter.pipeline;
    const runs: RunRecord[] = added.runs.filter(mine);
    const steps: StepRecord[] = added.steps.filter(mine);
    for (const summary of await source.list(filter.pipeline)) {
      const projected = project(await source.events(summary.run_id));
      if (projected.run) runs.push(projected.run);
      steps.push(...projected.steps);
    }
    return { runs, steps };
  };
  return {
    records,
    metrics: async (filter = {}) => metrics(await records(filter), filter),
    price: () => 0,
    async measure(measurement) {
      added.measurements.push(measurement);
    },
    add(records) {
      added.runs.push(...(records.runs ?? []));
      added.steps.push(...(records.steps ?? []));
    },
  };
}
