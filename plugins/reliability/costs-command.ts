import type { Command } from '#kernel';
import { parseTime } from './commands.js';
import type { MetricsFilter } from './metrics.js';

const usd = (x: number | null): string => (x === null ? '–' : `$${x.toFixed(4)}`);

/** `weft costs`: spend by category and agent, CPSW and TPW, and each budget's usage. */
export const costsCommand: Command = {
  name: 'costs',
  summary: 'Model and tool spend of the stored runs (CPSW, TPW, by category and agent) and budget usage',
  options: {
    pipeline: { type: 'string', value: '<name>', description: 'Only runs of this pipeline' },
    since: { type: 'string', value: '<time>', description: 'Only spend from this time (ISO date, or 30m, 24h, 7d ago)' },
    until: { type: 'string', value: '<time>', description: 'Only spend before this time' },
    json: { type: 'boolean', description: 'Print the report as JSON' },
  },
  async run({ values, io, services }) {
    const filter: MetricsFilter = {};
    if (typeof values['pipeline'] === 'string') filter.pipeline = values['pipeline'];
    for (const key of ['since', 'until'] as const) if (typeof values[key] === 'string') filter[key] = parseTime(values[key], `--${key}`);
    const { report, budgets } = await services.get('reliability').costs(filter);
    if (values['json'] === true) {
      io.stdout(`${JSON.stringify({ ...report, budgets }, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `total ${usd(report.total_cost)} over ${report.total_runs} runs (${report.successful_runs} successful): CPSW ${usd(report.cpsw)}, TPW ${report.tpw === null ? '–' : Math.round(report.tpw)}`,
      ...Object.entries(report.by_category).map(([category, amount]) => `  ${category}: ${usd(amount)}`),
      ...Object.entries(report.by_agent).map(([agent, amount]) => `  step ${agent}: ${usd(amount)}`),
      ...budgets.map((b) => `budget ${b.budget_name}: ${usd(b.total_used)} of ${usd(b.total_limit)}${b.period_hours === null ? '' : ` per ${b.period_hours} h`}${b.within_budget ? '' : ` — OVER (${b.breaches.join(', ')})`}`),
    ];
    io.stdout(`${lines.join('\n')}\n`);
    return budgets.every((b) => b.within_budget) ? 0 : 1;
  },
};
