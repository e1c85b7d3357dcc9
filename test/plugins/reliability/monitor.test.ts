import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, StepContext } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { declaredModes, stepFacts } from '../../../plugins/reliability/monitor.js';
import { boot } from './helpers.js';

const run = async (kernel: Kernel, doc: JsonObject, steps: Record<string, (input: JsonObject, ctx: StepContext) => unknown>, input: JsonObject = {}) => {
  const pipeline = kernel.services.get('pipeline');
  return pipeline.run(await pipeline.parse(doc, { steps }), { steps, input });
};
const chain = (name: string, steps: JsonObject[]): JsonObject => ({
  name,
  steps,
  flow: { start_at: steps[0]!['id'], transitions: steps.slice(1).map((s, i) => ({ from: steps[i]!['id'], to: s['id'] })) },
});

const facts = suite('reliability: step facts from the pipeline document');

facts('a step type is its step_class (or class), else its id; modes are read once per document', () => {
  const doc = { steps: [{ id: 'a', step_class: 'Fetch', mode: 'explore' }, { name: 'b', class: 'Write' }, { id: 'c' }] };
  assert.equal([stepFacts(doc, 'a'), stepFacts(doc, 'b'), stepFacts(doc, 'c'), stepFacts(doc, 'x')], [{ type: 'Fetch', mode: 'explore' }, { type: 'Write' }, { type: 'c' }, { type: 'x' }]);
  assert.equal(declaredModes(doc), { a: 'explore' });
  assert.is(declaredModes(doc), declaredModes(doc));
  assert.equal(declaredModes({}), {});
  assert.equal(stepFacts({}, 'a'), { type: 'a' });
});

const modes = suite('reliability: declared step modes are enforced');

modes('an explore step whose name is a write is refused without running; reads run; escalate needs an approval', async () => {
  const kernel = await boot();
  const calls: string[] = [];
  const step = (name: string) => async () => (calls.push(name), { [name]: true });
  const steps = { DeleteRows: step('delete'), SearchDocs: step('search'), Publish: step('publish') };
  const reads = await run(kernel, chain('reads', [{ id: 'find', step_class: 'SearchDocs', mode: 'explore' }]), steps);
  assert.is(reads.status, 'completed');
  const writes = await run(kernel, chain('writes', [{ id: 'find', step_class: 'SearchDocs', mode: 'explore' }, { id: 'purge', step_class: 'DeleteRows', mode: 'explore', on_error: 'continue' }]), steps);
  assert.equal(calls, ['search', 'search']);
  assert.equal(writes.steps['purge']!['code'], 'RELIABILITY_MODE_VIOLATION');
  assert.match(String(writes.steps['purge']!['message']), /^Step "purge" \(mode explore\) may not run: /);
  const reliability = kernel.services.get('reliability');
  const escalated = chain('release', [{ id: 'ship', step_class: 'Publish', mode: 'escalate' }]);
  assert.is((await run(kernel, escalated, steps)).error?.code, 'RELIABILITY_MODE_VIOLATION');
  reliability.modes.grantApproval('ship');
  assert.is((await run(kernel, escalated, steps)).status, 'completed');
  assert.equal(calls, ['search', 'search', 'publish']);
  assert.equal(reliability.modes.violations().map((v) => [v.agent, v.violation_type]), [['purge', 'write_in_explore'], ['ship', 'no_approval']]);
  // The refusals count against mode adherence: declared explore, attempted a write.
  const report = await reliability.metrics({ pipeline: 'writes' });
  assert.equal([report.total_steps, report.ma, report.per_step['purge']!.mode_violations], [2, 0.5, 1]);
  await kernel.close();
});

modes('an explore step that records a call of a writing tool counts as a mode violation', async () => {
  const kernel = await boot();
  const steps = { Agent: async (_: JsonObject, ctx: StepContext) => (await ctx.record({ kind: 'tool', name: 'send_email', success: true, duration_ms: 3 }), {}) };
  await run(kernel, chain('mailer', [{ id: 'look', step_class: 'Agent', mode: 'explore' }]), steps);
  const report = await kernel.services.get('reliability').metrics({ pipeline: 'mailer' });
  assert.equal([report.ma, report.svr], [0, 1]);
  await kernel.close();
});

const breakers = suite('reliability: circuit breakers per step type and tool');

breakers('repeated failures open the breaker: the step is refused without running until a probe succeeds', async () => {
  const kernel = await boot({ breakers: { Flaky: { failure_threshold: 2, success_threshold: 1, timeout_seconds: 0.05 } } });
  let calls = 0;
  let healthy = false;
  const steps = {
    Flaky: async () => {
      calls++;
      if (!healthy) throw new Error('down');
      return { ok: true };
    },
  };
  const doc = chain('flaky', [{ id: 'call', step_class: 'Flaky' }]);
  for (let i = 0; i < 2; i++) assert.is((await run(kernel, doc, steps)).error?.message, 'down');
  const refused = await run(kernel, doc, steps);
  assert.equal([calls, refused.error?.code], [2, 'RELIABILITY_BREAKER_OPEN']);
  assert.match(refused.error!.message, /circuit breaker of step type "Flaky" is open/);
  const reliability = kernel.services.get('reliability');
  assert.is(reliability.breaker('Flaky')?.state, 'open');
  await new Promise((r) => setTimeout(r, 60));
  healthy = true;
  assert.is((await run(kernel, doc, steps)).status, 'completed');
  assert.equal([calls, reliability.breaker('Flaky')?.state], [3, 'closed']);
  // Step types without a configured breaker have none.
  assert.is(reliability.breaker('Other'), undefined);
  await kernel.close();
});

breakers('recorded tool calls feed the breaker of tool:<name>; a * breaker covers every step type', async () => {
  const kernel = await boot({ breakers: { '*': { failure_threshold: 1 }, 'tool:search': { failure_threshold: 2 }, Ghost: { window_seconds: 1 } } });
  // a and b: the search fails; c: it succeeds, but an open breaker stays open until its timeout.
  const steps = { Agent: async (_: JsonObject, ctx: StepContext) => (await ctx.record({ kind: 'tool', name: 'search', success: ctx.step_id === 'c', duration_ms: 5 }), {}) };
  await run(kernel, chain('tools', [{ id: 'a', step_class: 'Agent' }, { id: 'b', step_class: 'Agent' }, { id: 'c', step_class: 'Agent' }]), steps);
  const reliability = kernel.services.get('reliability');
  assert.equal([reliability.breaker('tool:search')?.state, reliability.breaker('tool:search')?.stats.successful, reliability.breaker('Agent')?.state, reliability.breaker('tool:other')], ['open', 1, 'closed', undefined]);
  assert.is(reliability.breaker('Ghost')?.state, 'closed');
  await kernel.close();
});

const budgets = suite('reliability: budgets');

budgets('a spent stop_run budget halts the run before its next step, past on_error; a cost_overrun alert is raised', async () => {
  const kernel = await boot({ budgets: [{ name: 'cap', total_limit: 0.02, stop_run: true }, { name: 'watch', total_limit: 0.01, category_limits: { llm_tokens: 0.5 } }, { name: 'off', total_limit: 0, enabled: false }] });
  const calls: string[] = [];
  const steps = {
    Ask: async (_: JsonObject, ctx: StepContext) => {
      calls.push(ctx.step_id);
      await ctx.record({ kind: 'tool', name: 'free', success: true, duration_ms: 1 });
      await ctx.record({ kind: 'llm', name: 'openai', model: 'gpt-4', success: true, duration_ms: 10, usage: { input_tokens: 1000, output_tokens: 0 } });
      return {};
    },
  };
  const doc = chain('spender', [{ id: 'one', step_class: 'Ask' }, { id: 'two', step_class: 'Ask', on_error: 'continue' }]);
  const halted = await run(kernel, doc, steps);
  assert.equal([calls, halted.status, halted.error?.code, halted.error?.['budget']], [['one'], 'failed', 'RELIABILITY_BUDGET_EXCEEDED', 'cap']);
  assert.is(halted.error!.message, 'Budget "cap" is spent (total): 0.03 of 0.02 USD');
  assert.is((await run(kernel, doc, steps)).error?.code, 'RELIABILITY_BUDGET_EXCEEDED');
  assert.equal(calls, ['one']);
  const reliability = kernel.services.get('reliability');
  await reliability.flush();
  const alerts = await reliability.alerts.list({ type: 'cost_overrun' });
  assert.equal(alerts.map((a) => [a.title, a.severity]).sort(), [['Budget "cap" exceeded', 'critical'], ['Budget "watch" exceeded', 'error']]);
  const { budgets: usage, report } = await reliability.costs();
  assert.equal(usage.map((b) => [b.budget_name, b.total_used, b.within_budget]), [['cap', 0.03, false], ['watch', 0.03, false], ['off', 0.03, false]]);
  assert.equal([report.total_cost, report.by_agent, report.cpsw], [0.03, { one: 0.03 }, null]);
  await kernel.close();
});

budgets('budgets start from what other processes spent (stored cost records)', async () => {
  const first = await boot();
  const steps = { Ask: async (_: JsonObject, ctx: StepContext) => (await ctx.record({ kind: 'llm', name: 'anthropic', model: 'claude-3-opus', success: true, duration_ms: 1, cost_usd: 0.5 }), {}) };
  await run(first, chain('spent', [{ id: 'a', step_class: 'Ask' }]), steps);
  // Another process's spend: the first kernel's stored cost records, put in the second kernel's store.
  await first.services.get('reliability').flush();
  const records = await first.services.get('storage').records();
  const stored = await records.list({ kind: 'reliability.run' });
  await first.close();
  const second = await boot({ budgets: [{ name: 'daily', total_limit: 0.25, period_hours: 24, stop_run: true }] });
  await (await second.services.get('storage').records()).put(stored);
  let ran = false;
  const result = await run(second, chain('next', [{ id: 'b', step_class: 'Free' }]), { Free: async () => ((ran = true), {}) });
  assert.equal([ran, result.error?.code], [false, 'RELIABILITY_BUDGET_EXCEEDED']);
  await second.close();
});

facts.run();
modes.run();
breakers.run();
budgets.run();
