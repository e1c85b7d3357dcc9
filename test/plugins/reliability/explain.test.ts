import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, StepContext } from '../../../kernel/index.js';
import { boot, command, failure, runMix } from './helpers.js';

const explain = suite('reliability: weft explain');

explain('the JSON trail has the input, path, each route decision with its values, steps and the human answer', async () => {
  const kernel = await boot();
  const { results } = await runMix(kernel);
  const trail = JSON.parse((await command(kernel, 'explain', [results[4]!.run_id], { format: 'json' })).stdout);
  assert.equal([trail.pipeline, trail.status, trail.success, trail.input, trail.execution_path], ['mix', 'completed', true, { go: 'b' }, ['a', 'b']]);
  assert.equal(trail.routes[0], {
    from: 'a',
    iteration: 1,
    taken: ['b'],
    evaluated: [
      { to: 'b', held: true, values: { source: 'result.go', actual: 'b', operator: 'equals', expected: 'b' } },
      { to: 'c', held: false, values: { source: 'result.go', actual: 'b', operator: 'equals', expected: 'c' } },
    ],
  });
  const b = trail.steps[1];
  assert.equal([b.step_id, b.success, b.human.actor, b.human.response, b.input], ['b', true, 'ana', { approved: true }, { go: 'b' }]);
  assert.equal(trail.human, [b.human]);
  assert.equal([trail.errors, trail.run_error], [[], null]);
  await kernel.close();
});

explain('Markdown shows retries, recoveries, failures, routing reasons and the outcome', async () => {
  const kernel = await boot();
  const { results } = await runMix(kernel);
  const md = async (i: number) => (await command(kernel, 'explain', [results[i]!.run_id])).stdout;
  const retried = await md(1);
  assert.match(retried, /^# mix run \S+\n\n✓ completed, started \S+, [\d.]+ ms\n\n## Input\n\n```json\n\{\n  "go": "c",\n  "flaky": true\n\}\n```\n\n## Execution path\n\n1\. a\n2\. c\n/);
  assert.match(retried, /- ✓ \*\*a\*\* \([\d.]+ ms, 1 retry\)\n  - input: `\{"go":"c","flaky":true\}`\n  - output: `\{"go":"c"\}`\n/);
  assert.match(retried, /## Routing decisions\n\n- after \*\*a\*\*: → c\n  - ✗ b \{"source":"result.go","actual":"c","operator":"equals","expected":"b"\}\n  - ✓ c \{.*\}\n- after \*\*c\*\*: no transition held \(end\)\n/);
  assert.match(retried, /## Errors\n\n- a: \[\w+\] flaky\n\n## Outcome\n\n```json\n\{\n  "c": true\n\}\n```\n$/);
  assert.match(await md(2), /- ✗ \*\*b\*\* \([\d.]+ ms\)\n  - input: .*\n  - error: \[\w+\] boom\n[^]*\nRun failed: \[\w+\] boom\n/);
  assert.match(await md(3), /- ↺ \*\*b\*\* \([\d.]+ ms, recovered by continue\)\n/);
  assert.match(await md(4), /  - answered by ana: `\{"approved":true\}`\n[^]*## Human responses\n\n- b: ana at \S+: `\{"approved":true\}`\n/);
  await kernel.close();
});

explain('a waiting run, loops, repeated retries and an answer without an actor', async () => {
  const kernel = await boot();
  const pipeline = kernel.services.get('pipeline');
  let fails = 0;
  const doc = {
    name: 'loop',
    steps: [{ id: 'tick', step_class: 'tick' }, { id: 'ask', step_class: 'ask' }, { id: 'fin', step_class: 'fin', retry: { max_attempts: 3, initial_delay: 0, jitter: false } }],
    flow: { start_at: 'tick', transitions: [
      { from: 'tick', to: 'tick', condition: { type: 'expression', config: { source: 'result.n', operator: '<', value: 2 } } },
      { from: 'tick', to: 'ask', condition: { type: 'expression', config: { source: 'result.n', operator: '>=', value: 2 } } },
      { from: 'ask', to: 'fin' },
    ] },
  };
  const steps = {
    tick: async (_: JsonObject, ctx: { iteration: number }) => ({ n: ctx.iteration }),
    ask: (_: JsonObject, ctx: { suspend(r: JsonObject): never }) => ctx.suspend({ prompt: 'ok?' }),
    fin: async () => {
      if (fails++ < 2) throw Object.assign(new Error('again'), { retryable: true });
      return { fin: true };
    },
  };
  const def = await pipeline.parse(doc, { steps });
  const waiting = await pipeline.run(def, { steps });
  const md = (await command(kernel, 'explain', [waiting.run_id], { format: 'md' })).stdout;
  assert.match(md, /^# loop run \S+\n\n✗ waiting_for_input/);
  assert.match(md, /- ✓ \*\*tick\*\* #2 .*\n[^]*- … \*\*ask\*\* \(0.0 ms\)\n  - input: `\{"n":2\}`\n\n## Routing decisions\n\n- after \*\*tick\*\*: → tick\n[^]*- after \*\*tick\*\* #2: → ask\n/);
  assert.match(md, /## Outcome\n\n```json\nnull\n```\n$/);
  const history = await kernel.services.get('runHistory').events(waiting.run_id);
  await pipeline.resume(history, { pipeline: def, steps, response: { step_id: 'ask', response: { ok: 1 }, interaction_id: 'i-1' } });
  const trail = JSON.parse((await command(kernel, 'explain', [waiting.run_id], { format: 'json' })).stdout);
  assert.equal(trail.human.map((h: JsonObject) => [h['actor'], h['interaction_id']]), [[null, 'i-1']]);
  const done = (await command(kernel, 'explain', [waiting.run_id])).stdout;
  assert.match(done, /- ✓ \*\*fin\*\* \([\d.]+ ms, 2 retries\)\n/);
  assert.match(done, /answered by unknown: `\{"ok":1\}`[^]*- ask: unknown at /);
  assert.match(done, /- after \*\*ask\*\*: → fin\n  - ✓ fin\n/);
  assert.match((await failure(command(kernel, 'explain', [waiting.run_id], { format: 'html' }))).message, /--format must be md or json/);
  assert.is((await failure(command(kernel, 'explain', ['nope']))).code, 'CHECKPOINT_RUN_NOT_FOUND');
  await kernel.close();
});

explain('a run that stopped at its first step has no routing decisions', async () => {
  const kernel = await boot();
  const pipeline = kernel.services.get('pipeline');
  const steps = { ask: (_: JsonObject, ctx: { suspend(r: JsonObject): never }) => ctx.suspend({ prompt: 'ok?' }) };
  const run = await pipeline.run(await pipeline.parse({ name: 'w', steps: [{ id: 'q', step_class: 'ask' }], flow: { start_at: 'q' } }, { steps }), { steps });
  assert.match((await command(kernel, 'explain', [run.run_id])).stdout, /## Routing decisions\n\nNone\.\n\n## Outcome/);
  await kernel.close();
});

explain('model and tool calls appear under their step with tokens and cost; explaining is timed as MTTE', async () => {
  const kernel = await boot({ pricing: { 'house-model': { prompt: 1, completion: 2 } } });
  const pipeline = kernel.services.get('pipeline');
  const steps = {
    Agent: async (_: JsonObject, ctx: StepContext) => {
      await ctx.record({ kind: 'llm', name: 'house', model: 'house-model', input: 'plan?', output: 'search', success: true, duration_ms: 40, usage: { input_tokens: 1000, output_tokens: 500 } });
      await ctx.record({ kind: 'tool', name: 'search', success: false, error: 'timeout', duration_ms: 9 });
      return {};
    },
    One: async (_: JsonObject, ctx: StepContext) => (await ctx.record({ kind: 'llm', name: 'house', success: true, duration_ms: 1, cost_usd: 0.25 }), {}),
  };
  const doc = (cls: string) => ({ name: 'agent', steps: [{ id: 'plan', step_class: cls }], flow: { start_at: 'plan' } });
  const result = await pipeline.run(await pipeline.parse(doc('Agent'), { steps }), { steps });
  const md = (await command(kernel, 'explain', [result.run_id])).stdout;
  assert.match(md, /  - ✓ llm \*\*house\*\* \(house-model\), 40 ms, 1000\+500 tokens: `"plan\?"` → `"search"`\n  - ✗ tool \*\*search\*\*, 9 ms: `null` → error: timeout\n/);
  assert.match(md, /## Cost\n\n2 calls, 1500 tokens, \$2\.0000\n$/);
  const trail = JSON.parse((await command(kernel, 'explain', [result.run_id], { format: 'json' })).stdout);
  assert.equal([trail.calls.length, trail.steps[0].calls.length, trail.tokens_used, trail.cost_usd], [2, 2, 1500, 2]);
  const one = await pipeline.run(await pipeline.parse(doc('One'), { steps }), { steps });
  assert.match((await command(kernel, 'explain', [one.run_id])).stdout, /## Cost\n\n1 call, 0 tokens, \$0\.2500\n$/);
  const report = await kernel.services.get('reliability').metrics({ pipeline: 'agent' });
  assert.equal([report.mtte.count, report.mtte.compliant, report.total_cost_usd, report.tpw, report.cpsw], [3, true, 2.25, 750, 1.125]);
  assert.ok(report.mtte.p95_ms > 0);
  await kernel.close();
});

explain.run();
