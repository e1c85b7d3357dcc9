import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CostCategory, CostEntry } from '../../../plugins/reliability/cost.js';
import { costReport, inPeriod, type CostPeriod, type RunOutcome } from '../../../plugins/reliability/cost-report.js';

const entry = (amount_usd: number, at: number, run_id?: string, category: CostCategory = 'llm_tokens', quantity = 100, agent = 'a'): CostEntry => ({
  category,
  amount_usd,
  quantity,
  unit_cost: amount_usd / quantity,
  at,
  agent,
  ...(run_id === undefined ? {} : { run_id }),
  context: {},
});

const rp = suite('reliability: cost report');

// Two successful runs, one failed, and spend outside any run.
const entries = [entry(0.1, 10, 'ok1'), entry(0.2, 20, 'ok2', 'llm_tokens', 300), entry(0.3, 30, 'bad'), entry(0.4, 40, undefined, 'storage', 1)];
const runs: RunOutcome[] = [
  { run_id: 'ok1', success: true },
  { run_id: 'ok2', success: true },
  { run_id: 'bad', success: false },
];

// [name, entries, runs, period, total, total_runs, successful_runs, cpsw, tpw]
const cases: Array<[string, CostEntry[], RunOutcome[], CostPeriod, number, number, number, number | null, number | null]> = [
  ['empty data: zeros and no per-run figures', [], [], {}, 0, 0, 0, null, null],
  ['CPSW divides all cost by successful runs only (bug #17)', entries, runs, {}, 1, 3, 2, 0.5, 200],
  ['no successful run: CPSW and TPW are null', entries, runs.map((r) => ({ ...r, success: false })), {}, 1, 3, 0, null, null],
  ['a run without an outcome is not a success', entries, [], {}, 1, 3, 0, null, null],
  ['the last outcome of a run listed twice wins', entries, [...runs, { run_id: 'ok2', success: false }], {}, 1, 3, 1, 1, 100],
  ['both bounds are inclusive', entries, runs, { since: 20, until: 30 }, 0.5, 2, 1, 0.5, 300],
  ['a bound just past an entry leaves it out', entries, runs, { since: 21, until: 29 }, 0, 0, 0, null, null],
  ['only since', entries, runs, { since: 30 }, 0.7, 1, 0, null, null],
  ['only until', entries, runs, { until: 10 }, 0.1, 1, 1, 0.1, 100],
  ['a successful run outside the period does not count', entries, runs, { since: 20 }, 0.9, 2, 1, 0.9, 300],
];
for (const [name, es, rs, period, total, totalRuns, successful, cpsw, tpw] of cases) {
  rp(name, () => {
    const r = costReport(es, rs, period);
    assert.equal([r.total_cost, r.total_runs, r.successful_runs, r.cpsw, r.tpw], [total, totalRuns, successful, cpsw, tpw]);
  });
}

rp('TPW counts only LLM tokens of successful runs', () => {
  const r = costReport([entry(0.1, 1, 'ok1', 'llm_tokens', 1000), entry(0.1, 1, 'ok1', 'tool_execution', 1), entry(0.1, 1, 'bad', 'llm_tokens', 5000), entry(0.1, 1, undefined, 'llm_tokens', 7000)], runs);
  assert.is(r.tpw, 1000);
});

rp('by category (non-zero only) and by agent, summed exactly', () => {
  const r = costReport([entry(0.1, 1, 'x', 'llm_tokens', 1, 'writer'), entry(0.2, 2, 'x', 'llm_tokens', 1, 'critic'), entry(0, 3, 'x', 'compute', 1, 'critic'), entry(0.05, 4, 'x', 'tool_execution', 1, 'writer')], []);
  assert.equal(r.by_category, { llm_tokens: 0.3, tool_execution: 0.05 });
  assert.equal(r.by_agent, { writer: 0.15, critic: 0.2 });
  assert.is(r.total_cost, 0.35);
  assert.equal(costReport([], []).by_category, {});
});

rp('inPeriod', () => {
  assert.ok(inPeriod(5, {}));
  assert.ok(inPeriod(5, { since: 5, until: 5 }));
  assert.not.ok(inPeriod(4, { since: 5 }));
  assert.not.ok(inPeriod(6, { until: 5 }));
});

rp.run();
