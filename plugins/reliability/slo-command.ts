import type { Command } from '#kernel';
import { evaluateSlo, type Objectives, type SloReport } from './slo.js';

const show = (r: SloReport): string => {
  const head = `${r.pipeline}: ${r.compliant ? 'compliant' : 'NOT compliant'} over ${r.runs} runs`;
  const budget = r.error_budget_remaining === null ? [] : [`  error budget remaining ${(r.error_budget_remaining * 100).toFixed(1)}%, burn rate ${r.burn_rate!.fast.toFixed(2)} (1h) ${r.burn_rate!.slow.toFixed(2)} (6h)`];
  return [head, ...budget, ...r.objectives.map((o) => `  ${o.compliant ? '✓' : '✗'} ${o.objective}: ${+o.actual.toFixed(4)} (target ${o.target})`)].join('\n') + '\n';
};

/** `weft slo`: each configured pipeline's objectives, error budget and burn rates. */
export function sloCommand(slos: () => Promise<Record<string, Objectives>>): Command {
  return {
    name: 'slo',
    summary: 'Evaluate the SLOs (pipeline files\' slo blocks, plugins.reliability.slo): objectives, error budget, burn rates',
    options: {
      pipeline: { type: 'string', value: '<name>', description: 'Only this pipeline' },
      json: { type: 'boolean', description: 'Print the reports as JSON' },
    },
    async run({ values, io, services }) {
      const only = values['pipeline'];
      const slo = await slos();
      const names = Object.keys(slo).sort().filter((name) => only === undefined || name === only);
      const records = await services.get('reliability').records();
      const reports = names.map((name) => evaluateSlo(name, slo[name]!, records, Date.now()));
      if (values['json'] === true) io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
      else io.stdout(reports.length ? reports.map(show).join('') : 'No SLOs declared; add an slo block to a pipeline file or set plugins.reliability.slo.<pipeline>.\n');
      return 0;
    },
  };
}
