import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CostCategory, CostEntry } from '../../../plugins/reliability/cost.js';
import { costReport, inPeriod, perSuccessfulRun, type CostPeriod, type RunSpend } from '../../../plugins/reliability/cost-report.js';

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

const per = suite('reliability: CPSW and TPW over successful runs');

const ok1: RunSpend = { success: true, cost_usd: 0.1, tokens: 100 };
const ok2: RunSpend = { success: true, cost_usd: 0.2, tokens: 300 };
const bad: RunSpend = { success: false, cost_usd: 0.3, tokens: 5000 };
// [name, runs, successful_runs, cpsw, tpw]
const perCases: Array<[string, RunSpend[], number, number | null, number | null]> = [
  ['no runs: null', [], 0, null, null],
  ['no successful run: null, however much failures spent', [bad], 0, null, null],
  ["a failed run's spend and tokens are not charged to the successes (bug #17)", [ok1, ok2, bad], 2, 0.15, 200],
  ['a successful run without cost or tokens counts as spending nothing', [ok2, { success: true }], 2, 0.1, 150],
];
for (const [name, runs, successful, cpsw, tpw] of perCases) {
  per(name, () => assert.equal(perSuccessfulRun(runs), { successful_runs: successful, cpsw, tpw }));
}

const rp = suite('reliability: cost report');

// Spend of two successful runs, one failed, and spend outside any run.
const entries = [entry(0.1, 10, 'ok1'), entry(0.2, 20, 'ok2', 'llm_tokens', 300), entry(0.3, 30, 'bad'), entry(0.4, 40, undefined, 'storage', 1)];

// [name, period, total]
const cases: Array<[string, CostPeriod, number]> = [
  ['no bounds', {}, 1],
  ['both bounds are inclusive', { since: 20, until: 30 }, 0.5],
  ['a bound just past an entry leaves it out', { since: 21, until: 29 }, 0],
  ['only since', { since: 30 }, 0.7],
  ['only until', { until: 10 }, 0.1],
];
for (const [name, period, total] of cases) {
  rp(`entries: ${name}`, () => assert.is(costReport(entries, [], period).total_cost, total));
}

rp('runs are those of the window the caller gives; CPSW and TPW are perSuccessfulRun of them', () => {
  const r = costReport(entries, [ok1, ok2, bad]);
  assert.equal([r.total_cost, r.total_runs, r.successful_runs, r.cpsw, r.tpw], [1, 3, 2, 0.15, 200]);
  const empty = costReport([], []);
  assert.equal([empty.total_cost, empty.total_runs, empty.successful_runs, empty.cpsw, empty.tpw], [0, 0, 0, null, null]);
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

per.run();
rp.run();
