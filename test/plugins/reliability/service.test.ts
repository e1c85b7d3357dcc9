import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, RecordStore, RunEvent, RunMeta, StepContext } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { AlertManager } from '../../../plugins/reliability/alerts.js';
import { DEFAULT_PRICING } from '../../../plugins/reliability/cost.js';
import { ModeEnforcer } from '../../../plugins/reliability/modes.js';
import { RunMonitor } from '../../../plugins/reliability/monitor.js';
import { Reliability } from '../../../plugins/reliability/service.js';
import { Watch } from '../../../plugins/reliability/watch.js';
import { MemoryKeyValueStore, MemoryRecordStore, MemoryRunStore } from '../../../plugins/store-memory/index.js';
import { boot, command, failure } from './helpers.js';
import { recorder } from './logs.js';

const started = (run_id: string, at = Date.now()): RunEvent => ({ type: 'run.started', run_id, seq: 1, at, pipeline: 'p', version: '1', input: {}, parameters: {} });
const ended = (run_id: string, seq = 2): RunEvent => ({ type: 'run.completed', run_id, seq, at: Date.now(), output: {} });
const meta = (run_id: string): RunMeta => ({ run_id, pipeline: 'p', version: '1', definition: {} });

/** The service over memory stores, built by hand so its stores can be counted or broken. */
function direct(options: { records?: () => Promise<RecordStore>; history?: (id: string) => Promise<RunEvent[]> } = {}) {
  const { logger, lines } = recorder();
  const store = new MemoryRecordStore();
  const puts: number[] = [];
  const counting = { put: async (r: Parameters<RecordStore['put']>[0], o?: { ttl_seconds?: number }) => (puts.push(r.length), store.put(r, o)), list: store.list.bind(store), delete: store.delete.bind(store) };
  const alerts = new AlertManager({ kv: async () => new MemoryKeyValueStore(), logger });
  const modes = new ModeEnforcer();
  const runs = new MemoryRunStore();
  const service: Reliability = new Reliability({
    records: options.records ?? (async () => counting),
    runs: async () => runs,
    history: options.history ?? (async () => []),
    log: logger,
    retention_days: 1,
    pricing: DEFAULT_PRICING,
    tool_costs: { search: 0.01 },
    budgets: [],
    modes,
    alerts,
    watch: new Watch({ alerts, objectives: () => undefined }),
    monitor: () => new RunMonitor({ modes, breakers: {}, budgets: [], finished: () => {}, costsOf: () => [], storedCosts: async () => [], breached: () => {} }),
  });
  return { service, lines, puts, store, runs };
}

const stored = suite('reliability: records go through the record store');

stored('an ended run is stored once, as one record holding its run, steps and costs, with the retention as TTL', async () => {
  const kernel = await boot({ retention_days: 7 });
  const pipeline = kernel.services.get('pipeline');
  const steps = { Ask: async (_: JsonObject, ctx: StepContext) => (await ctx.record({ kind: 'tool', name: 'search', success: true, duration_ms: 2, cost_usd: 0.5 }), {}) };
  const result = await pipeline.run(await pipeline.parse({ name: 'one', steps: [{ id: 'a', step_class: 'Ask' }], flow: { start_at: 'a' } }, { steps }), { steps });
  await kernel.services.get('reliability').flush();
  const records = await (await kernel.services.get('storage').records()).list({ kind: 'reliability.run' });
  assert.equal(records.map((r) => [r.id, r.pipeline, r.run_id]), [[result.run_id, 'one', result.run_id]]);
  const data = records[0]!.data as { runs: JsonObject[]; steps: JsonObject[]; costs: JsonObject[] };
  assert.equal([data.runs.length, data.steps.length, data.costs.map((c) => [c['category'], c['amount_usd'], c['agent']])], [1, 1, [['tool_execution', 0.5, 'a']]]);
  await kernel.close();
});

stored('runs that ended without a record (another plugin ended them, or the process died) are projected when metrics are asked for', async () => {
  const kernel = await boot();
  const runs = await kernel.services.get('storage').runs();
  await runs.append([started('elsewhere'), ended('elsewhere')]);
  await runs.append([started('replay-x'), ended('replay-x')]);
  await runs.append([started('running')]);
  await runs.append([started('ancient', Date.now() - 200 * 864e5), { ...ended('ancient'), at: Date.now() - 200 * 864e5 }]);
  const reliability = kernel.services.get('reliability');
  assert.equal((await reliability.records()).runs.map((r) => r.run_id), ['elsewhere']);
  const records = await (await kernel.services.get('storage').records()).list({ kind: 'reliability.run' });
  assert.equal(records.map((r) => r.id), ['elsewhere']);
  await kernel.close();
});

stored('stored records that are not reliability records are counted, logged and left out', async () => {
  const { logger, lines } = recorder();
  const kernel = await boot({}, undefined, logger);
  const store = await kernel.services.get('storage').records();
  const at = Date.now();
  await store.put([
    { kind: 'reliability.run', id: 'foreign', at, data: { runs: 'nope', steps: [{ step_id: 1 }], costs: [] } },
    { kind: 'reliability.measurement', id: 'm', at, data: { kind: 'mtte' } },
  ]);
  const report = await kernel.services.get('reliability').metrics();
  assert.equal([report.total_runs, report.total_steps, report.mtte.count], [0, 0, 0]);
  assert.ok(lines.some(([level, message]) => level === 'warn' && message === '[reliability] 3 stored record(s) are not reliability records and were left out'));
  await kernel.close();
});

stored('user records and measurements are stored; costs can be filtered by pipeline and time', async () => {
  const kernel = await boot();
  const reliability = kernel.services.get('reliability');
  const at = Date.now();
  await reliability.add({
    runs: [{ run_id: 'u1', pipeline: 'agent', success: true, retries: 0, required_human: false, duration_ms: 5, tokens: 10, cost_usd: 1, at }],
    costs: [{ category: 'llm_tokens', amount_usd: 1, quantity: 10, unit_cost: 0.1, at, agent: 'planner', run_id: 'u1', pipeline: 'agent', context: {} }],
  });
  await reliability.add({});
  await reliability.measure({ kind: 'rsr', run_id: 'u1', pipeline: 'agent', at, success: false, mode: 'strict' });
  assert.equal((await reliability.metrics({ pipeline: 'agent' })).rsr.attempts, 1);
  const { report } = await reliability.costs({ pipeline: 'agent', since: at - 1000, until: at + 1000 });
  assert.equal([report.total_cost, report.cpsw, report.tpw, report.by_agent], [1, 1, 10, { planner: 1 }]);
  assert.is((await reliability.costs({ pipeline: 'other' })).report.total_cost, 0);
  await kernel.close();
});

const added = suite('reliability: records from user code are checked, stored and watched');

const userRun = { run_id: 'u1', pipeline: 'agent', success: true, retries: 0, required_human: false, at: 1000 };
const userStep = { run_id: 'u1', pipeline: 'agent', step_id: 'plan', success: true, required_compensation: false, required_human: false, at: 1000 };
const userCost = { category: 'other', amount_usd: 1, quantity: 1, unit_cost: 1, at: 1000, agent: 'plan', context: {} };
// [what is wrong, the add() argument, the path named, the message's tail]
const refused: Array<[string, unknown, string | undefined, string]> = [
  ['a run without success', { runs: [{ ...userRun, success: undefined }] }, 'runs[0].success', 'must be a boolean'],
  ['a run id that is not a string', { runs: [userRun, { ...userRun, run_id: 7 }] }, 'runs[1].run_id', 'must be a string'],
  ['a start time that is not finite', { runs: [{ ...userRun, at: Number.NaN }] }, 'runs[0].at', 'must be a finite number'],
  ['an optional duration of the wrong type', { runs: [{ ...userRun, duration_ms: '5' }] }, 'runs[0].duration_ms', 'must be a finite number when given'],
  ['an optional mode of the wrong type', { steps: [{ ...userStep, mode: 1 }] }, 'steps[0].mode', 'must be a string when given'],
  ['a step that is not an object', { steps: [userStep, null] }, 'steps[1]', 'must be an object'],
  ['steps that are not an array', { steps: userStep }, 'steps', 'must be an array'],
  ['a cost without context', { costs: [{ ...userCost, context: undefined }] }, 'costs[0].context', 'must be an object'],
  ['a cost of an unknown category', { costs: [userCost, { ...userCost, category: 'beer' }] }, 'costs[1].category', 'must be one of llm_tokens, tool_execution, storage, compute, other'],
  ['a good run beside a bad step', { runs: [userRun], steps: [{ ...userStep, at: '1000' }] }, 'steps[0].at', 'must be a finite number'],
  ['no object at all', null, undefined, 'the argument must be an object { runs?, steps?, costs? }'],
];
for (const [name, argument, path, tail] of refused) {
  added(`refused, nothing stored: ${name}`, async () => {
    const { service, puts } = direct();
    const e = await failure(service.add(argument as Parameters<typeof service.add>[0]));
    assert.equal([e.code, (e as { path?: string }).path, e.message], ['RELIABILITY_RECORD_INVALID', path, `reliability.add: ${path === undefined ? '' : `${path} `}${tail}; nothing was stored`]);
    await service.flush();
    assert.equal(puts, []);
  });
}

added('optional fields may be left out: the records are stored and count, with no warning', async () => {
  const { logger, lines } = recorder();
  const kernel = await boot({}, undefined, logger);
  const reliability = kernel.services.get('reliability');
  const at = Date.now();
  await reliability.add({ runs: [{ ...userRun, at }, { ...userRun, run_id: 'u2', at, duration_ms: 40, tokens: 7, cost_usd: 0.5 }], steps: [{ ...userStep, at }, { ...userStep, at, tool_duration_ms: 3, mode: 'execute', declared_mode: 'explore' }], costs: [{ ...userCost, at, category: 'compute' }] });
  const report = await reliability.metrics({ pipeline: 'agent' });
  assert.equal([report.total_runs, report.total_steps, report.wct, report.tcl, report.ma, report.tpw, report.cpsw], [2, 2, 40, 3, 0.5, 3.5, 0.25]);
  assert.equal(lines.filter(([level]) => level === 'warn'), []);
  await kernel.close();
});

added('alert rules are evaluated on added run records as on those of pipeline runs', async () => {
  const rules = [
    { name: 'failing', metric: 'success', op: '<', threshold: 1, cooldown_minutes: 0 },
    { name: 'slow', metric: 'duration_ms', op: '>', threshold: 10, cooldown_minutes: 0 },
    { name: 'churn', metric: 'pc', op: '>=', threshold: 2, cooldown_minutes: 0 },
  ];
  const kernel = await boot({ alerts: { rules } }, undefined, recorder().logger);
  const reliability = kernel.services.get('reliability');
  const at = Date.now();
  await reliability.add({ steps: [{ ...userStep, at }] });
  await reliability.add({ runs: [{ ...userRun, at }] });
  await reliability.flush();
  assert.equal(await reliability.alerts.list(), []);
  await reliability.add({ runs: [{ ...userRun, run_id: 'u2', success: false, retries: 6, at }, { ...userRun, run_id: 'u3', duration_ms: 50, cost_usd: 2, at }] });
  await reliability.flush();
  const raised = (await reliability.alerts.list()).map((a) => [a.rule ?? a.type, a.source]).sort();
  assert.equal(raised, [['churn', 'agent'], ['churn', 'agent'], ['failing', 'agent'], ['slow', 'agent']]);
  await kernel.close();
});

const writes = suite('reliability: records are written behind the runs, in batches');

writes('200 ended runs go out in one write; fewer wait at most 50 ms', async () => {
  const { service, puts } = direct();
  for (let i = 0; i < 200; i++) service.finished(meta(`r${i}`), [started(`r${i}`), ended(`r${i}`)]);
  await service.flush();
  assert.equal(puts, [200]);
  service.finished(meta('late'), [started('late'), ended('late')]);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(puts, [200, 1]);
});

writes('a record that cannot be stored, or a run whose history cannot be read, is logged, not thrown', async () => {
  const broken = direct({ records: async () => Promise.reject(new Error('disk full')) });
  broken.service.finished(meta('r'), [started('r'), ended('r')]);
  await broken.service.flush();
  assert.equal(broken.lines.filter(([level]) => level === 'error').map(([, m]) => m), ['1 run record(s) were not stored: disk full']);
  const lost = direct({ history: async () => Promise.reject(new Error('gone')) });
  lost.service.finished(meta('r'), [{ type: 'run.resumed', run_id: 'r', seq: 5, at: Date.now() }, ended('r', 6)]);
  await lost.service.flush();
  assert.equal(lost.lines.filter(([level]) => level === 'warn').map(([, m]) => m), ['could not record a run: gone']);
});

writes('calls are priced: their own cost, else tokens at the model price (an unknown model warned once), else a tool cost', () => {
  const { service, lines } = direct();
  const llm = { kind: 'llm' as const, name: 'x', success: true, duration_ms: 1 };
  assert.equal(
    [
      service.price({ ...llm, cost_usd: 0.3 }),
      service.price({ ...llm, model: 'gpt-4', usage: { input_tokens: 1000, output_tokens: 1000 } }),
      service.price({ ...llm, usage: { input_tokens: 1000, output_tokens: 0 } }),
      service.price({ ...llm, usage: { input_tokens: 2000, output_tokens: 0 } }),
      service.price(llm),
      service.price({ kind: 'tool', name: 'search', success: true, duration_ms: 1 }),
      service.price({ kind: 'tool', name: 'free', success: true, duration_ms: 1 }),
    ],
    [0.3, 0.09, 0.03, 0.06, 0, 0.01, 0],
  );
  assert.equal(lines.map(([, m]) => m), ['no price for model "x"; priced as gpt-4 (set plugins.reliability.pricing)']);
  const origin = { run_id: 'r', pipeline: 'p' };
  const call = (c: object): RunEvent => ({ type: 'call.recorded', run_id: 'r', seq: 2, at: 5, step_id: 's', iteration: 1, attempt: 1, call: { ...llm, ...c } });
  assert.equal(service.costsOf(call({ kind: 'tool', name: 'free' }), origin), []);
  assert.equal(service.costsOf(call({}), origin), []);
  assert.equal(service.costsOf(call({ cost_usd: 0.5 }), origin).map((e) => [e.amount_usd, e.quantity, e.unit_cost]), [[0.5, 0, 0]]);
  assert.equal(service.costsOf(call({ model: 'gpt-4', usage: { input_tokens: 500, output_tokens: 500 }, cost_usd: 1 }), origin).map((e) => [e.amount_usd, e.quantity, e.unit_cost]), [[1, 1000, 0.001]]);
  assert.equal(service.costsOf(started('r'), origin), []);
  assert.is(service.breaker('any'), undefined);
});

const cli = suite('reliability: weft costs');

cli('prints spend, CPSW and TPW, and budgets; exit 1 when a budget is over', async (): Promise<void> => {
  const run = async (kernel: Kernel) => {
    const pipeline = kernel.services.get('pipeline');
    const steps = { Ask: async (_: JsonObject, ctx: StepContext) => (await ctx.record({ kind: 'llm', name: 'openai', model: 'gpt-3.5-turbo', success: true, duration_ms: 3, usage: { input_tokens: 2000, output_tokens: 1000 } }), {}) };
    await pipeline.run(await pipeline.parse({ name: 'ask', steps: [{ id: 'q', step_class: 'Ask' }], flow: { start_at: 'q' } }, { steps }), { steps });
  };
  const kernel = await boot({ budgets: [{ name: 'hourly', total_limit: 1, period_hours: 1 }] });
  await run(kernel);
  const text = await command(kernel, 'costs', [], { pipeline: 'ask', since: '1h' });
  assert.equal([text.code, text.stdout], [0, 'total $0.0025 over 1 runs (1 successful): CPSW $0.0025, TPW 3000\n  llm_tokens: $0.0025\n  step q: $0.0025\nbudget hourly: $0.0025 of $1.0000 per 1 h\n']);
  const json = JSON.parse((await command(kernel, 'costs', [], { json: true, until: new Date(Date.now() + 1000).toISOString() })).stdout);
  assert.equal([json.total_cost, json.budgets[0].within_budget], [0.0025, true]);
  await kernel.close();
  const tight = await boot({ budgets: [{ name: 'none', total_limit: 0 }] });
  await run(tight);
  const over = await command(tight, 'costs', [], {});
  assert.equal([over.code, over.stdout.split('\n').at(-2)], [1, 'budget none: $0.0025 of $0.0000 — OVER (total)']);
  const empty = await command(tight, 'costs', [], { pipeline: 'nothing' });
  assert.match(empty.stdout, /^total \$0\.0000 over 0 runs \(0 successful\): CPSW –, TPW –\n/);
  await tight.close();
});

cli('weft metrics and weft costs give the same CPSW and TPW: what successful runs spent, per successful run', async () => {
  const kernel = await boot();
  const pipeline = kernel.services.get('pipeline');
  const steps = {
    Ask: async (input: JsonObject, ctx: StepContext) => {
      await ctx.record({ kind: 'llm', name: 'openai', model: 'gpt-3.5-turbo', success: true, duration_ms: 3, usage: { input_tokens: input['tokens'] as number, output_tokens: 0 } });
      if (input['fail'] === true) throw new Error('no');
      return {};
    },
  };
  const doc = await pipeline.parse({ name: 'ask', steps: [{ id: 'q', step_class: 'Ask' }], flow: { start_at: 'q' } }, { steps });
  for (const input of [{ tokens: 2000 }, { tokens: 4000 }, { tokens: 10_000, fail: true }]) await pipeline.run(doc, { steps, input });
  const filter = { pipeline: 'ask', since: '1h', json: true };
  const fromMetrics = JSON.parse((await command(kernel, 'metrics', [], filter)).stdout);
  const fromCosts = JSON.parse((await command(kernel, 'costs', [], filter)).stdout);
  // 6,000 tokens at $0.0005 per 1,000 over two successful runs; the failed run's $0.005 is not charged to them.
  assert.equal([fromMetrics.cpsw, fromMetrics.tpw], [0.0015, 3000]);
  assert.equal([fromCosts.cpsw, fromCosts.tpw, fromCosts.total_runs, fromCosts.successful_runs, fromCosts.total_cost], [0.0015, 3000, 3, 2, 0.008]);
  await kernel.close();
});

cli('a disabled budget is shown as disabled, over or not, and never fails the command', async () => {
  const kernel = await boot({ budgets: [{ name: 'off', total_limit: 0, enabled: false }, { name: 'idle', total_limit: 5, enabled: false }, { name: 'roomy', total_limit: 5 }] });
  await kernel.services.get('reliability').add({ costs: [{ category: 'llm_tokens', amount_usd: 1, quantity: 10, unit_cost: 0.1, at: Date.now(), agent: 'q', context: {} }] });
  const text = await command(kernel, 'costs', [], {});
  assert.equal([text.code, text.stdout.split('\n').slice(-4, -1)], [0, ['budget off: $1.0000 of $0.0000 — disabled, over (total)', 'budget idle: $1.0000 of $5.0000 — disabled', 'budget roomy: $1.0000 of $5.0000']]);
  const json = JSON.parse((await command(kernel, 'costs', [], { json: true })).stdout);
  assert.equal(json.budgets.map((b: { enabled: boolean; within_budget: boolean }) => [b.enabled, b.within_budget]), [[false, false], [false, true], [true, true]]);
  await kernel.close();
});

stored.run();
added.run();
writes.run();
cli.run();
