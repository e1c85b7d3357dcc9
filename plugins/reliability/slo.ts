import { metrics } from './metrics.js';
import type { RunRecord, StepRecord } from './records.js';

/** A pipeline's objectives (any subset). */
export interface Objectives {
  success_rate?: number;
  p95_duration_ms?: number;
  hir_max?: number;
  cr_max?: number;
}

/** The windows an SLO is evaluated over, in ms. */
export interface SloWindows {
  /** The error budget's period (default 30 days). */
  budget: number;
  /** Short burn-rate window (default 1 hour). */
  fast: number;
  /** Long burn-rate window (default 6 hours). */
  slow: number;
}

/** Default windows: a 30-day budget, burn rates over the last hour and the last 6 hours. */
export const DEFAULT_WINDOWS: SloWindows = { budget: 30 * 864e5, fast: 36e5, slow: 6 * 36e5 };

/** One objective's evaluation. */
export interface ObjectiveStatus {
  objective: keyof Objectives;
  target: number;
  actual: number;
  compliant: boolean;
}

/** A pipeline's SLO report. */
export interface SloReport {
  pipeline: string;
  runs: number;
  objectives: ObjectiveStatus[];
  /** Share of the success-rate error budget left in the budget window (1 with no runs; negative when overspent). */
  error_budget_remaining: number | null;
  /** Failure rate / allowed failure rate over the fast and slow windows (0 with no runs). */
  burn_rate: { fast: number; slow: number } | null;
  compliant: boolean;
}

/** `sorted[floor(n·q)]` of ascending values, 0 when empty (reference §3.2 indexing). */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

const failureRate = (runs: readonly RunRecord[]): number => (runs.length === 0 ? 0 : runs.filter((r) => !r.success).length / runs.length);

/** Evaluates one pipeline's objectives over its records at `now`: a pure function. */
export function evaluateSlo(pipeline: string, objectives: Objectives, records: { runs: readonly RunRecord[]; steps: readonly StepRecord[] }, now: number, windows: SloWindows = DEFAULT_WINDOWS): SloReport {
  const since = (ms: number) => records.runs.filter((r) => r.pipeline === pipeline && r.at >= now - ms && r.at <= now);
  const runs = since(windows.budget);
  const report = metrics(records, { pipeline, since: now - windows.budget, until: now + 1 });
  const statuses: ObjectiveStatus[] = [];
  const lower = (objective: keyof Objectives, actual: number): void => {
    const target = objectives[objective];
    if (target !== undefined) statuses.push({ objective, target, actual, compliant: actual <= target });
  };
  const rate = objectives.success_rate;
  if (rate !== undefined) statuses.push({ objective: 'success_rate', target: rate, actual: 1 - failureRate(runs), compliant: 1 - failureRate(runs) >= rate });
  lower('p95_duration_ms', percentile(runs.flatMap((r) => r.duration_ms ?? []), 0.95));
  lower('hir_max', report.hir);
  lower('cr_max', report.cr);
  // success_rate < 1 (the config schema's exclusiveMaximum), so some failures are always allowed.
  const burn = (ms: number): number => failureRate(since(ms)) / (1 - rate!);
  return {
    pipeline,
    runs: runs.length,
    objectives: statuses,
    error_budget_remaining: rate === undefined ? null : 1 - burn(windows.budget),
    burn_rate: rate === undefined ? null : { fast: burn(windows.fast), slow: burn(windows.slow) },
    compliant: statuses.every((s) => s.compliant),
  };
}
