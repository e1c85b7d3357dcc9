import type { Logger } from '#kernel';
import type { AlertInput, AlertManager, AlertSeverity } from './alerts.js';
import { ANOMALY_DEFAULTS, AnomalyDetector, type Anomaly, type Threshold } from './anomaly.js';
import { metrics } from './metrics.js';
import type { RunRecord, StepRecord } from './records.js';
import { evaluateSlo, type Objectives } from './slo.js';
import type { Point } from './trend.js';

/** The metrics of the snapshots the watch hands to alert rules (the SLO ones only for pipelines with objectives). */
export const WATCHED_METRICS = ['svr', 'cr', 'pc', 'hir', 'ma', 'tcl', 'wct', 'tpw', 'cpsw', 'duration_ms', 'cost_usd', 'tokens', 'success', 'slo.budget_remaining', 'slo.burn_rate_fast', 'slo.burn_rate_slow'] as const;

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
  /** The stored records a pipeline's window starts from in this process; without it, windows start empty. */
  stored?: StoredWindow;
  now?: () => number;
}

/** Records of one pipeline, oldest first. */
export interface RecentRecords {
  runs: RunRecord[];
  steps: StepRecord[];
}

/** Where a pipeline's window is seeded from, and where a failure to read it is reported. */
export interface StoredWindow {
  /** The pipeline's newest stored records, at most `limit` runs. */
  read(pipeline: string, limit: number): Promise<RecentRecords>;
  log: Logger;
}

interface Window extends RecentRecords {
  duration_ms: Series;
  cost_usd: Series;
}

type Ended = [run: RunRecord, steps: readonly StepRecord[]];

/** Runs that ended while their pipeline's window was being read from the store. */
interface Waiting {
  runs: Ended[];
  done: Promise<void>;
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
 * A process (one `weft run`) sees few runs of its own, so a pipeline's window starts from its
 * stored records, read once when the pipeline's first run in the process ends.
 */
export class Watch {
  readonly #o: WatchOptions;
  readonly #now: () => number;
  readonly #recent = new Map<string, Window>();
  readonly #waiting = new Map<string, Waiting>();
  readonly #detector = new AnomalyDetector();

  constructor(options: WatchOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Takes in one ended run; resolves once what it gives rise to is raised (undefined when nothing is: the common case costs no promise). */
  observe(run: RunRecord, steps: readonly StepRecord[]): Promise<void> | undefined {
    const recent = this.#recent.get(run.pipeline);
    if (recent !== undefined) return this.#judge(recent, run, steps);
    const waiting = this.#waiting.get(run.pipeline);
    if (waiting !== undefined) {
      waiting.runs.push([run, steps]);
      return waiting.done;
    }
    if (this.#o.stored === undefined) return this.#judge(this.#open(run.pipeline, { runs: [], steps: [] }), run, steps);
    return this.#seed(run.pipeline, this.#o.stored, [[run, steps]]);
  }

  /** Reads the pipeline's stored window, then judges the runs that ended meanwhile, in the order they ended. */
  #seed(pipeline: string, stored: StoredWindow, runs: Ended[]): Promise<void> {
    const read = stored.read(pipeline, RECENT).catch((e: unknown) => {
      stored.log.warn(`the alert and anomaly window of ${pipeline} holds only this process's runs: its stored runs could not be read: ${(e as Error).message}`);
      return { runs: [], steps: [] };
    });
    const done = read.then(async (records) => {
      this.#waiting.delete(pipeline);
      // The records of runs judged here may have been stored while the window was read.
      const ours = new Set(runs.map(([r]) => r.run_id));
      const recent = this.#open(pipeline, { runs: records.runs.filter((r) => !ours.has(r.run_id)), steps: records.steps.filter((s) => !ours.has(s.run_id)) });
      await Promise.all(runs.map(([run, steps]) => this.#judge(recent, run, steps)));
    });
    this.#waiting.set(pipeline, { runs, done });
    return done;
  }

  /** A pipeline's window, starting from `records`. */
  #open(pipeline: string, records: RecentRecords): Window {
    const recent: Window = { runs: records.runs.slice(-RECENT), steps: this.#needsSteps(this.#o.objectives(pipeline)) ? records.steps.slice(-RECENT) : [], duration_ms: new Series(), cost_usd: new Series() };
    for (const r of recent.runs.slice(-ANOMALY_DEFAULTS.window)) {
      // A record from user code may leave either out.
      if (r.duration_ms !== undefined) recent.duration_ms.push(r.at, r.duration_ms);
      if (r.cost_usd !== undefined) recent.cost_usd.push(r.at, r.cost_usd);
    }
    this.#recent.set(pipeline, recent);
    return recent;
  }

  // Step records are only looked at by rules and SLOs (cr_max).
  #needsSteps(objectives: Objectives | undefined): boolean {
    return this.#o.alerts.rules.length > 0 || objectives !== undefined;
  }

  #judge(recent: Window, run: RunRecord, steps: readonly StepRecord[]): Promise<void> | undefined {
    const { pipeline } = run;
    recent.runs.push(run);
    const objectives = this.#o.objectives(pipeline);
    if (this.#needsSteps(objectives)) recent.steps.push(...steps);
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
    // Computed before the first await: later runs must not be in this run's window.
    const report = this.#o.alerts.rules.length === 0 ? undefined : metrics(recent, { pipeline });
    for (const alert of alerts) await this.#o.alerts.trigger(alert);
    if (report === undefined) return;
    Object.assign(values, { svr: report.svr, cr: report.cr, pc: report.pc, hir: report.hir, ma: report.ma, tcl: report.tcl, wct: report.wct, tpw: report.tpw, cpsw: report.cpsw });
    await this.#o.alerts.evaluate({ pipeline, at: now, values });
    const trend = report.svr_trend;
    if (trend?.direction === 'degrading' && trend.strength !== 'weak') {
      await this.#o.alerts.trigger({ type: 'trend_warning', severity: 'warning', title: `SVR of ${pipeline} is degrading`, message: `Hourly SVR of ${pipeline} falls by ${(-trend.slope * 100).toFixed(2)} points an hour (R² ${trend.r2.toFixed(2)})`, source: `${pipeline}.svr`, context: { ...trend } });
    }
  }
}
