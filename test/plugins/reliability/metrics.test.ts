import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { metrics, TARGETS, type MetricsFilter } from '../../../plugins/reliability/metrics.js';
import type { RunRecord, StepRecord } from '../../../plugins/reliability/records.js';

const step = (over: Partial<StepRecord> = {}): StepRecord => ({ run_id: 'r', pipeline: 'p', step_id: 's', success: true, required_compensation: false, required_human: false, tool_duration_ms: 10, at: 100, ...over });
const run = (over: Partial<RunRecord> = {}): RunRecord => ({ run_id: 'r', pipeline: 'p', success: true, retries: 0, required_human: false, duration_ms: 100, tokens: 0, cost_usd: 0, at: 100, ...over });
/** A run record from user code with no duration, tokens or cost. */
const bare = (over: Partial<RunRecord> = {}): RunRecord => {
  const { duration_ms: _d, tokens: _t, cost_usd: _c, ...rest } = run(over);
  return rest;
};
/** A step record that recorded no tool call. */
const plain = (over: Partial<StepRecord> = {}): StepRecord => {
  const { tool_duration_ms: _t, ...rest } = step(over);
  return rest;
};
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

const formulas = suite('reliability: metric formulas');

const cases: Array<[string, { runs: RunRecord[]; steps: StepRecord[] }, Partial<ReturnType<typeof metrics>>]> = [
  ['empty data', { runs: [], steps: [] }, { svr: 1, cr: 0, pc: 0, hir: 0, ma: 1, tcl: null, wct: null, total_runs: 0, total_steps: 0, healthy: true }],
  ['SVR is successful steps over steps', { runs: [], steps: [step(), step(), step(), step({ success: false })] }, { svr: 0.75 }],
  ['CR is compensated steps over steps', { runs: [], steps: [step(), step({ required_compensation: true, success: false })] }, { cr: 0.5 }],
  ['PC is retries over runs', { runs: [run({ retries: 3 }), run({ retries: 0 })], steps: [] }, { pc: 1.5 }],
  ['HIR is runs a human answered over runs; step-level required_human is ignored', { runs: [run({ required_human: true }), run(), run(), run()], steps: [step({ required_human: true })] }, { hir: 0.25 }],
  ['MA counts a step whose mode differs from its declared mode', { runs: [], steps: [step({ mode: 'execute', declared_mode: 'explore' }), step({ mode: 'explore', declared_mode: 'explore' }), step({ mode: 'execute' }), step()] }, { ma: 0.75 }],
  ['TCL and WCT are means', { runs: [run({ duration_ms: 100 }), run({ duration_ms: 300 })], steps: [step({ tool_duration_ms: 5 }), step({ tool_duration_ms: 15 })] }, { tcl: 10, wct: 200 }],
  ['TCL and WCT count only the records that have tool time and a duration', { runs: [run({ duration_ms: 100 }), bare()], steps: [step({ tool_duration_ms: 5 }), plain(), plain()] }, { tcl: 5, wct: 100, total_steps: 3, total_runs: 2 }],
  ['TCL and WCT are null when no record has them', { runs: [bare()], steps: [plain()] }, { tcl: null, wct: null }],
  ['CPSW and TPW divide what successful runs spent by successful runs (bug #17)', { runs: [run({ cost_usd: 0.1, tokens: 10 }), run({ cost_usd: 0.2, tokens: 30 }), run({ success: false, cost_usd: 5, tokens: 999 })], steps: [] }, { cpsw: 0.15, tpw: 20, total_cost_usd: 5.3 }],
  ['CPSW and TPW are null without a successful run; a run without cost counts nothing', { runs: [run({ success: false, cost_usd: 1 }), bare({ success: false })], steps: [] }, { cpsw: null, tpw: null, total_cost_usd: 1 }],
];
for (const [name, records, expected] of cases) {
  formulas(name, () => {
    const report = metrics(records);
    for (const [key, value] of Object.entries(expected)) assert.equal(report[key as keyof typeof report], value, key);
  });
}

const thresholds = suite('reliability: thresholds are strict, violations inclusive');

const boundaries: Array<[string, { runs: RunRecord[]; steps: StepRecord[] }, string | undefined]> = [
  ['SVR exactly 0.95 violates', { runs: [], steps: times(20, (i) => step({ success: i > 0 })) }, 'SVR too low: 95.0% (target >95.0%)'],
  ['SVR above 0.95 is healthy', { runs: [], steps: times(21, (i) => step({ success: i > 0 })) }, undefined],
  ['CR exactly 0.10 violates', { runs: [], steps: times(10, (i) => step({ required_compensation: i === 0 })) }, 'CR too high: 10.0% (target <10.0%)'],
  ['CR below 0.10 is healthy', { runs: [], steps: times(11, (i) => step({ required_compensation: i === 0 })) }, undefined],
  ['PC exactly 2 violates', { runs: [run({ retries: 2 })], steps: [] }, 'PC too high: 2.00 (target <2)'],
  ['PC below 2 is healthy', { runs: [run({ retries: 1 })], steps: [] }, undefined],
  ['HIR exactly 0.05 violates', { runs: times(20, (i) => run({ required_human: i === 0 })), steps: [] }, 'HIR too high: 5.0% (target <5.0%)'],
  ['MA exactly 0.90 violates', { runs: [], steps: times(10, (i) => step(i === 0 ? { mode: 'a', declared_mode: 'b', success: true } : {})) }, 'MA too low: 90.0% (target >90.0%)'],
];
for (const [name, records, violation] of boundaries) {
  thresholds(name, () => {
    const report = metrics(records);
    assert.equal(report.violations, violation === undefined ? [] : [violation]);
    assert.is(report.healthy, violation === undefined);
  });
}
thresholds('the targets are those of the reference', () => assert.equal(TARGETS, { svr: 0.95, cr: 0.1, pc: 2, hir: 0.05, ma: 0.9 }));

const filters = suite('reliability: filters and per-step breakdown');

const records = {
  runs: [run({ run_id: 'r1', pipeline: 'p', at: 100 }), run({ run_id: 'r2', pipeline: 'q', at: 200, success: false }), run({ run_id: 'r3', pipeline: 'p', at: 300, retries: 4 })],
  steps: [step({ pipeline: 'p', step_id: 'a', at: 100 }), step({ pipeline: 'q', step_id: 'a', at: 200, success: false }), plain({ pipeline: 'p', step_id: 'b', at: 300, required_compensation: true, success: false, mode: 'x', declared_mode: 'y' })],
};
const filterCases: Array<[MetricsFilter, number, number, number | null]> = [
  [{}, 3, 3, 100],
  [{ pipeline: 'p' }, 2, 2, 100],
  [{ pipeline: 'q' }, 1, 1, 200],
  [{ since: 200 }, 2, 2, 200],
  [{ until: 200 }, 1, 1, 100],
  [{ since: 150, until: 250 }, 1, 1, 200],
  [{ step: 'a' }, 3, 2, 100],
  [{ pipeline: 'q', step: 'b' }, 1, 0, 200],
  [{ pipeline: 'none' }, 0, 0, null],
];
// [filter, runs, steps, the earliest record the filter admits]
for (const [filter, runs, steps, earliest] of filterCases) {
  filters(`filter ${JSON.stringify(filter)}`, () => {
    const report = metrics(records, filter, 5000);
    assert.equal([report.total_runs, report.total_steps], [runs, steps]);
    assert.equal(report.period, { since: filter.since ?? earliest, until: filter.until ?? 5000 }, 'period');
  });
}
filters('per-step breakdown with derived rates', () => {
  const report = metrics(records);
  assert.equal(report.per_step, {
    a: { total_steps: 2, successful_steps: 1, compensated_steps: 0, mode_violations: 0, svr: 0.5, cr: 0, ma: 1, tcl: 10 },
    b: { total_steps: 1, successful_steps: 0, compensated_steps: 1, mode_violations: 1, svr: 0, cr: 1, ma: 0, tcl: null },
  });
  assert.is(Object.keys(report.per_step).join(), 'a,b');
});

filters('the period starts at the earliest admitted run, step or measurement, and ends now', () => {
  const measured = { kind: 'rsr' as const, run_id: 'm', pipeline: 'p', at: 50, success: true, mode: 'strict' };
  assert.equal(metrics({ runs: [run({ at: 400 })], steps: [step({ at: 300 })], measurements: [measured] }, {}, 900).period, { since: 50, until: 900 });
  assert.equal(metrics({ runs: [run({ at: 400 })], steps: [step({ at: 300 })] }, {}, 900).period, { since: 300, until: 900 });
  assert.equal(metrics({ runs: [], steps: [] }, {}, 900).period, { since: null, until: 900 });
  const before = Date.now();
  assert.ok(metrics({ runs: [], steps: [] }).period.until >= before);
});

formulas('svr_trend fits hourly SVR: null under 10 hours, improving when later hours succeed more', () => {
  assert.is(metrics({ runs: [], steps: [step()] }).svr_trend, null);
  const hourly = times(10, (h) => times(10, (i) => step({ at: h * 36e5 + i, success: i < h }))).flat();
  const t = metrics({ runs: [], steps: hourly }).svr_trend!;
  assert.equal([t.direction, t.points, Math.round(t.slope * 100) / 100], ['improving', 10, 0.1]);
});

formulas.run();
thresholds.run();
filters.run();
