import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, StepContext } from '../../../kernel/index.js';
import { createLogger } from '../../../kernel/index.js';
import { createTestKernel } from '../../../kernel/testing.js';
import pipelinePlugin from '../../../plugins/pipeline/index.js';
import { bootPipeline, chainFlow, deferred, runDoc, stepsNamed } from './support.js';

const { kernel, pipeline } = await bootPipeline();
const flow = suite('engine: sequential flow, inputs and outputs');

flow('the start step gets the run input and each next step the previous output', async () => {
  const seen: JsonObject[] = [];
  const record = (tag: string) => async (input: JsonObject) => {
    seen.push(input);
    return { ...input, [tag]: true };
  };
  const result = await runDoc(pipeline, { name: 'seq', steps: stepsNamed(['a', 'b', 'c']), flow: chainFlow(['a', 'b', 'c']) }, { steps: { a: record('a'), b: record('b'), c: record('c') }, input: { topic: 'x' } });
  assert.is(result.status, 'completed');
  assert.equal(seen, [{ topic: 'x' }, { topic: 'x', a: true }, { topic: 'x', a: true, b: true }]);
  assert.equal(result.execution_path, ['a', 'b', 'c']);
  assert.equal(result.output, { topic: 'x', a: true, b: true, c: true });
  assert.equal(result.steps['b'], { topic: 'x', a: true, b: true });
  assert.is(result.error, null);
  assert.is(result.pipeline, 'seq');
  assert.match(result.run_id, /^[0-9a-f-]{36}$/);
  assert.equal(result.input, { topic: 'x' });
  const run = result.step_runs[0]!;
  assert.equal([run.step_id, run.iteration, run.status, run.attempts], ['a', 1, 'completed', 1]);
  assert.match(run.started_at, /^\d{4}-\d\d-\d\dT/);
  assert.type(run.duration_ms, 'number');
});

flow('declared inputs resolve templates; outputs mapping keeps types', async () => {
  const result = await runDoc(
    pipeline,
    {
      name: 'templated',
      parameters: { topic: { type: 'string', default: 'ai' }, limit: 3 },
      steps: [
        { id: 'draft', step_class: 'draft', inputs: { topic: '{{ parameters.topic }}', notes: "{{ review.feedback | 'none' }}", limit: '{{ parameters.limit }}' } },
        { id: 'review', step_class: 'review', inputs: [{ name: 'text', source: '{steps.draft.output.text}', required: true }] },
      ],
      flow: chainFlow(['draft', 'review']),
      outputs: { final: '{{ draft.text }}', count: '{{ review.count }}', line: 'words: {{ review.count }}' },
    },
    { steps: { draft: async (i: JsonObject) => ({ text: `about ${String(i['topic'])} (${String(i['notes'])}, ${typeof i['limit']})` }), review: async (i: JsonObject) => ({ count: String(i['text']).split(' ').length }) } },
  );
  assert.is(result.status, 'completed');
  assert.equal(result.output, { final: 'about ai (none, number)', count: 4, line: 'words: 4' });
  assert.equal(result.parameters, { topic: 'ai', limit: 3 });
});

flow('a required input that resolves to nothing fails the step with a coded error naming it', async () => {
  const result = await runDoc(
    pipeline,
    { name: 'req', steps: [{ id: 'a', step_class: 'a', inputs: [{ name: 'topic', source: '{pipeline_input.topic}', required: true }] }], flow: { start_at: 'a' } },
    { steps: { a: async () => ({}) } },
  );
  assert.is(result.status, 'failed');
  assert.is(result.error!.code, 'PIPELINE_INPUT_MISSING');
  assert.is(result.error!.step_id, 'a');
  assert.match(result.error!.message, /"topic".*\{pipeline_input\.topic\}/);
  assert.equal(result.execution_path, ['a']);
  assert.is(result.step_runs[0]!.status, 'failed');
});

flow('parameters come from the run request, then same-named input fields, then defaults', async () => {
  const seen: JsonObject[] = [];
  const doc = { name: 'p', parameters: [{ name: 'a', default: 1 }, { name: 'b', default: 2 }, { name: 'c', default: 3 }], steps: [{ id: 's', step_class: 's' }], flow: { start_at: 's' } };
  const result = await runDoc(pipeline, doc, { steps: { s: async (_: JsonObject, ctx: StepContext) => (seen.push(ctx.parameters), {}) }, input: { b: 20, c: 30 }, parameters: { a: 10, c: 300, extra: true } });
  assert.equal(seen[0], { a: 10, b: 20, c: 300, extra: true });
  assert.equal(result.parameters, seen[0]);
});

flow('a missing required parameter fails the run before any step runs', async () => {
  let ran = false;
  const result = await runDoc(pipeline, { name: 'p', parameters: [{ name: 'topic', required: true }], steps: [{ id: 's', step_class: 's' }], flow: { start_at: 's' } }, { steps: { s: async () => ((ran = true), {}) } });
  assert.is(result.status, 'failed');
  assert.is(result.error!.code, 'PIPELINE_PARAMETER_MISSING');
  assert.equal(result.execution_path, []);
  assert.is(result.output, null);
  assert.not.ok(ran);
});

flow('a step returning nothing outputs {}; a step context carries run facts and services', async () => {
  let ctx: StepContext | undefined;
  const result = await runDoc(pipeline, { name: 'ctx', steps: [{ id: 's', step_class: 's', config: { level: '{{ parameters.level }}', fixed: 'x' } }], flow: { start_at: 's' }, parameters: { level: 2 } }, {
    steps: { s: (_: JsonObject, c: StepContext) => void (ctx = c) },
    input: { q: 1 },
  });
  assert.equal(result.steps['s'], {});
  assert.is(ctx!.run_id, result.run_id);
  assert.equal([ctx!.step_id, ctx!.iteration, ctx!.attempt], ['s', 1, 1]);
  assert.equal(ctx!.config, { level: 2, fixed: 'x' });
  assert.equal(ctx!.input, { q: 1 });
  assert.is(ctx!.service('pipeline'), pipeline);
  assert.is(ctx!.service('nothing'), undefined);
  assert.is(ctx!.signal.aborted, false);
});

flow('ctx.log writes to the kernel\'s log naming the run and step; the logger is also a service', async () => {
  const lines: string[] = [];
  const logger = createLogger((line) => void lines.push(line), 'debug');
  const kernel = await createTestKernel({ plugins: [pipelinePlugin], logger });
  const service = kernel.services.get('pipeline');
  let seen: unknown;
  const result = await runDoc(service, { name: 'logs', steps: [{ id: 'talk', step_class: 'talk' }], flow: { start_at: 'talk' } }, {
    steps: {
      talk: (_: JsonObject, c: StepContext) => {
        c.log.info('thinking', { n: 1 });
        c.log.warn('careful');
        seen = c.service('logger');
        return {};
      },
    },
  });
  assert.is(seen, logger);
  assert.is(lines.length, 2);
  assert.match(lines[0]!, `[run ${result.run_id} step talk] thinking`);
  assert.match(lines[0]!, '"n":1');
  assert.match(lines[1]!, `[run ${result.run_id} step talk] careful`);
  await kernel.close();
});

flow('a class step is built once per run with (config, ctx) and keeps state across iterations', async () => {
  let built = 0;
  class Counter {
    count = 0;
    constructor(config: JsonObject) {
      built++;
      assert.equal(config, { start: 5 });
    }
    async run(_: JsonObject, ctx: StepContext) {
      this.count++;
      return { count: this.count, iteration: ctx.iteration };
    }
  }
  const doc = {
    name: 'cls',
    steps: [{ id: 'c', step_class: 'Counter', config: { start: 5 } }],
    flow: {
      start_at: 'c',
      transitions: [
        { from: 'c', to: 'c', condition: { type: 'expression', config: { source: 'result.count', operator: '<', value: 3 } } },
        { from: 'c', to: 'end', condition: { type: 'expression', config: { source: 'result.count', operator: '>=', value: 3 } } },
      ],
    },
  };
  const result = await runDoc(pipeline, doc, { steps: { Counter } });
  assert.is(result.status, 'completed');
  assert.is(built, 1);
  assert.equal(result.steps['c'], { count: 3, iteration: 3 });
  assert.equal(result.execution_path, ['c', 'c', 'c']);
});

const routing = suite('engine: routing, fan-out and joins');

routing('fan-out branches run concurrently and the join gets their outputs merged in declaration order', async () => {
  const started = [deferred(), deferred(), deferred()];
  const all = Promise.all(started.map((d) => d.promise));
  const branch = (i: number) => async () => {
    started[i]!.resolve();
    await all; // deadlocks unless all three run at once
    return { [`b${i}`]: i, shared: i };
  };
  let joinInput: JsonObject | undefined;
  const doc = {
    name: 'fan',
    steps: stepsNamed(['split', 'b0', 'b1', 'b2', 'join']),
    flow: {
      start_at: 'split',
      transitions: [
        { from: 'split', to: 'b0' },
        { from: 'split', to: 'b1' },
        { from: 'split', to: 'b2' },
        { from: 'b2', to: 'join' },
        { from: 'b0', to: 'join' },
        { from: 'b1', to: 'join' },
      ],
    },
  };
  const result = await runDoc(pipeline, doc, { steps: { split: async () => ({}), b0: branch(0), b1: branch(1), b2: branch(2), join: async (i: JsonObject) => ((joinInput = i), { done: true }) } });
  assert.is(result.status, 'completed');
  assert.equal(joinInput, { b2: 2, b0: 0, b1: 1, shared: 1 });
  assert.equal(result.execution_path.filter((s) => s === 'join'), ['join']);
  assert.is(result.execution_path.at(-1), 'join');
});

routing('a join does not wait for a branch whose transition did not hold', async () => {
  const doc = {
    name: 'branch',
    steps: stepsNamed(['check', 'high', 'low', 'merge']),
    flow: {
      start_at: 'check',
      transitions: [
        { from: 'check', to: 'high', condition: { type: 'expression', config: { source: 'score', operator: '>=', value: 5 } } },
        { from: 'check', to: 'low', condition: { type: 'expression', config: { source: 'score', operator: '<', value: 5 } } },
        { from: 'high', to: 'merge' },
        { from: 'low', to: 'merge' },
      ],
    },
  };
  const steps = { check: async (i: JsonObject) => i, high: async () => ({ level: 'high' }), low: async () => ({ level: 'low' }), merge: async (i: JsonObject) => i };
  const high = await runDoc(pipeline, doc, { steps, input: { score: 7 } });
  assert.equal(high.execution_path, ['check', 'high', 'merge']);
  assert.equal(high.output, { level: 'high' });
  assert.not.ok('low' in high.steps);
  const low = await runDoc(pipeline, doc, { steps, input: { score: 1 } });
  assert.equal(low.execution_path, ['check', 'low', 'merge']);
});

routing('a join waits for a predecessor that a running branch can still reach', async () => {
  const slow = deferred();
  const doc = {
    name: 'uneven',
    steps: stepsNamed(['a', 'short', 'long1', 'long2', 'join']),
    flow: {
      start_at: 'a',
      transitions: [
        { from: 'a', to: 'short' },
        { from: 'a', to: 'long1' },
        { from: 'long1', to: 'long2' },
        { from: 'short', to: 'join' },
        { from: 'long2', to: 'join' },
      ],
    },
  };
  const steps = {
    a: async () => ({}),
    short: async () => (setTimeout(() => slow.resolve(), 5), { short: 1 }),
    long1: async () => (await slow.promise, { long1: 1 }),
    long2: async () => ({ long2: 1 }),
    join: async (i: JsonObject) => i,
  };
  const result = await runDoc(pipeline, doc, { steps });
  assert.equal(result.output, { short: 1, long2: 1 });
  assert.is(result.execution_path.filter((s) => s === 'join').length, 1);
  assert.is(result.execution_path.at(-1), 'join');
});

routing('a join waits for a predecessor that is itself a join still waiting for its inputs', async () => {
  const doc = {
    name: 'nested-joins',
    steps: stepsNamed(['s', 'a', 'b', 'c', 'inner', 'outer']),
    flow: {
      start_at: 's',
      transitions: [
        { from: 's', to: 'c' },
        { from: 's', to: 'a' },
        { from: 's', to: 'b' },
        { from: 'c', to: 'outer' },
        { from: 'a', to: 'inner' },
        { from: 'b', to: 'inner' },
        { from: 'inner', to: 'outer' },
      ],
    },
  };
  const later = (ms: number, out: JsonObject) => async () => (await new Promise((r) => setTimeout(r, ms)), out);
  const steps = { s: async () => ({}), c: async () => ({ c: 1 }), a: later(2, { a: 1 }), b: later(6, { b: 1 }), inner: async (i: JsonObject) => ({ ...i, inner: 1 }), outer: async (i: JsonObject) => i };
  const result = await runDoc(pipeline, doc, { steps });
  assert.equal(result.execution_path.slice(-2), ['inner', 'outer']);
  assert.equal(result.output, { c: 1, a: 1, b: 1, inner: 1 });
});

routing('first_match takes only the first transition that holds', async () => {
  const doc = {
    name: 'first',
    steps: stepsNamed(['a', 'b', 'c']),
    flow: { start_at: 'a', routing: 'first_match', transitions: [{ from: 'a', to: 'b' }, { from: 'a', to: 'c' }] },
  };
  const result = await runDoc(pipeline, doc, { steps: { a: async () => ({}), b: async () => ({ b: 1 }), c: async () => ({ c: 1 }) } });
  assert.equal(result.execution_path, ['a', 'b']);
});

routing('end and end_with_success finish a branch; end_with_failure fails the run', async () => {
  const doc = (to: string) => ({ name: 'ends', steps: stepsNamed(['a', 'b']), flow: { start_at: 'a', transitions: [{ from: 'a', to }, { from: 'a', to: 'b' }] } });
  const steps = { a: async () => ({ a: 1 }), b: async () => ({ b: 1 }) };
  for (const to of ['end', 'end_with_success']) {
    const ok = await runDoc(pipeline, doc(to), { steps });
    assert.is(ok.status, 'completed', to);
    assert.equal(ok.execution_path, ['a', 'b']);
  }
  const failed = await runDoc(pipeline, doc('end_with_failure'), { steps });
  assert.is(failed.status, 'failed');
  assert.is(failed.error!.code, 'PIPELINE_END_WITH_FAILURE');
  assert.is(failed.error!.step_id, 'a');
  assert.equal(failed.execution_path, ['a']);
});

routing('a step with no transition that holds ends its branch and the run completes with its output', async () => {
  const doc = { name: 'dead', steps: stepsNamed(['a', 'b']), flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b', condition: { type: 'field_equals', config: { field: 'go', value: true } } }] } };
  const result = await runDoc(pipeline, doc, { steps: { a: async () => ({ go: false }), b: async () => ({}) } });
  assert.is(result.status, 'completed');
  assert.equal(result.execution_path, ['a']);
  assert.equal(result.output, { go: false });
});

routing('route decisions record which transitions held and the values that decided them', async () => {
  const events: JsonObject[] = [];
  const doc = {
    name: 'why',
    steps: stepsNamed(['a', 'b', 'c']),
    flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b', condition: { type: 'expression', config: { source: 'result.n', operator: '>', value: 1 } } }, { from: 'a', to: 'c' }] },
  };
  const def = await pipeline.parse(doc, { steps: { a: async () => ({ n: 0 }), b: async () => ({}), c: async () => ({}) } });
  await pipeline.run(def, { steps: { a: async () => ({ n: 0 }), b: async () => ({}), c: async () => ({}) }, onEvent: (e) => void events.push(e as unknown as JsonObject) });
  const decided = events.find((e) => e['type'] === 'route.decided' && e['step_id'] === 'a')!;
  assert.equal(decided['taken'], ['c']);
  assert.equal(decided['evaluated'], [
    { to: 'b', held: false, values: { source: 'result.n', actual: 0, operator: '>', expected: 1 } },
    { to: 'c', held: true },
  ]);
});

routing.after(() => kernel.close());
flow.run();
routing.run();
