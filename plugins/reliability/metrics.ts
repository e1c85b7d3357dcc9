import { perSuccessfulRun } from './cost-report.js';
import { sumUsd } from './cost.js';
import { mtte, rsr, type Measurement, type MtteReport, type RsrReport } from './measurements.js';
import type { RunRecord, StepRecord } from './records.js';
import { trend, type Trend } from './trend.js';

/** Which records a metric covers; times are milliseconds since the epoch, `until` exclusive. */
export interface MetricsFilter {
  pipeline?: string;
  step?: string;
  since?: number;
  until?: number;
}

/** Counts and rates of one step id. */
export interface StepBreakdown {
  total_steps: number;
  successful_steps: number;
  compensated_steps: number;
  mode_violations: number;
  svr: number;
  cr: number;
  ma: number;
  /** Mean tool time of its records that recorded tool calls; null when none did. */
  tcl: number | null;
}

/** The reliability report (reference §3.1). */
export interface MetricsReport {
  /** From the filter's `since`, else the earliest admitted record (null with none), to its `until`, else now. */
  period: { since: number | null; until: number };
  total_runs: number;
  total_steps: number;
  /** Step validity rate: successful steps / steps; 1 with no steps. */
  svr: number;
  /** Compensation rate: compensated steps / steps; 0 with no steps. */
  cr: number;
  /** Plan churn: retries / runs; 0 with no runs. */
  pc: number;
  /** Human intervention rate: runs a human answered / runs; 0 with no runs. */
  hir: number;
  /** Mode adherence: steps without a mode violation / steps; 1 with no steps. */
  ma: number;
  /** Tool call latency: mean `tool_duration_ms` of the steps that have one; null with none. */
  tcl: number | null;
  /** Mean `duration_ms` of the runs that have one; null with none. */
  wct: number | null;
  /** Tokens per workflow: model tokens of successful runs / successful runs; null with none. */
  tpw: number | null;
  /** Cost per successful workflow: USD spent by successful runs / successful runs; null with none. */
  cpsw: number | null;
  /** USD spent by the runs. */
  total_cost_usd: number;
  /** Mean time to explain (`weft explain`). */
  mtte: MtteReport;
  /** Replay success rate (`weft replay`). */
  rsr: RsrReport;
  healthy: boolean;
  violations: string[];
  per_step: Record<string, StepBreakdown>;
  /** Least-squares trend of hourly SVR; null with fewer than 10 hours that have steps. */
  svr_trend: Trend | null;
}

/** Healthy thresholds, each strict (reference §3.1). */
export const TARGETS = { svr: 0.95, cr: 0.1, pc: 2, hir: 0.05, ma: 0.9 } as const;

const ratio = (part: number, whole: number, empty: number): number => (whole === 0 ? empty : part / whole);
const mean = (values: number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
/** The values a field has where it is present. */
const present = <T>(items: readonly T[], value: (item: T) => number | undefined): number[] => items.flatMap((item) => value(item) ?? []);
const violates = (s: StepRecord): boolean => s.mode !== undefined && s.declared_mode !== undefined && s.mode !== s.declared_mode;
const HOUR = 36e5;
const earliest = (records: readonly { at: number }[]): number | null => (records.length === 0 ? null : records.reduce((min, r) => Math.min(min, r.at), Infinity));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function rates(steps: StepRecord[]): StepBreakdown {
  const total = steps.length;
  const ok = steps.filter((s) => s.success).length;
  const comp = steps.filter((s) => s.required_compensation).length;
  const bad = steps.filter(violates).length;
  const tcl = mean(present(steps, (s) => s.tool_duration_ms));
  return { total_steps: total, successful_steps: ok, compensated_steps: comp, mode_violations: bad, svr: ratio(ok, total, 1), cr: ratio(comp, total, 0), ma: ratio(total - bad, total, 1), tcl };
}

/** Whether a record lies in the filter's pipeline and window (`since` inclusive, `until` exclusive). */
export function admits(filter: MetricsFilter): (r: { pipeline?: string; at: number }) => boolean {
  return (r) => (filter.pipeline === undefined || r.pipeline === filter.pipeline) && (filter.since === undefined || r.at >= filter.since) && (filter.until === undefined || r.at < filter.until);
}

/** The metrics of the records the filter admits at `now`: a pure function of its arguments. */
export function metrics(records: { runs: readonly RunRecord[]; steps: readonly StepRecord[]; measurements?: readonly Measurement[] }, filter: MetricsFilter = {}, now = Date.now()): MetricsReport {
  const inWindow = admits(filter);
  const runs = records.runs.filter(inWindow);
  const steps = records.steps.filter((s) => inWindow(s) && (filter.step === undefined || s.step_id === filter.step));
  const all = rates(steps);
  const pc = ratio(runs.reduce((n, r) => n + r.retries, 0), runs.length, 0);
  const hir = ratio(runs.filter((r) => r.required_human).length, runs.length, 0);
  const perSuccess = perSuccessfulRun(runs);
  const measured = (records.measurements ?? []).filter(inWindow);
  const violations = [
    ...(all.svr <= TARGETS.svr ? [`SVR too low: ${pct(all.svr)} (target >${pct(TARGETS.svr)})`] : []),
    ...(all.cr >= TARGETS.cr ? [`CR too high: ${pct(all.cr)} (target <${pct(TARGETS.cr)})`] : []),
    ...(pc >= TARGETS.pc ? [`PC too high: ${pc.toFixed(2)} (target <${TARGETS.pc})`] : []),
    ...(hir >= TARGETS.hir ? [`HIR too high: ${pct(hir)} (target <${pct(TARGETS.hir)})`] : []),
    ...(all.ma <= TARGETS.ma ? [`MA too low: ${pct(all.ma)} (target >${pct(TARGETS.ma)})`] : []),
  ];
  const hours = new Map<number, StepRecord[]>();
  for (const s of steps) {
    const hour = Math.floor(s.at / HOUR) * HOUR;
    hours.set(hour, [...(hours.get(hour) ?? []), s]);
  }
  const ids = [...new Set(steps.map((s) => s.step_id))].sort();
  return {
    period: { since: filter.since ?? earliest([...runs, ...steps, ...measured]), until: filter.until ?? now },
    total_runs: runs.length,
    total_steps: steps.length,
    svr: all.svr,
    cr: all.cr,
    pc,
    hir,
    ma: all.ma,
    tcl: all.tcl,
    wct: mean(present(runs, (r) => r.duration_ms)),
    tpw: perSuccess.tpw,
    cpsw: perSuccess.cpsw,
    total_cost_usd: sumUsd(present(runs, (r) => r.cost_usd)),
    mtte: mtte(measured),
    rsr: rsr(measured),
    healthy: violations.length === 0,
    violations,
    per_step: Object.fromEntries(ids.map((id) => [id, rates(steps.filter((s) => s.step_id === id))])),
    svr_trend: trend([...hours].map(([at, inHour]) => ({ at, value: rates(inHour).svr }))),
  };
}
