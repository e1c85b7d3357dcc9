import type { AlertInput, AlertManager, AlertSeverity } from './alerts.js';
import { ANOMALY_DEFAULTS, AnomalyDetector, type Anomaly, type Threshold } from './anomaly.js';
import { metrics } from './metrics.js';
import type { RunRecord, StepRecord } from './records.js';
import { evaluateSlo, type Objectives } from './slo.js';
import type { Point } from './trend.js';

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
 * The last `window + 1` values of one metric in a ring, so that the common case (the latest value
 * is ordinary) costs one pass over plain numbers and no allocation; only a value that may be an
 * anomaly is handed, as points, to the detector.
 */
class Series {
  readonly #values = new Float64Array(ANOMALY_DEFAULTS.window + 1);
  readonly #ats = new Float64Array(ANOMALY_DEFAULTS.window + 1);
  #count = 0;

  push(at: number, value: number): void {
    const i = this.#count++ % this.#values.length;
    this.#values[i] = value;
    this.#ats[i] = at;
  }

  /** Whether the latest value is more than `z` sample deviations from the mean of the values before it. */
  unusual(z: number): boolean {
    const n = Math.min(this.#count, this.#values.length);
    if (n < ANOMALY_DEFAULTS.min_baseline) return false;
    const latest = (this.#count - 1) % this.#values.length;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      if (i === latest) continue;
      sum += this.#values[i]!;
      squares += this.#values[i]! ** 2;
    }
    const mean = sum / (n - 1);
    const variance = (squares - (n - 1) * mean * mean) / (n - 2);
    return variance > 0 && Math.abs(this.#values[latest]! - mean) > z * Math.sqrt(variance);
  }

  /** The values as points, oldest first. */
  points(): Point[] {
    const n = Math.min(this.#count, this.#values.length);
    const first = this.#count - n;
    return Array.from({ length: n }, (_, k) => {
      const i = (first + k) % this.#values.length;
      return { at: this.#ats[i]!, value: this.#values[i]! };
    });
  }
}

/**
 * Looks at every run record as it is made: anomalies in the pipeline's run durations and costs,
 * its SLO, and the configured alert rules over the pipeline's recent records, which are evaluated
 * on each new record. What it finds goes to the alert manager (cooldowns and channels are its).
 */
export class Watch {
  readonly #o: WatchOptions;
  readonly #now: () => number;
  readonly #recent = new Map<string, { runs: RunRecord[]; steps: StepRecord[]; duration_ms: Series; cost_usd: Series }>();
  readonly #detector = new AnomalyDetector();

  constructor(options: WatchOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Takes in one ended run; resolves once what it gives rise to is raised (undefined when nothing is: the common case costs no promise). */
  observe(run: RunRecord, steps: readonly StepRecord[]): Promise<void> | undefined {
    const { pipeline } = run;
    let recent = this.#recent.get(pipeline);
    if (recent === undefined) this.#recent.set(pipeline, (recent = { runs: [], steps: [], duration_ms: new Series(), cost_usd: new Series() }));
    recent.runs.push(run);
    const objectives = this.#o.objectives(pipeline);
    // Step records are only looked at by rules and SLOs (cr_max).
    if (this.#o.alerts.rules.length > 0 || objectives !== undefined) recent.steps.push(...steps);
    if (recent.runs.length > 2 * RECENT) recent.runs = recent.runs.slice(-RECENT);
    if (recent.steps.length > 2 * RECENT) recent.steps = recent.steps.slice(-RECENT);
    const alerts: AlertInput[] = [];
    for (const metric of ['duration_ms', 'cost_usd'] as const) {
      const name = `${pipeline}.${metric}`;
      const value = run[metric];
      // A record from user code may leave the metric out.
      if (value === undefined) continue;
      const series = recent[metric];
      series.push(run.at, value);
      const threshold = this.#o.thresholds?.[name];
      if (threshold === undefined && !series.unusual(ANOMALY_DEFAULTS.z)) continue;
      for (const a of this.#detector.check(name, series.points(), threshold)) {
        alerts.push({ type: 'anomaly_detected', severity: ANOMALY_SEVERITY[a.severity], title: `Anomaly in ${name}: ${a.type.replace('_', ' ')}`, message: `${name} is ${a.value} where ${a.expected} was expected (deviation ${a.deviation.toFixed(2)})`, source: name, context: { ...a } });
      }
    }
    const now = this.#now();
    const values: Record<string, number | null> = { duration_ms: run.duration_ms ?? null, cost_usd: run.cost_usd ?? null, tokens: run.tokens ?? null, success: run.success ? 1 : 0 };
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
    if (alerts.length === 0 && this.#o.alerts.rules.length === 0) return undefined;
    return this.#raise(alerts, pipeline, recent, values, now);
  }

  async #raise(alerts: readonly AlertInput[], pipeline: string, recent: { runs: RunRecord[]; steps: StepRecord[] }, values: Record<string, number | null>, now: number): Promise<void> {
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
