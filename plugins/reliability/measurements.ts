import { percentile } from './slo.js';

/**
 * One SLO measurement (reference §3.2): `mtte` is the time it took to rebuild and explain a run's
 * decisions (`weft explain`), `rsr` one replay attempt and whether it reproduced the run.
 */
export interface Measurement {
  kind: 'mtte' | 'rsr';
  run_id: string;
  pipeline: string;
  /** Milliseconds since the epoch. */
  at: number;
  success: boolean;
  /** MTTE: how long the explanation took. */
  duration_ms?: number;
  /** RSR: the replay mode. */
  mode?: string;
  error?: string;
}

/** MTTE target: a decision explained within five minutes (p95). */
export const MTTE_TARGET_MS = 300_000;
/** RSR target: 99% of replays reproduce their run. */
export const RSR_TARGET = 0.99;

/** Mean time to explain over successful measurements; zeros with none. */
export interface MtteReport {
  count: number;
  avg_ms: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  target_ms: number;
  compliant: boolean;
}

/** Replay success rate: successes / attempts, 1 with no attempts. */
export interface RsrReport {
  attempts: number;
  successes: number;
  rsr: number;
  target: number;
  compliant: boolean;
}

/** MTTE statistics of the successful measurements, `sorted[floor(n·q)]` percentiles; compliant iff p95 ≤ target. */
export function mtte(measurements: readonly Measurement[], target = MTTE_TARGET_MS): MtteReport {
  const durations = measurements.filter((m) => m.kind === 'mtte' && m.success).map((m) => m.duration_ms ?? 0);
  const avg = durations.length === 0 ? 0 : durations.reduce((a, b) => a + b, 0) / durations.length;
  const p95 = percentile(durations, 0.95);
  return { count: durations.length, avg_ms: avg, p50_ms: percentile(durations, 0.5), p95_ms: p95, p99_ms: percentile(durations, 0.99), target_ms: target, compliant: p95 <= target };
}

/** RSR over the replay attempts (of one mode, when given); compliant iff rsr ≥ target. */
export function rsr(measurements: readonly Measurement[], mode?: string, target = RSR_TARGET): RsrReport {
  const attempts = measurements.filter((m) => m.kind === 'rsr' && (mode === undefined || m.mode === mode));
  const successes = attempts.filter((m) => m.success).length;
  const rate = attempts.length === 0 ? 1 : successes / attempts.length;
  return { attempts: attempts.length, successes, rsr: rate, target, compliant: rate >= target };
}
