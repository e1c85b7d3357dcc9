import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { budgetUsage, budgetWindow, withinBudgets, type Budget } from '../../../plugins/reliability/budget.js';
import type { CostCategory, CostEntry } from '../../../plugins/reliability/cost.js';

const H = 3_600_000;
const NOW = 100 * H;
const entry = (amount_usd: number, at = NOW, agent = 'a', category: CostCategory = 'llm_tokens'): CostEntry => ({ category, amount_usd, quantity: 1, unit_cost: amount_usd, at, agent, context: {} });

const bu = suite('reliability: budgets');

// [name, budget, entries, used, breaches]
const cases: Array<[string, Budget, CostEntry[], number, string[]]> = [
  ['empty data: nothing used, within', { name: 'b', total_limit: 1 }, [], 0, []],
  ['exactly at the limit is within (0.1 + 0.2 = 0.3)', { name: 'b', total_limit: 0.3 }, [entry(0.1), entry(0.2)], 0.3, []],
  ['one cent over is a breach', { name: 'b', total_limit: 0.3 }, [entry(0.1), entry(0.21)], 0.31, ['total']],
  ['a category exactly at its limit is within', { name: 'b', total_limit: 10, category_limits: { llm_tokens: 0.3 } }, [entry(0.1), entry(0.2), entry(5, NOW, 'a', 'storage')], 5.3, []],
  ['a category one cent over', { name: 'b', total_limit: 10, category_limits: { llm_tokens: 0.3, compute: 0 } }, [entry(0.31)], 0.31, ['category:llm_tokens']],
  ['an agent over its limit', { name: 'b', total_limit: 10, agent_limits: { writer: 0.5, critic: 1, idle: 0 } }, [entry(0.51, NOW, 'writer'), entry(0.4, NOW, 'critic')], 0.91, ['agent:writer']],
  ['several breaches at once, total first', { name: 'b', total_limit: 0.1, category_limits: { storage: 0 }, agent_limits: { a: 0.1 } }, [entry(0.2, NOW, 'a', 'storage')], 0.2, ['total', 'category:storage', 'agent:a']],
  ['a zero limit with nothing spent is within', { name: 'b', total_limit: 0 }, [], 0, []],
  ['rolling window: the entry exactly period_hours ago counts', { name: 'b', total_limit: 1, period_hours: 24 }, [entry(0.5, NOW - 24 * H), entry(0.6, NOW)], 1.1, ['total']],
  ['rolling window: one ms older is out', { name: 'b', total_limit: 1, period_hours: 24 }, [entry(0.5, NOW - 24 * H - 1), entry(0.6, NOW)], 0.6, []],
  ['rolling window: entries after now are out', { name: 'b', total_limit: 1, period_hours: 24 }, [entry(0.5, NOW + 1), entry(1, NOW)], 1, []],
  ['period null is all time (up to now)', { name: 'b', total_limit: 1, period_hours: null }, [entry(0.5, 0), entry(0.6, NOW), entry(9, NOW + 1)], 1.1, ['total']],
];
for (const [name, budget, entries, used, breaches] of cases) {
  bu(name, () => {
    const u = budgetUsage(budget, entries, NOW);
    assert.equal([u.total_used, u.breaches, u.within_budget], [used, breaches, breaches.length === 0]);
  });
}

bu('the usage report: remaining (negative when over), percent, period', () => {
  assert.equal(budgetUsage({ name: 'daily', total_limit: 2, period_hours: 24 }, [entry(0.5)], NOW), {
    budget_name: 'daily',
    total_limit: 2,
    total_used: 0.5,
    total_remaining: 1.5,
    usage_percent: 25,
    within_budget: true,
    enabled: true,
    breaches: [],
    period_hours: 24,
  });
  const over = budgetUsage({ name: 'b', total_limit: 0.3 }, [entry(0.1), entry(0.3)], NOW);
  assert.equal([over.total_remaining, over.period_hours], [-0.1, null]);
  assert.is(budgetUsage({ name: 'z', total_limit: 0 }, [entry(1)], NOW).usage_percent, null);
  const off = budgetUsage({ name: 'off', total_limit: 0, enabled: false }, [entry(1)], NOW);
  assert.equal([off.enabled, off.within_budget, off.breaches], [false, false, ['total']]);
});

bu('budgetWindow keeps [now − period, now]', () => {
  const es = [entry(1, NOW - 2 * H - 1), entry(1, NOW - 2 * H), entry(1, NOW), entry(1, NOW + 1)];
  assert.is(budgetWindow({ name: 'b', total_limit: 1, period_hours: 2 }, es, NOW).length, 2);
  assert.is(budgetWindow({ name: 'b', total_limit: 1 }, es, NOW).length, 3);
});

bu('withinBudgets: false if any enabled budget is strictly exceeded; disabled ones are ignored', () => {
  const es = [entry(0.5)];
  const at = { name: 'at', total_limit: 0.5 };
  const over = { name: 'over', total_limit: 0.49 };
  assert.ok(withinBudgets([], es, NOW));
  assert.ok(withinBudgets([at], es, NOW));
  assert.not.ok(withinBudgets([at, over], es, NOW));
  assert.ok(withinBudgets([at, { ...over, enabled: false }], es, NOW));
  assert.not.ok(withinBudgets([{ ...over, enabled: true }], es, NOW));
});

bu.run();
