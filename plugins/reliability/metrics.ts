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
}

/** The reliability report (reference §3.1). */
export interface MetricsReport {
  period: { since: number | null; until: number | null };
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
  /** Mean step duration in ms; null with no steps. */
  tcl: number | null;
  /** Mean run duration in ms; null with no runs. */
  wct: number | null;
  /** Tokens per workflow: model tokens of successful runs / successful runs; null with none. */
  tpw: number | null;
  /** Cost per successful workflow: USD spent by every run / successful runs; null with none. */
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
const violates = (s: StepRecord): boolean => s.mode !== undefined && s.declared_mode !== undefined && s.mode !== s.declared_mode;
const HOUR = 36e5;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function rates(steps: StepRecord[]): StepBreakdown {
  const total = steps.length;
  const ok = steps.filter((s) => s.success).length;
  const comp = steps.filter((s) => s.required_compensation).length;
  const bad = steps.filter(violates).length;
  return { total_steps: total, successful_steps: ok, compensated_steps: comp, mode_violations: bad, svr: ratio(ok, total, 1), cr: ratio(comp, total, 0), ma: ratio(total - bad, total, 1) };
}

/** The metrics of the records the filter admits: a pure function of its arguments. */
export function metrics(records: { runs: readonly RunRecord[]; steps: readonly StepRecord[]; measurements?: readonly Measurement[] }, filter: MetricsFilter = {}): MetricsReport {
  const inWindow = (r: { pipeline: string; at: number }): boolean =>
    (filter.pipeline === undefined || r.pipeline === filter.pipeline) && (filter.since === undefined || r.at >= filter.since) && (filter.until === undefined || r.at < filter.until);
  const runs = records.runs.filter(inWindow);
  const steps = records.steps.filter((s) => inWindow(s) && (filter.step === undefined || s.step_id === filter.step));
  const all = rates(steps);
  const pc = ratio(runs.reduce((n, r) => n + r.retries, 0), runs.length, 0);
  const hir = ratio(runs.filter((r) => r.required_human).length, runs.length, 0);
  const succeeded = runs.filter((r) => r.success);
  const cost = runs.reduce((n, r) => n + r.cost_usd, 0);
  const perSuccess = (total: number): number | null => (succeeded.length === 0 ? null : total / succeeded.length);
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
    period: { since: filter.since ?? null, until: filter.until ?? null },
    total_runs: runs.length,
    total_steps: steps.length,
    svr: all.svr,
    cr: all.cr,
    pc,
    hir,
    ma: all.ma,
    tcl: mean(steps.map((s) => s.tool_duration_ms)),
    wct: mean(runs.map((r) => r.duration_ms)),
    tpw: perSuccess(succeeded.reduce((n, r) => n + r.tokens, 0)),
    cpsw: perSuccess(cost),
    total_cost_usd: cost,
    mtte: mtte(measured),
    rsr: rsr(measured),
    healthy: violations.length === 0,
    violations,
    per_step: Object.fromEntries(ids.map((id) => [id, rates(steps.filter((s) => s.step_id === id))])),
    svr_trend: trend([...hours].map(([at, inHour]) => ({ at, value: rates(inHour).svr }))),
  };
}
