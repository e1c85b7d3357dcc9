import type { Command } from '#kernel';
import type { BudgetUsage } from './budget.js';
import { filterOf, WINDOW_OPTIONS } from './commands.js';

const usd = (x: number | null): string => (x === null ? '–' : `$${x.toFixed(4)}`);

/** How a budget's state reads after its usage: a disabled budget's breaches are shown but fail nothing. */
function verdict(b: BudgetUsage): string {
  if (!b.enabled) return ` — disabled${b.within_budget ? '' : `, over (${b.breaches.join(', ')})`}`;
  return b.within_budget ? '' : ` — OVER (${b.breaches.join(', ')})`;
}

/** `weft costs`: spend by category and agent, CPSW and TPW, and each budget's usage; exit 1 when an enabled budget is over. */
export const costsCommand: Command = {
  name: 'costs',
  summary: 'Model and tool spend of the stored runs (CPSW, TPW, by category and agent) and budget usage',
  options: WINDOW_OPTIONS,
  async run({ values, io, services }) {
    const { report, budgets } = await services.get('reliability').costs(filterOf(values));
    if (values['json'] === true) {
      io.stdout(`${JSON.stringify({ ...report, budgets }, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `total ${usd(report.total_cost)} over ${report.total_runs} runs (${report.successful_runs} successful): CPSW ${usd(report.cpsw)}, TPW ${report.tpw === null ? '–' : Math.round(report.tpw)}`,
      ...Object.entries(report.by_category).map(([category, amount]) => `  ${category}: ${usd(amount)}`),
      ...Object.entries(report.by_agent).map(([agent, amount]) => `  step ${agent}: ${usd(amount)}`),
      ...budgets.map((b) => `budget ${b.budget_name}: ${usd(b.total_used)} of ${usd(b.total_limit)}${b.period_hours === null ? '' : ` per ${b.period_hours} h`}${verdict(b)}`),
    ];
    io.stdout(`${lines.join('\n')}\n`);
    return budgets.every((b) => b.within_budget || !b.enabled) ? 0 : 1;
  },
};
