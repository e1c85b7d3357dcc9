import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunRecord } from '../../../plugins/reliability/records.js';
import { sloProblems } from '../../../plugins/reliability/declared-slo.js';
import { DEFAULT_WINDOWS, evaluateSlo, percentile } from '../../../plugins/reliability/slo.js';
import { boot, command, failure, runMix } from './helpers.js';

const H = 36e5;
const NOW = 100 * 864e5;
const run = (hoursAgo: number, success = true, over: Partial<RunRecord> = {}): RunRecord => ({ run_id: 'r', pipeline: 'p', success, retries: 0, required_human: false, duration_ms: 100, tokens: 0, cost_usd: 0, at: NOW - hoursAgo * H, ...over });

const pct = suite('reliability: percentile indexing sorted[floor(n·q)]');
const pcases: Array<[number[], number, number]> = [[[], 0.95, 0], [[7], 0.95, 7], [[5, 1, 3, 2, 4], 0.5, 3], [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95, 10], [Array.from({ length: 20 }, (_, i) => i + 1), 0.95, 20], [Array.from({ length: 100 }, (_, i) => i + 1), 0.95, 96], [[1, 2], 1, 2]];
for (const [values, q, expected] of pcases) pct(`${values.length} values, q=${q}`, () => assert.is(percentile(values, q), expected));

const slo = suite('reliability: SLO evaluation, error budget, burn rates');
const cases: Array<[string, RunRecord[], { budget: number | null; fast: number; slow: number; compliant: boolean }]> = [
  ['no runs: the whole budget, no burn', [], { budget: 1, fast: 0, slow: 0, compliant: true }],
  ['one failure in 100 at 0.99 spends the budget exactly', [...Array.from({ length: 99 }, () => run(100)), run(100, false)], { budget: 0, fast: 0, slow: 0, compliant: true }],
  ['a failure in the last hour burns fast and slow', [run(0.5, false), run(0.5), run(3), run(3)], { budget: -24, fast: 50, slow: 25, compliant: false }],
  ['a failure 3 hours ago burns only the slow window', [run(0.5), run(3, false)], { budget: -49, fast: 0, slow: 50, compliant: false }],
  ['runs outside the budget window and in the future do not count', [run(24 * 31, false), run(-1, false), run(1)], { budget: 1, fast: 0, slow: 0, compliant: true }],
];
for (const [name, runs, expected] of cases) {
  slo(name, () => {
    const r = evaluateSlo('p', { success_rate: 0.99 }, { runs, steps: [] }, NOW);
    assert.equal([r.error_budget_remaining === null ? null : Math.round(r.error_budget_remaining * 1e6) / 1e6, Math.round(r.burn_rate!.fast * 1e6) / 1e6, Math.round(r.burn_rate!.slow * 1e6) / 1e6, r.compliant], [expected.budget, expected.fast, expected.slow, expected.compliant]);
  });
}
slo('other pipelines are ignored; without success_rate there is no budget', () => {
  const r = evaluateSlo('p', { p95_duration_ms: 150, hir_max: 0.5, cr_max: 0 }, { runs: [run(1, true, { duration_ms: 200 }), run(1, true, { pipeline: 'q', duration_ms: 900 }), run(1, true, { required_human: true })], steps: [] }, NOW, DEFAULT_WINDOWS);
  assert.equal([r.runs, r.error_budget_remaining, r.burn_rate], [2, null, null]);
  assert.equal(r.objectives, [
    { objective: 'p95_duration_ms', target: 150, actual: 200, compliant: false },
    { objective: 'hir_max', target: 0.5, actual: 0.5, compliant: true },
    { objective: 'cr_max', target: 0, actual: 0, compliant: true },
  ]);
  assert.is(r.compliant, false);
});
slo('a run without a duration (a record from user code) does not count towards p95', () => {
  const { duration_ms: _d, ...timeless } = run(1);
  const r = evaluateSlo('p', { p95_duration_ms: 150 }, { runs: [timeless, run(1, true, { duration_ms: 120 })], steps: [] }, NOW);
  assert.equal([r.runs, r.objectives[0]!.actual, r.compliant], [2, 120, true]);
});

slo('weft slo evaluates the configured pipelines', async () => {
  const kernel = await boot({ slo: { mix: { success_rate: 0.9, hir_max: 0.5 }, other: { p95_duration_ms: 60_000 } } });
  await runMix(kernel);
  const reports = JSON.parse((await command(kernel, 'slo', [], { json: true })).stdout);
  assert.equal(reports.map((r: { pipeline: string; runs: number; compliant: boolean }) => [r.pipeline, r.runs, r.compliant]), [['mix', 5, false], ['other', 1, true]]);
  assert.equal([reports[0].burn_rate.fast.toFixed(6), reports[0].burn_rate.slow.toFixed(6)], ['2.000000', '2.000000']);
  const text = (await command(kernel, 'slo', [], { pipeline: 'mix' })).stdout;
  assert.match(text, /^mix: NOT compliant over 5 runs\n  error budget remaining -100\.0%, burn rate 2\.00 \(1h\) 2\.00 \(6h\)\n  ✗ success_rate: 0\.8 \(target 0\.9\)\n  ✓ hir_max: 0\.2 \(target 0\.5\)\n$/);
  assert.match((await command(kernel, 'slo', [], { pipeline: 'other' })).stdout, /^other: compliant over 1 runs\n  ✓ p95_duration_ms: /);
  assert.match((await command(kernel, 'slo', [], { pipeline: 'none' })).stdout, /^No SLOs declared/);
  await kernel.close();
  assert.match((await failure(boot({ slo: { mix: { success_rate: 1 } } }))).message, /success_rate/);
});

const declared = suite('reliability: slo blocks in pipeline files');
const blocks: Array<[unknown, Array<[string, string]>]> = [
  [{ success_rate: 0.99, p95_duration_ms: 5000, hir_max: 0.05, cr_max: 1 }, []],
  [{}, []],
  [[], [['slo', 'slo must be an object']]],
  [null, [['slo', 'slo must be an object']]],
  ['x', [['slo', 'slo must be an object']]],
  [{ speed: 1 }, [['slo.speed', 'slo.speed is not one of success_rate, p95_duration_ms, hir_max, cr_max']]],
  [{ success_rate: 1 }, [['slo.success_rate', 'slo.success_rate must be a number in [0, 1)']]],
  [{ success_rate: '0.9' }, [['slo.success_rate', 'slo.success_rate must be a number in [0, 1)']]],
  [{ hir_max: -0.1, cr_max: 1.5 }, [['slo.hir_max', 'slo.hir_max must be a number in [0, 1]'], ['slo.cr_max', 'slo.cr_max must be a number in [0, 1]']]],
];
for (const [block, expected] of blocks) declared(JSON.stringify(block), () => assert.equal(sloProblems(block).map((p) => [p.path, p.message]), expected));

declared('weft validate reports a bad slo block at its path, and a run of the file is refused before it starts', async () => {
  const kernel = await boot({});
  const pipeline = kernel.services.get('pipeline');
  const doc = { name: 'bad', slo: { success_rate: 2, p95: 5 }, steps: [{ id: 's', step_class: 's' }], flow: { start_at: 's' } };
  const report = await pipeline.validate(doc, { steps: { s: async () => ({}) } });
  assert.is(report.valid, false);
  assert.equal(report.errors.map((e) => [e.code, e.path]), [['RELIABILITY_SLO_INVALID', 'slo.success_rate'], ['RELIABILITY_SLO_INVALID', 'slo.p95']]);
  try {
    await pipeline.parse(doc, { steps: { s: async () => ({}) } });
    assert.unreachable('should throw');
  } catch (e: unknown) {
    assert.is((e as { code?: string }).code, 'PIPELINE_INVALID');
    assert.match((e as Error).message, 'slo.success_rate');
  }
  assert.equal(await (await kernel.services.get('storage').runs()).list(), []);
  await kernel.close();
});

declared('a pipeline file\'s slo block is stored when it runs and evaluated by weft slo; config overrides it', async () => {
  const warnings: string[] = [];
  const quiet = () => undefined;
  const kernel = await boot({ slo: { cfg: { cr_max: 0.5 } } }, undefined, { debug: quiet, info: quiet, error: quiet, warn: (m: string) => void warnings.push(m) });
  const pipeline = kernel.services.get('pipeline');
  const steps = { s: async () => ({}) };
  const runDoc = async (name: string, slo: unknown) => pipeline.run(await pipeline.parse({ name, slo, steps: [{ id: 's', step_class: 's' }], flow: { start_at: 's' } }, { steps }), { steps });
  await runDoc('filed', { success_rate: 0.9 });
  await runDoc('filed', { success_rate: 0.9 });
  await runDoc('cfg', { cr_max: 0.01 });
  await pipeline.run(await pipeline.parse({ name: 'plain', steps: [{ id: 's', step_class: 's' }], flow: { start_at: 's' } }, { steps }), { steps });
  assert.equal(warnings, []);
  const reports = JSON.parse((await command(kernel, 'slo', [], { json: true })).stdout) as Array<{ pipeline: string; runs: number; objectives: Array<{ objective: string; target: number }> }>;
  assert.equal(reports.map((r) => [r.pipeline, r.runs, r.objectives.map((o) => `${o.objective}=${o.target}`)]), [['cfg', 1, ['cr_max=0.5']], ['filed', 2, ['success_rate=0.9']]]);
  await kernel.close();
});

pct.run();
declared.run();
slo.run();
