import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mtte, rsr, type Measurement } from '../../../plugins/reliability/measurements.js';

const m = (over: Partial<Measurement>): Measurement => ({ kind: 'mtte', run_id: 'r', pipeline: 'p', at: 0, success: true, ...over });

const slo = suite('reliability: MTTE and RSR (reference §3.2)');

slo('MTTE uses successful measurements only, sorted[floor(n·q)] percentiles; compliant iff p95 ≤ target', () => {
  const durations = [50, 10, 40, 30, 20];
  const all = [...durations.map((d) => m({ duration_ms: d })), m({ success: false, duration_ms: 9e9 }), m({ kind: 'rsr' })];
  assert.equal(mtte(all), { count: 5, avg_ms: 30, p50_ms: 30, p95_ms: 50, p99_ms: 50, target_ms: 300_000, compliant: true });
  assert.equal([mtte(all, 50).compliant, mtte(all, 49).compliant], [true, false]);
  assert.equal(mtte([]), { count: 0, avg_ms: 0, p50_ms: 0, p95_ms: 0, p99_ms: 0, target_ms: 300_000, compliant: true });
  // A measurement without a duration counts as instant.
  assert.is(mtte([m({})]).avg_ms, 0);
});

slo('RSR is successes / attempts (1 with none), optionally of one mode; compliant iff ≥ target', () => {
  const attempts = [m({ kind: 'rsr', mode: 'strict' }), m({ kind: 'rsr', mode: 'strict', success: false }), m({ kind: 'rsr', mode: 'simulated' }), m({ duration_ms: 1 })];
  assert.equal(rsr(attempts), { attempts: 3, successes: 2, rsr: 2 / 3, target: 0.99, compliant: false });
  assert.equal(rsr(attempts, 'strict').rsr, 0.5);
  assert.equal(rsr(attempts, 'simulated'), { attempts: 1, successes: 1, rsr: 1, target: 0.99, compliant: true });
  assert.equal(rsr([]), { attempts: 0, successes: 0, rsr: 1, target: 0.99, compliant: true });
  assert.equal([rsr(attempts, undefined, 2 / 3).compliant], [true]);
});

slo.run();
