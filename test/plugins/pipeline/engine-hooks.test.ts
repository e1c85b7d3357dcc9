import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { definePlugin, SuspendSignal, type JsonObject, type RunEvent, type StepContext } from '../../../kernel/index.js';
import { bootPipeline, deferred, runDoc, stepsNamed } from './support.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../../test/fixtures/pipelines/engine/${name}`, import.meta.url));

const events = suite('engine: the run is an event log');

events('pipeline.event taps see every event in order, and an async tap is awaited before the run goes on', async () => {
  const seen: RunEvent[] = [];
  const order: string[] = [];
  const recorder = definePlugin({
    name: 'recorder',
    version: '1.0.0',
    kernel: '^1',
    dependsOn: ['pipeline'],
    setup(ctx) {
      ctx.hooks.tapPromise('pipeline.event', async (event, run) => {
        assert.is(run.pipeline, 'two');
        seen.push(event);
        await new Promise((r) => setTimeout(r, 1));
        order.push(`persisted ${event.type}${'step_id' in event ? ` ${event.step_id}` : ''}`);
      });
    },
  });
  const { kernel, pipeline } = await bootPipeline([recorder]);
  const step = (name: string) => async () => (order.push(`ran ${name}`), { [name]: true });
  const result = await runDoc(pipeline, { name: 'two', steps: stepsNamed(['a', 'b']), flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b' }] } }, { steps: { a: step('a'), b: step('b') } });
  await kernel.close();
  assert.equal(seen.map((e) => e.type), ['run.started', 'step.started', 'step.completed', 'route.decided', 'step.started', 'step.completed', 'route.decided', 'run.completed']);
  assert.equal(seen.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(seen.every((e) => e.run_id === result.run_id));
  assert.ok(order.indexOf('persisted step.completed a') < order.indexOf('ran b'));
  const completed = seen.at(-1)!;
  assert.equal(completed.type === 'run.completed' && completed.output, { b: true });
});

events('a failing event tap fails the run', async () => {
  const broken = definePlugin({
    name: 'broken-store',
    version: '1.0.0',
    kernel: '^1',
    dependsOn: ['pipeline'],
    setup(ctx) {
      ctx.hooks.tap('pipeline.event', (event) => {
        if (event.type === 'step.completed') throw new Error('disk full');
      });
    },
  });
  const { kernel, pipeline } = await bootPipeline([broken]);
  const result = await runDoc(pipeline, { name: 'x', steps: stepsNamed(['a', 'b']), flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b' }] } }, { steps: { a: async () => ({}), b: async () => ({}) } });
  await kernel.close();
  assert.is(result.status, 'failed');
  assert.is(result.error!.message, 'disk full');
  assert.equal(result.execution_path, ['a']);
});

events('a run whose end cannot be recorded reports that failure instead of success', async () => {
  const broken = definePlugin({
    name: 'broken-end',
    version: '1.0.0',
    kernel: '^1',
    dependsOn: ['pipeline'],
    setup(ctx) {
      ctx.hooks.tapPromise('pipeline.event', async (event) => {
        if (event.type === 'run.completed' || event.type === 'run.cancelled' || (event.type === 'run.failed' && event.error.message === 'step broke')) throw new Error(`cannot store ${event.type}`);
      });
    },
  });
  const { kernel, pipeline } = await bootPipeline([broken]);
  const ok = await runDoc(pipeline, { name: 'x', steps: stepsNamed(['a']), flow: { start_at: 'a' } }, { steps: { a: async () => ({ done: true }) } });
  assert.equal([ok.status, ok.error!.message, ok.output], ['failed', 'cannot store run.completed', { done: true }]);
  const failed = await runDoc(pipeline, { name: 'x', steps: stepsNamed(['a']), flow: { start_at: 'a' } }, { steps: { a: async () => Promise.reject(new Error('step broke')) } });
  assert.equal([failed.status, failed.error!.message], ['failed', 'step broke']);
  const cancelled = await runDoc(pipeline, { name: 'x', steps: stepsNamed(['a']), flow: { start_at: 'a' } }, { steps: { a: async () => ({}) }, signal: AbortSignal.abort() });
  assert.equal([cancelled.status, cancelled.error!.message, cancelled.output], ['failed', 'cannot store run.cancelled', null]);
  await kernel.close();
});

events('a store that fails at run.started fails the run before any step', async () => {
  const broken = definePlugin({
    name: 'broken-start',
    version: '1.0.0',
    kernel: '^1',
    dependsOn: ['pipeline'],
    setup(ctx) {
      ctx.hooks.tapPromise('pipeline.event', async (event) => {
        if (event.type === 'run.started') throw new Error('store offline');
      });
    },
  });
  const { kernel, pipeline } = await bootPipeline([broken]);
  const result = await runDoc(pipeline, { name: 'x', steps: stepsNamed(['a']), flow: { start_at: 'a' } }, { steps: { a: async () => ({}) } });
  await kernel.close();
  assert.is(result.status, 'failed');
  assert.is(result.error!.message, 'store offline');
  assert.equal(result.execution_path, []);
});

events('pipeline.beforeStep may supply a recorded output instead of running the step, or veto it', async () => {
  const replay = definePlugin({
    name: 'replay',
    version: '1.0.0',
    kernel: '^1',
    dependsOn: ['pipeline'],
    setup(ctx) {
      ctx.hooks.tapPromise('pipeline.beforeStep', async (invocation) => {
        if (invocation.step_id === 'a') return { output: { recorded: true } };
        if (invocation.step_id === 'b' && invocation.input['veto']) throw new Error('not allowed');
        return undefined;
      });
    },
  });
  const { kernel, pipeline } = await bootPipeline([replay]);
  let ranA = false;
  const steps = { a: async () => ((ranA = true), { veto: false }), b: async (i: JsonObject) => ({ after: i }) };
  const doc = { name: 'rp', steps: stepsNamed(['a', 'b']), flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b' }] } };
  const result = await runDoc(pipeline, doc, { steps });
  assert.not.ok(ranA);
  assert.equal(result.steps['b'], { after: { recorded: true } });
  const vetoed = await runDoc(pipeline, { ...doc, steps: [{ id: 'b', step_class: 'b' }], flow: { start_at: 'b' } }, { steps, input: { veto: true } });
  await kernel.close();
  assert.is(vetoed.status, 'failed');
  assert.is(vetoed.error!.message, 'not allowed');
});

events('a beforeStep halt fails the step and the run past retries and on_error: continue', async () => {
  const budget = definePlugin({
    name: 'budget',
    version: '1.0.0',
    kernel: '^1',
    dependsOn: ['pipeline'],
    setup(ctx) {
      ctx.hooks.tapPromise('pipeline.beforeStep', async (invocation) => (invocation.step_id === 'b' ? { halt: { code: 'BUDGET_SPENT', message: 'budget spent' } } : undefined));
    },
  });
  const seen: RunEvent[] = [];
  const { kernel, pipeline } = await bootPipeline([budget]);
  let ranB = 0;
  const doc = {
    name: 'halted',
    steps: [{ id: 'a', step_class: 'a' }, { id: 'b', step_class: 'b', on_error: 'continue', retry: { max_attempts: 3 } }, { id: 'c', step_class: 'a' }],
    flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }] },
  };
  const result = await runDoc(pipeline, doc, { steps: { a: async () => ({}), b: async () => (ranB++, {}) }, onEvent: (e) => seen.push(e) });
  await kernel.close();
  assert.is(ranB, 0);
  assert.is(result.status, 'failed');
  assert.equal(result.error, { code: 'BUDGET_SPENT', message: 'budget spent', step_id: 'b' });
  assert.equal(result.execution_path, ['a', 'b']);
  assert.equal(seen.filter((e) => e.type === 'step.failed').length, 1);
});

events('ctx.record appends a call.recorded event between the step\'s start and end; a malformed call is refused naming the field', async () => {
  const seen: RunEvent[] = [];
  const { kernel, pipeline } = await bootPipeline();
  const call = { kind: 'llm' as const, name: 'openai', model: 'gpt-4', input: 'hi', output: 'hello', success: true, duration_ms: 12, usage: { input_tokens: 10, output_tokens: 5 } };
  const steps = {
    ask: async (_i: JsonObject, ctx: StepContext) => (await ctx.record(call), { answered: true }),
    bad: async (i: JsonObject, ctx: StepContext) => (await ctx.record(i['call'] as never), {}),
  };
  const one = (step: string) => ({ name: 'calls', steps: [{ id: step, step_class: step }], flow: { start_at: step } });
  const ok = await runDoc(pipeline, one('ask'), { steps, onEvent: (e) => seen.push(e) });
  assert.is(ok.status, 'completed');
  assert.equal(seen.map((e) => e.type), ['run.started', 'step.started', 'call.recorded', 'step.completed', 'route.decided', 'run.completed']);
  const recorded = seen[2]!;
  assert.equal(recorded.type === 'call.recorded' && { step_id: recorded.step_id, iteration: recorded.iteration, attempt: recorded.attempt, call: recorded.call }, { step_id: 'ask', iteration: 1, attempt: 1, call });
  const cases: [unknown, string][] = [
    [null, 'call'],
    [{ ...call, kind: 'db' }, 'call.kind'],
    [{ ...call, name: '' }, 'call.name'],
    [{ ...call, success: 'yes' }, 'call.success'],
    [{ ...call, duration_ms: -1 }, 'call.duration_ms'],
    [{ ...call, usage: { input_tokens: 1.5, output_tokens: 0 } }, 'call.usage'],
    [{ ...call, usage: null }, 'call.usage'],
    [{ ...call, cost_usd: Number.NaN }, 'call.cost_usd'],
    [{ ...call, cost_usd: -1 }, 'call.cost_usd'],
  ];
  for (const [bad, path] of cases) {
    const result = await runDoc(pipeline, one('bad'), { steps, input: { call: bad === null ? null : (bad as JsonObject) } });
    assert.is(result.error?.code, 'PIPELINE_CALL_INVALID', path);
    assert.is(result.error?.['path'], path);
  }
  await kernel.close();
});

const control = suite('engine: suspension, cancellation, condition failures');
const { kernel, pipeline } = await bootPipeline();

control('ctx.suspend stops the run in waiting_for_input after running branches finish', async () => {
  const seen: RunEvent[] = [];
  const doc = {
    name: 'hitl',
    steps: stepsNamed(['start', 'ask', 'other', 'after']),
    flow: { start_at: 'start', transitions: [{ from: 'start', to: 'ask' }, { from: 'start', to: 'other' }, { from: 'ask', to: 'after' }] },
  };
  const steps = {
    start: async () => ({}),
    ask: (_: JsonObject, ctx: StepContext) => ctx.suspend({ prompt: 'approve?' }),
    other: async () => (await new Promise((r) => setTimeout(r, 5)), { other: true }),
    after: async () => ({}),
  };
  const def = await pipeline.parse(doc, { steps });
  const result = await pipeline.run(def, { steps, onEvent: (e) => void seen.push(e) });
  assert.is(result.status, 'waiting_for_input');
  assert.equal(result.steps['other'], { other: true });
  assert.not.ok('after' in result.steps);
  const suspended = seen.find((e) => e.type === 'run.suspended');
  assert.equal(suspended?.type === 'run.suspended' && [suspended.step_id, suspended.request], ['ask', { prompt: 'approve?' }]);
  assert.not.ok(seen.some((e) => e.type === 'run.completed'));
});

control('a step may return a suspend signal instead of calling ctx.suspend', async () => {
  const steps = { ask: async () => new SuspendSignal({ prompt: 'approve?' }) };
  const result = await runDoc(pipeline, { name: 'ret', steps: stepsNamed(['ask']), flow: { start_at: 'ask' } }, { steps });
  assert.is(result.status, 'waiting_for_input');
});

control('aborting the run signal cancels the run and aborts the running step', async () => {
  const controller = new AbortController();
  let stepSignal: AbortSignal | undefined;
  const waitForAbort = (_: JsonObject, ctx: StepContext) => {
    stepSignal = ctx.signal;
    const stopped = new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ stopped: true })));
    controller.abort('operator stop');
    return stopped;
  };
  const doc = { name: 'c', steps: stepsNamed(['w', 'x']), flow: { start_at: 'w', transitions: [{ from: 'w', to: 'x' }] } };
  const result = await runDoc(pipeline, doc, { steps: { w: waitForAbort, x: async () => ({}) }, signal: controller.signal });
  assert.is(result.status, 'cancelled');
  assert.is(result.error!.code, 'PIPELINE_CANCELLED');
  assert.match(result.error!.message, /operator stop/);
  assert.ok(stepSignal!.aborted);
  assert.equal(result.execution_path, ['w']);
  const early = await runDoc(pipeline, doc, { steps: { w: async () => ({}), x: async () => ({}) }, signal: AbortSignal.abort() });
  assert.is(early.status, 'cancelled');
  assert.equal(early.execution_path, []);
});

control('a signal aborted after the run already failed does not turn it into a cancellation', async () => {
  const controller = new AbortController();
  const doc = { name: 'f', steps: stepsNamed(['s', 'bad', 'slow']), flow: { start_at: 's', transitions: [{ from: 's', to: 'bad' }, { from: 's', to: 'slow' }] } };
  const steps = {
    s: async () => ({}),
    bad: async () => Promise.reject(new Error('broken')),
    slow: async () => (await new Promise((r) => setTimeout(r, 5)), controller.abort(), {}),
  };
  const result = await runDoc(pipeline, doc, { steps, signal: controller.signal });
  assert.is(result.status, 'failed');
  assert.is(result.error!.message, 'broken');
});

control('a condition that throws fails the run with a coded error naming the transition', async () => {
  const gate = definePlugin({
    name: 'gate',
    version: '1.0.0',
    kernel: '^1',
    dependsOn: ['pipeline'],
    setup(ctx) {
      ctx.services.get('pipeline').registerCondition('explode', () => {
        throw new Error('gate broke');
      });
      ctx.services.get('pipeline').registerCondition('has-pipeline', (config, env) => env.service('pipeline') !== undefined && env.service('nope') === undefined && !env.signal.aborted && config['x'] === 1);
    },
  });
  const booted = await bootPipeline([gate]);
  const doc = { name: 'g', steps: stepsNamed(['a', 'b']), flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b', condition: { type: 'plugin', config: { plugin: 'explode' } } }] } };
  const ok = await runDoc(booted.pipeline, { ...doc, flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b', condition: { type: 'plugin', config: { plugin: 'has-pipeline', config: { x: 1 } } } }] } }, { steps: new Map([['a', async () => ({})], ['b', async () => ({})]]) as never });
  assert.equal(ok.execution_path, ['a', 'b']);
  const result = await runDoc(booted.pipeline, doc, { steps: { a: async () => ({}), b: async () => ({}) } });
  await booted.kernel.close();
  assert.is(result.error!.code, 'PIPELINE_CONDITION_FAILED');
  assert.match(result.error!.message, /flow\.transitions\[0\].*gate broke/);
});

const service = suite('pipeline service: files, registration, validation');

service('loads a YAML file whose steps come from a module beside it', async () => {
  const result = await pipeline.run(fixture('pipeline.yaml'), { input: { text: 'hi' } });
  assert.is(result.status, 'completed');
  assert.is(result.pipeline, 'yaml-pipeline');
  assert.equal(result.output, { text: 'HI!' });
});

service('a prepared pipeline runs many times, each run with its own id and state', async () => {
  const prepared = await pipeline.prepare(await pipeline.load(fixture('pipeline.yaml')));
  const [first, second] = await Promise.all([pipeline.run(prepared, { input: { text: 'a' } }), pipeline.run(prepared, { input: { text: 'b' } })]);
  assert.equal([first.output, second.output], [{ text: 'A!' }, { text: 'B!' }]);
  assert.is.not(first.run_id, second.run_id);
});

service('registered step types, condition types and operators are used by every pipeline; duplicates are refused', async () => {
  pipeline.registerStep('Double', async (i: JsonObject) => ({ n: (i['n'] as number) * 2 }));
  pipeline.registerOperator('divisible_by', (a, b) => typeof a === 'number' && typeof b === 'number' && a % b === 0);
  pipeline.registerConditionType('even', () => (env) => ({ held: (env.scope.prev!['n'] as number) % 2 === 0 }));
  const doc = {
    name: 'reg',
    steps: [{ id: 'd', step_class: 'Double' }, { id: 'yes', step_class: 'Double' }, { id: 'four', step_class: 'Double' }],
    flow: {
      start_at: 'd',
      transitions: [
        { from: 'd', to: 'yes', condition: { type: 'even' } },
        { from: 'd', to: 'four', condition: { type: 'expression', config: { source: 'n', operator: 'divisible_by', value: 4 } } },
      ],
    },
  };
  const result = await runDoc(pipeline, doc, { input: { n: 3 } });
  assert.equal(result.execution_path, ['d', 'yes']);
  pipeline.registerCondition('x', () => true);
  for (const register of [() => pipeline.registerStep('Double', async () => ({})), () => pipeline.registerOperator('equals', () => true), () => pipeline.registerConditionType('always', () => () => ({ held: true })), () => pipeline.registerCondition('x', () => true)]) {
    assert.throws(register, (e: Error & { code?: string }) => e.code === 'PIPELINE_STEP_TYPE_DUPLICATE');
  }
});

service('validate reports problems without throwing; load throws PIPELINE_INVALID listing them', async () => {
  const bad = { name: 'bad', steps: [{ id: 'a', step_class: 'Nope' }], flow: { start_at: 'zz' } };
  const report = await pipeline.validate(bad);
  assert.is(report.valid, false);
  assert.equal(report.errors.map((e) => [e.code, e.path]), [['PIPELINE_UNKNOWN_STEP', 'flow.start_at'], ['PIPELINE_STEP_UNRESOLVED', 'steps[0].step_class']]);
  const fromFile = await pipeline.validate(fixture('pipeline.yaml'), { strict: true });
  assert.is(fromFile.valid, true);
  const schemaBad = await pipeline.validate({ name: 'x' });
  assert.is(schemaBad.def, undefined);
  try {
    await pipeline.parse(bad);
    assert.unreachable();
  } catch (e: unknown) {
    const error = e as Error & { code: string; data: { issues: unknown[] } };
    assert.is(error.code, 'PIPELINE_INVALID');
    assert.match(error.message, /flow\.start_at: step "zz" does not exist \[PIPELINE_UNKNOWN_STEP\]/);
    assert.is(error.data.issues.length, 2);
  }
  const nothing = await pipeline.parse(null).catch((e: Error) => e.message);
  assert.match(String(nothing), /pipeline is not a valid pipeline/);
});

service.after(() => kernel.close());
events.run();
control.run();
service.run();
