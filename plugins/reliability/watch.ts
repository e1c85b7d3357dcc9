import type { AlertInput, AlertManager, AlertSeverity } from './alerts.js';
import { AnomalyDetector, type Anomaly, type Threshold } from './anomaly.js';
import { metrics } from './metrics.js';
import type { RunRecord, StepRecord } from './records.js';
import { evaluateSlo, type Objectives } from './slo.js';

/** How many recent records per pipeline the watch keeps (its windows for rules, SLOs and anomalies). */
export const RECENT = 1000;
const ANOMALY_SEVERITY: Record<Anomaly['severity'], AlertSeverity> = { low: 'info', medium: 'warning', high: 'error', critical: 'critical' };

/** What the watch is given. */
export interface WatchOptions {
  alerts: AlertManager;
  /** A pipeline's objectives (configured or declared in its file), if it has any. */
  objectives(pipeline: string): Objectives | undefined;
  /** Bounds per metric (`<pipeline>.duration_ms`, `<pipeline>.cost_usd`), beside the z-score check. */
  thresholds?: Readonly<Record<string, Threshold>>;
  now?: () => number;
}

/**
 * Looks at every run record as it is made: anomalies in the pipeline's run durations and costs,
 * its SLO, and the configured alert rules over the pipeline's recent records, which are evaluated
 * on each new record. What it finds goes to the alert manager (cooldowns and channels are its).
 */
export class Watch {
  readonly #o: WatchOptions;
  readonly #now: () => number;
  readonly #recent = new Map<string, { runs: RunRecord[]; steps: StepRecord[] }>();
  readonly #detector = new AnomalyDetector();

  constructor(options: WatchOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Takes in one ended run and raises what it gives rise to. */
  async observe(run: RunRecord, steps: readonly StepRecord[]): Promise<void> {
    const { pipeline } = run;
    let recent = this.#recent.get(pipeline);
    if (recent === undefined) this.#recent.set(pipeline, (recent = { runs: [], steps: [] }));
    recent.runs.push(run);
    recent.steps.push(...steps);
    if (recent.runs.length > 2 * RECENT) recent.runs = recent.runs.slice(-RECENT);
    if (recent.steps.length > 2 * RECENT) recent.steps = recent.steps.slice(-RECENT);
    const alerts: AlertInput[] = [];
    for (const metric of ['duration_ms', 'cost_usd'] as const) {
      const name = `${pipeline}.${metric}`;
      const series = recent.runs.slice(-101).map((r) => ({ at: r.at, value: r[metric] }));
      for (const a of this.#detector.check(name, series, this.#o.thresholds?.[name])) {
        alerts.push({ type: 'anomaly_detected', severity: ANOMALY_SEVERITY[a.severity], title: `Anomaly in ${name}: ${a.type.replace('_', ' ')}`, message: `${name} is ${a.value} where ${a.expected} was expected (deviation ${a.deviation.toFixed(2)})`, source: name, context: { ...a } });
      }
    }
    const now = this.#now();
    const objectives = this.#o.objectives(pipeline);
    const values: Record<string, number | null> = { duration_ms: run.duration_ms, cost_usd: run.cost_usd, tokens: run.tokens, success: run.success ? 1 : 0 };
    if (objectives !== undefined) {
      const slo = evaluateSlo(pipeline, objectives, recent, now);
      values['slo.budget_remaining'] = slo.error_budget_remaining;
      values['slo.burn_rate_fast'] = slo.burn_rate?.fast ?? null;
      values['slo.burn_rate_slow'] = slo.burn_rate?.slow ?? null;
      if (!slo.compliant) {
        const broken = slo.objectives.filter((o) => !o.compliant).map((o) => `${o.objective} ${o.actual} (target ${o.target})`);
        alerts.push({ type: 'slo_breach', severity: 'critical', title: `SLO breach: ${pipeline}`, message: `${pipeline} misses ${broken.join(', ')}`, source: pipeline, context: { objectives: slo.objectives, error_budget_remaining: slo.error_budget_remaining } });
      }
    }
    for (const alert of alerts) await this.#o.alerts.trigger(alert);
    if (this.#o.alerts.rules.length === 0) return;
    const report = metrics(recent, { pipeline });
    Object.assign(values, { svr: report.svr, cr: report.cr, pc: report.pc, hir: report.hir, ma: report.ma, tcl: report.tcl, wct: report.wct, tpw: report.tpw, cpsw: report.cpsw });
    await this.#o.alerts.evaluate({ pipeline, at: now, values });
    const trend = report.svr_trend;
    if (trend?.direction === 'degrading' && trend.strength !== 'weak') {
      await this.#o.alerts.trigger({ type: 'trend_warning', severity: 'warning', title: `SVR of ${pipeline} is degrading`, message: `Hourly SVR of ${pipeline} falls by ${(-trend.slope * 100).toFixed(2)} points an hour (R² ${trend.r2.toFixed(2)})`, source: `${pipeline}.svr`, context: { ...trend } });
    }
  }
}
