import { WeftError, type Command, type CommandOption } from '#kernel';
import type { MetricsFilter, MetricsReport } from './metrics.js';

/** Parses an ISO date or a duration back from now (`30m`, `24h`, `7d`) into epoch ms. */
export function parseTime(text: string, option: string, now = Date.now()): number {
  const ago = /^(\d+)([smhd])$/.exec(text);
  if (ago) return now - Number(ago[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[ago[2] as 's' | 'm' | 'h' | 'd'];
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new WeftError('KERNEL_CLI_USAGE', `${option} must be an ISO date or a duration such as 24h or 7d`);
  return at;
}

const rate = (x: number): string => `${(x * 100).toFixed(1)}%`;
const ms = (x: number | null): string => (x === null ? '–' : `${Math.round(x)} ms`);

function text(r: MetricsReport): string {
  const lines = [
    `runs ${r.total_runs}, steps ${r.total_steps}: ${r.healthy ? 'healthy' : 'unhealthy'}`,
    `  SVR ${rate(r.svr)}  CR ${rate(r.cr)}  PC ${r.pc.toFixed(2)}  HIR ${rate(r.hir)}  MA ${rate(r.ma)}  TCL ${ms(r.tcl)}  WCT ${ms(r.wct)}`,
    `  TPW ${r.tpw === null ? '–' : Math.round(r.tpw)}  CPSW ${r.cpsw === null ? '–' : `$${r.cpsw.toFixed(4)}`}  cost $${r.total_cost_usd.toFixed(4)}  MTTE p95 ${ms(r.mtte.p95_ms)} (${r.mtte.count})  RSR ${rate(r.rsr.rsr)} (${r.rsr.attempts})`,
    ...r.violations.map((v) => `  ! ${v}`),
    ...Object.entries(r.per_step).map(([id, s]) => `  ${id}: ${s.total_steps} steps, SVR ${rate(s.svr)}, CR ${rate(s.cr)}, MA ${rate(s.ma)}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The options `weft metrics` and `weft costs` share: which runs, and when. */
export const WINDOW_OPTIONS: Record<string, CommandOption> = {
  pipeline: { type: 'string', value: '<name>', description: 'Only runs of this pipeline' },
  since: { type: 'string', value: '<time>', description: 'Only records from this time (ISO date, or 30m, 24h, 7d ago)' },
  until: { type: 'string', value: '<time>', description: 'Only records before this time' },
  json: { type: 'boolean', description: 'Print the report as JSON' },
};

/** The filter those options (and `--step`) give. */
export function filterOf(values: Record<string, unknown>): MetricsFilter {
  const filter: MetricsFilter = {};
  for (const key of ['pipeline', 'step'] as const) if (typeof values[key] === 'string') filter[key] = values[key];
  for (const key of ['since', 'until'] as const) if (typeof values[key] === 'string') filter[key] = parseTime(values[key], `--${key}`);
  return filter;
}

/** `weft metrics`: the reliability report over the stored runs. */
export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'Reliability metrics (SVR, CR, PC, HIR, MA, TCL, WCT, TPW, CPSW, MTTE, RSR) over the stored runs',
  options: { ...WINDOW_OPTIONS, step: { type: 'string', value: '<id>', description: 'Only step records of this step id' } },
  async run({ values, io, services }) {
    const report = await services.get('reliability').metrics(filterOf(values));
    io.stdout(values['json'] === true ? `${JSON.stringify(report, null, 2)}\n` : text(report));
    return 0;
  },
};
