import type { Point } from './trend.js';

/** Bounds and allowed change of one metric. */
export interface Threshold {
  min_value?: number;
  max_value?: number;
  /** Largest allowed change from the previous value, in percent. */
  max_deviation_percent?: number;
  severity?: Severity;
}

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** Something unusual about a metric's latest value. */
export interface Anomaly {
  type: 'threshold_breach' | 'sudden_spike' | 'sudden_drop' | 'pattern_change';
  severity: Severity;
  metric: string;
  value: number;
  at: number;
  /** Percent past the bound or change, or the z-score. */
  deviation: number;
  expected: number;
}

/** Reference defaults: a baseline of the last 100 values, at least 10, z above 3. */
export const ANOMALY_DEFAULTS = { window: 100, min_baseline: 10, z: 3 } as const;

/**
 * Judges the latest point of a series against bounds, a z-score over the preceding `window` values
 * (a baseline without spread skips it) and the change from the previous value.
 */
export function detect(metric: string, series: readonly Point[], threshold: Threshold = {}, options: { window?: number; min_baseline?: number; z?: number } = {}): Anomaly[] {
  const { window, min_baseline, z: zMax } = { ...ANOMALY_DEFAULTS, ...options };
  if (series.length < min_baseline) return [];
  const { at, value } = series[series.length - 1]!;
  const base = (type: Anomaly['type'], severity: Severity, deviation: number, expected: number): Anomaly => ({ type, severity, metric, value, at, deviation, expected });
  const found: Anomaly[] = [];
  const severity = threshold.severity ?? 'medium';
  if (threshold.max_value !== undefined && value > threshold.max_value) found.push(base('threshold_breach', severity, ((value - threshold.max_value) / threshold.max_value) * 100, threshold.max_value));
  if (threshold.min_value !== undefined && value < threshold.min_value) found.push(base('threshold_breach', severity, ((threshold.min_value - value) / threshold.min_value) * 100, threshold.min_value));
  const baseline = series.slice(-window - 1, -1).map((p) => p.value);
  const mean = baseline.reduce((a, b) => a + b, 0) / baseline.length;
  const sd = Math.sqrt(baseline.reduce((a, b) => a + (b - mean) ** 2, 0) / (baseline.length - 1));
  const z = Math.abs(value - mean) / sd;
  if (sd > 0 && z > zMax) found.push(base(value > mean ? 'sudden_spike' : 'sudden_drop', z > 5 ? 'critical' : z > 4 ? 'high' : 'medium', z, mean));
  const prev = series[series.length - 2]!.value;
  const change = Math.abs((value - prev) / prev) * 100;
  if (threshold.max_deviation_percent !== undefined && prev !== 0 && change > threshold.max_deviation_percent) found.push(base('pattern_change', severity, change, prev));
  return found;
}

/** Remembers what it reported, so asking again about the same latest point reports nothing new. */
export class AnomalyDetector {
  readonly #reported = new Map<string, number>();

  /** New anomalies of the series' latest point. */
  check(metric: string, series: readonly Point[], threshold?: Threshold): Anomaly[] {
    const latest = series[series.length - 1];
    if (latest === undefined || this.#reported.get(metric) === latest.at) return [];
    const found = detect(metric, series, threshold);
    if (found.length) this.#reported.set(metric, latest.at);
    return found;
  }
}
