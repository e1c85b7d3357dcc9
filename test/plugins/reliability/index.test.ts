import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, StepContext } from '../../../kernel/index.js';
import { parseTime } from '../../../plugins/reliability/commands.js';
import { boot, command, failure, runMix } from './helpers.js';

const plugin = suite('reliability: metrics over stored runs');

plugin('weft metrics --json gives the expected rates for a known mix of runs', async () => {
  const kernel = await boot();
  const { results } = await runMix(kernel);
  assert.equal(results.map((r) => r.status), ['completed', 'completed', 'failed', 'completed', 'completed', 'completed']);
  const { code, stdout } = await command(kernel, 'metrics', [], { pipeline: 'mix', json: true });
  assert.is(code, 0);
  const report = JSON.parse(stdout);
  assert.equal([report.total_runs, report.total_steps], [5, 10]);
  assert.equal({ svr: report.svr, cr: report.cr, pc: report.pc, hir: report.hir, ma: report.ma }, { svr: 0.8, cr: 0.1, pc: 0.2, hir: 0.2, ma: 1 });
  // WCT is the mean of each run's time from run.started to its end, as stored.
  const history = kernel.services.get('runHistory');
  const durations = await Promise.all(results.slice(0, 5).map(async (r) => {
    const events = await history.events(r.run_id);
    return events.at(-1)!.at - events[0]!.at;
  }));
  assert.is(report.wct, durations.reduce((a, b) => a + b, 0) / 5);
  // No step of the mix recorded a tool call.
  assert.is(report.tcl, null);
  assert.equal(report.per_step.a.tcl, null);
  const starts = await Promise.all(results.slice(0, 5).map(async (r) => (await history.events(r.run_id))[0]!.at));
  assert.is(report.period.since, Math.min(...starts));
  assert.ok(report.period.until >= Date.now() - 60_000 && report.period.until <= Date.now());
  assert.equal(Object.keys(report.per_step), ['a', 'b', 'c']);
  assert.is(report.per_step.b.compensated_steps, 1);
  assert.is(report.healthy, false);
  const all = await kernel.services.get('reliability').metrics();
  assert.equal([all.total_runs, all.total_steps], [6, 11]);
  const records = await kernel.services.get('reliability').records({ pipeline: 'mix' });
  const human = records.steps.filter((s) => s.required_human);
  assert.equal(human.map((s) => [s.run_id, s.step_id, s.success]), [[results[4]!.run_id, 'b', true]]);
  await kernel.close();
});

plugin('weft metrics prints a readable report, with filters by step and time', async () => {
  const kernel = await boot();
  await runMix(kernel);
  const text = (await command(kernel, 'metrics', [], { pipeline: 'mix' })).stdout;
  assert.match(text, /^runs 5, steps 10: unhealthy\n  SVR 80\.0%  CR 10\.0%  PC 0\.20  HIR 20\.0%  MA 100\.0%  TCL – {2}WCT \d+ ms\n  TPW 0  CPSW \$0\.0000  cost \$0\.0000  MTTE p95 0 ms \(0\)  RSR 100\.0% \(0\)\n  ! SVR too low: 80\.0% \(target >95\.0%\)\n/);
  assert.match(text, /\n  b: 4 steps, SVR 50\.0%, CR 25\.0%, MA 100\.0%\n/);
  assert.match((await command(kernel, 'metrics', [], { step: 'c', since: '1h', until: new Date(Date.now() + 60_000).toISOString() })).stdout, /^runs 6, steps 1: unhealthy\n/);
  assert.match((await command(kernel, 'metrics', [], { since: new Date(Date.now() + 60_000).toISOString() })).stdout, /^runs 0, steps 0: healthy\n  SVR 100\.0%  CR 0\.0%  PC 0\.00  HIR 0\.0%  MA 100\.0%  TCL – {2}WCT –\n  TPW – {2}CPSW – {2}cost \$0\.0000  MTTE p95 0 ms \(0\)  RSR 100\.0% \(0\)\n$/);
  assert.match((await failure(command(kernel, 'metrics', [], { since: 'yesterday' }))).message, /--since must be an ISO date or a duration/);
  await kernel.close();
});

plugin('TCL is the mean tool time of the steps that recorded tool calls, overall and per step', async () => {
  const kernel = await boot();
  const pipeline = kernel.services.get('pipeline');
  const tool = (ctx: StepContext, duration_ms: number) => ctx.record({ kind: 'tool', name: 'search', success: true, duration_ms });
  const steps = {
    Fetch: async (input: JsonObject, ctx: StepContext) => {
      await tool(ctx, input['ms'] as number);
      await tool(ctx, 6);
      await ctx.record({ kind: 'llm', name: 'openai', success: true, duration_ms: 500 });
      return {};
    },
    Think: async () => ({}),
  };
  const doc = await pipeline.parse({ name: 'tools', steps: [{ id: 'fetch', step_class: 'Fetch' }, { id: 'think', step_class: 'Think' }], flow: { start_at: 'fetch', transitions: [{ from: 'fetch', to: 'think' }] } }, { steps });
  await pipeline.run(doc, { steps, input: { ms: 4 } });
  await pipeline.run(doc, { steps, input: { ms: 14 } });
  const report = JSON.parse((await command(kernel, 'metrics', [], { pipeline: 'tools', json: true })).stdout);
  assert.equal([report.total_steps, report.tcl, report.per_step.fetch.tcl, report.per_step.think.tcl], [4, 15, 15, null]);
  const records = await kernel.services.get('reliability').records({ pipeline: 'tools' });
  // Two runs may end in the same millisecond, so their records come back in either order.
  const byRun = [...new Set(records.steps.map((s) => s.run_id))].map((id) => records.steps.filter((s) => s.run_id === id).map((s) => [s.step_id, s.tool_duration_ms]));
  assert.equal(byRun.sort((a, b) => (a[0]![1] as number) - (b[0]![1] as number)), [[['fetch', 10], ['think', undefined]], [['fetch', 20], ['think', undefined]]]);
  await kernel.close();
});

plugin('a run still waiting contributes its steps but no run record', async () => {
  const kernel = await boot();
  const pipeline = kernel.services.get('pipeline');
  const steps = { ask: (_: unknown, ctx: { suspend(r: object): never }) => ctx.suspend({ prompt: 'ok?' }) };
  await pipeline.run(await pipeline.parse({ name: 'w', steps: [{ id: 'q', step_class: 'ask' }], flow: { start_at: 'q' } }, { steps }), { steps });
  const records = await kernel.services.get('reliability').records();
  assert.equal([records.runs.length, records.steps.length], [0, 0]);
  await kernel.close();
});

plugin('records added from user code count, mode violations included', async () => {
  const kernel = await boot();
  const service = kernel.services.get('reliability');
  const step = { run_id: 'u1', pipeline: 'agent', step_id: 'plan', success: true, required_compensation: false, required_human: false, tool_duration_ms: 4, at: Date.now() };
  service.add({ steps: [step, { ...step, mode: 'execute', declared_mode: 'explore' }] });
  service.add({ runs: [{ run_id: 'u1', pipeline: 'agent', success: true, retries: 1, required_human: false, duration_ms: 10, tokens: 0, cost_usd: 0, at: Date.now() }] });
  const report = await service.metrics({ pipeline: 'agent' });
  assert.equal([report.total_runs, report.total_steps, report.ma, report.pc], [1, 2, 0.5, 1]);
  assert.equal((await service.metrics({ pipeline: 'mix' })).total_steps, 0);
  await kernel.close();
});

const time = suite('reliability: --since and --until');
const cases: Array<[string, number]> = [['30s', 970_000], ['2m', 880_000], ['1h', 1_000_000 - 3_600_000], ['1d', 1_000_000 - 86_400_000], ['1970-01-01T00:00:01Z', 1000]];
for (const [text, at] of cases) time(text, () => assert.is(parseTime(text, '--since', 1_000_000), at));

plugin.run();
time.run();
