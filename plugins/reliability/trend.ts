/** A metric's value at a time (epoch ms). */
export interface Point {
  at: number;
  value: number;
}

/** Direction of a series; for lower-is-better metrics the caller swaps improving and degrading. */
export type Direction = 'improving' | 'degrading' | 'stable' | 'volatile';

/** A least-squares fit of a series over time (reference §3.10). */
export interface Trend {
  direction: Direction;
  strength: 'strong' | 'moderate' | 'weak';
  /** Change per hour. */
  slope: number;
  intercept: number;
  r2: number;
  /** Sample standard deviation of the values. */
  volatility: number;
  /** The fitted line one hour after the last point. */
  predicted_value: number;
  points: number;
}

/** Defaults of the reference: at least 10 points; strong from R² 0.7. */
export const TREND_DEFAULTS = { min_points: 10, confidence: 0.7 } as const;

const H = 36e5;

/**
 * Ordinary least squares with x in hours since the first point; null with fewer than `min_points`.
 * Unlike the reference, a flat series (no variance) is `stable`, not `volatile`.
 */
export function trend(points: readonly Point[], options: { min_points?: number; confidence?: number } = {}): Trend | null {
  const { min_points, confidence } = { ...TREND_DEFAULTS, ...options };
  if (points.length < Math.max(2, min_points)) return null;
  const sorted = [...points].sort((a, b) => a.at - b.at);
  const xs = sorted.map((p) => (p.at - sorted[0]!.at) / H);
  const ys = sorted.map((p) => p.value);
  const n = ys.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const sxy = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  const ssTot = ys.reduce((a, y) => a + (y - my) ** 2, 0);
  const ssRes = ys.reduce((a, y, i) => a + (y - (intercept + slope * xs[i]!)) ** 2, 0);
  // Compared exactly: a mean of equal floats need not equal them, so ssTot may not be 0.
  const flat = ys.every((y) => y === ys[0]);
  const r2 = flat || sxx === 0 ? 0 : Math.max(0, 1 - ssRes / ssTot);
  const direction: Direction = flat ? 'stable' : r2 < 0.3 ? 'volatile' : Math.abs(slope) < 0.001 ? 'stable' : slope > 0 ? 'improving' : 'degrading';
  return {
    direction,
    strength: r2 >= confidence ? 'strong' : r2 >= 0.4 ? 'moderate' : 'weak',
    slope,
    intercept,
    r2,
    volatility: Math.sqrt(ssTot / (n - 1)),
    predicted_value: intercept + slope * (xs[n - 1]! + 1),
    points: n,
  };
}
