import { fileURLToPath, pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin, WeftError, type JsonObject, type RunEvent, type RunStore } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { createTestKernel } from '../../../kernel/testing.js';
import { command } from '../../support/commands.js';
import checkpoint from '../../../plugins/checkpoint/index.js';
import pipelinePlugin from '../../../plugins/pipeline/index.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';

const FIXTURE = fileURLToPath(new URL('../../../../test/fixtures/pipelines/checkpoint/pipeline.json', import.meta.url));
const steps = (await import(pathToFileURL(FIXTURE.replace('pipeline.json', 'steps.mjs')).href)) as { calls: string[]; heal(): void };

/** Counts the store's append calls (each is one commit) by wrapping the real store. */
const spy = definePlugin({
  name: 'append-spy',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['storage', 'store-memory'],
  setup(ctx) {
    const batches: RunEvent['type'][][] = [];
    ctx.services.provide('appendSpy' as never, batches as never);
    ctx.hooks.tapPromise('kernel.ready', async () => {
      const store = await ctx.services.get('storage').runs();
      const append = store.append.bind(store);
      store.append = async (events) => {
        batches.push(events.map((e) => e.type));
        return append(events);
      };
    });
  },
});

async function boot(config: JsonObject = {}): Promise<{ kernel: Kernel; batches: string[][]; runs: RunStore }> {
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, checkpoint, spy], config: { plugins: { checkpoint: config } } });
  return { kernel, batches: kernel.services.get('appendSpy' as never) as string[][], runs: await kernel.services.get('storage').runs() };
}


const durable = suite('checkpoint: durable runs');

durable('with step durability each step is one append, stored before the next step starts', async () => {
  const { kernel, batches, runs } = await boot();
  const pipeline = kernel.services.get('pipeline');
  let storedWhenSecondRan: string[] = [];
  const result = await pipeline.run(
    await pipeline.parse({ name: 'three', steps: [{ id: 'a', step_class: 'a' }, { id: 'b', step_class: 'b' }, { id: 'c', step_class: 'a' }], flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }] } }, { steps: { a: async () => ({}), b: async () => ({}) } }),
    {
      steps: {
        a: async () => ({ big: 'x'.repeat(100) }),
        b: async (_: JsonObject, ctx: { run_id: string }) => {
          storedWhenSecondRan = (await runs.events(ctx.run_id)).map((e) => e.type);
          return {};
        },
      },
    },
  );
  const step = ['step.started', 'step.completed', 'route.decided'];
  assert.equal(batches, [['run.started'], step, step, step, ['run.completed']]);
  assert.equal(storedWhenSecondRan, ['run.started', 'step.started', 'step.completed', 'route.decided']);
  assert.equal((await runs.get(result.run_id))?.status, 'completed');
  await kernel.close();
});

durable('a step input that is its predecessor output is stored as a reference and restored on read', async () => {
  const { kernel, runs } = await boot();
  const result = await kernel.services.get('pipeline').run(FIXTURE.replace('pipeline.json', 'pipeline.json'), { input: { id: 7 } }).catch(() => undefined);
  void result;
  const all = await runs.list({ pipeline: 'durable' });
  const stored = await runs.events(all[0]!.run_id);
  const second = stored.find((e) => e.type === 'step.started' && e.step_id === 'enrich') as unknown as JsonObject;
  assert.is(second['input'], undefined);
  assert.is(second['input_ref'], 'fetch#1');
  const restored = await kernel.services.get('runHistory').events(all[0]!.run_id);
  const enrich = restored.find((e) => e.type === 'step.started' && e.step_id === 'enrich');
  assert.equal(enrich?.type === 'step.started' && enrich.input, { id: 7, fetch: 1 });
  await kernel.close();
});

durable('concurrent branches of a fan-out append their steps in order, each once', async () => {
  const { kernel, batches, runs } = await boot();
  const pipeline = kernel.services.get('pipeline');
  const slow = (ms: number) => async () => (await new Promise((r) => setTimeout(r, ms)), { [`w${ms}`]: true });
  const impl = { s: async () => ({}), a: slow(3), b: slow(1), c: slow(2), j: async (i: JsonObject) => i };
  const doc = {
    name: 'fan',
    steps: ['s', 'a', 'b', 'c', 'j'].map((id) => ({ id, step_class: id })),
    flow: { start_at: 's', transitions: [{ from: 's', to: 'a' }, { from: 's', to: 'b' }, { from: 's', to: 'c' }, { from: 'a', to: 'j' }, { from: 'b', to: 'j' }, { from: 'c', to: 'j' }] },
  };
  const result = await pipeline.run(await pipeline.parse(doc, { steps: impl }), { steps: impl });
  assert.is(result.status, 'completed');
  const stored = await runs.events(result.run_id);
  assert.equal(stored.map((e) => e.seq), stored.map((_, i) => i + 1));
  assert.is(batches.flat().length, stored.length);
  await kernel.close();
});

durable('exit durability stores a run in one append when it stops', async () => {
  const { kernel, batches } = await boot({ durability: 'exit' });
  const pipeline = kernel.services.get('pipeline');
  await pipeline.run(await pipeline.parse({ name: 'one', steps: [{ id: 'a', step_class: 'a' }], flow: { start_at: 'a' } }, { steps: { a: async () => ({}) } }), { steps: { a: async () => ({}) } });
  assert.equal(batches, [['run.started', 'step.started', 'step.completed', 'route.decided', 'run.completed']]);
  await kernel.close();
});

durable('a store that fails mid-run fails the run with its error', async () => {
  const { kernel, runs } = await boot();
  const append = runs.append.bind(runs);
  let calls = 0;
  runs.append = async (events) => {
    if (++calls === 2) throw Object.assign(new Error('connection lost'), { code: 'STORE_UNAVAILABLE' });
    return append(events);
  };
  const pipeline = kernel.services.get('pipeline');
  const def = await pipeline.parse({ name: 'two', steps: [{ id: 'a', step_class: 'a' }, { id: 'b', step_class: 'a' }], flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b' }] } }, { steps: { a: async () => ({}) } });
  const result = await pipeline.run(def, { steps: { a: async () => ({}) } });
  assert.is(result.status, 'failed');
  assert.match(result.error!.message, /connection lost/);
  assert.equal(result.execution_path, ['a']);
  await kernel.close();
});

const commands = suite('checkpoint: runs list, runs show, resume');

commands('a run the store cannot read is reported on stderr and left out; the others are listed and the exit code is 1', async () => {
  const { kernel, runs } = await boot();
  const done = await kernel.services.get('pipeline').run(await kernel.services.get('pipeline').parse({ name: 'one', steps: [{ id: 'a', step_class: 'a' }], flow: { start_at: 'a' } }, { steps: { a: async () => ({}) } }), { steps: { a: async () => ({}) } });
  // As a backend does with a damaged row (the SQL and Redis suites damage real ones).
  const list = runs.list.bind(runs);
  runs.list = async (filter, report) => {
    report?.(new WeftError('STORE_CORRUPT', 'A row in weft_runs (run_id broken) is corrupt: unknown status "exploded"; repair or delete it'));
    return list(filter, report);
  };
  const text = await command(kernel, 'runs list', []);
  assert.is(text.code, 1);
  assert.match(text.stdout, new RegExp(`${done.run_id}\\s+one\\s+completed`));
  assert.is(text.stderr, 'warning [STORE_CORRUPT] A row in weft_runs (run_id broken) is corrupt: unknown status "exploded"; repair or delete it\n');
  const json = await command(kernel, 'runs list', [], { json: true });
  assert.equal((JSON.parse(json.stdout) as { run_id: string }[]).map((r) => r.run_id), [done.run_id]);
  assert.is(json.code, 1);
  await kernel.close();
});

commands('a failed run is listed, shown, and resumed without rerunning its completed steps', async () => {
  const { kernel } = await boot();
  steps.calls.length = 0;
  const failed = await kernel.services.get('pipeline').run(FIXTURE, { input: { id: 1 } });
  assert.is(failed.status, 'failed');
  assert.equal(steps.calls, ['fetch', 'enrich', 'send']);

  const list = await command(kernel, 'runs list', [], { json: true });
  const listed = JSON.parse(list.stdout) as Array<{ run_id: string; status: string }>;
  assert.ok(listed.some((r) => r.run_id === failed.run_id && r.status === 'failed'));
  const text = await command(kernel, 'runs list', [], { status: 'failed', pipeline: 'durable' });
  assert.match(text.stdout, new RegExp(`${failed.run_id}\\s+durable\\s+failed`));
  assert.match((await command(kernel, 'runs list', [], { status: 'cancelled' })).stdout, /No runs stored/);

  const shown = await command(kernel, 'runs show', [failed.run_id], { json: true });
  assert.equal(JSON.parse(shown.stdout), failed);
  assert.match((await command(kernel, 'runs show', [failed.run_id])).stdout, /durable: failed .*\n  ✓ fetch .*\n  ✓ enrich .*\n  ✗ send .*\[PIPELINE_STEP_FAILED\] downstream service unavailable\nerror \[PIPELINE_STEP_FAILED\]/);

  const stillBroken = await command(kernel, 'resume', [failed.run_id]);
  assert.is(stillBroken.code, 1);
  assert.match(stillBroken.stderr, /▸ resuming .*\n  ✗ send \[PIPELINE_STEP_FAILED\]/);
  assert.match(stillBroken.stdout, /durable: failed/);
  steps.heal();
  const resumed = await command(kernel, 'resume', [failed.run_id], { json: true });
  assert.is(resumed.code, 0, resumed.stderr);
  const result = JSON.parse(resumed.stdout);
  assert.equal([result.run_id, result.status, result.execution_path], [failed.run_id, 'completed', ['fetch', 'enrich', 'send', 'report']]);
  assert.equal(steps.calls, ['fetch', 'enrich', 'send', 'send', 'send', 'report']);
  assert.equal((await command(kernel, 'runs show', [failed.run_id], { json: true })).stdout, resumed.stdout);
  await kernel.close();
});

commands('runs show marks repeated iterations and a step still waiting', async () => {
  const { kernel } = await boot();
  const pipeline = kernel.services.get('pipeline');
  const loop = {
    name: 'wait-loop',
    steps: [{ id: 'tick', step_class: 'tick' }, { id: 'ask', step_class: 'ask' }],
    flow: { start_at: 'tick', transitions: [
      { from: 'tick', to: 'tick', condition: { type: 'expression', config: { source: 'result.n', operator: '<', value: 2 } } },
      { from: 'tick', to: 'ask', condition: { type: 'expression', config: { source: 'result.n', operator: '>=', value: 2 } } },
    ] },
  };
  const impl = { tick: async (_: JsonObject, ctx: { iteration: number }) => ({ n: ctx.iteration }), ask: (_: JsonObject, ctx: { suspend(r: JsonObject): never }) => ctx.suspend({ prompt: 'ok?' }) };
  const result = await pipeline.run(await pipeline.parse(loop, { steps: impl }), { steps: impl });
  const shown = await command(kernel, 'runs show', [result.run_id]);
  assert.match(shown.stdout, /wait-loop: waiting_for_input .*\n  ✓ tick .*\n  ✓ tick #2 .*\n  … ask /);
  await kernel.close();
});

commands('bad requests are coded errors', async () => {
  const { kernel } = await boot();
  const fail = async (p: Promise<unknown>): Promise<{ code: string; message: string }> => {
    try {
      await p;
    } catch (e: unknown) {
      return e as { code: string; message: string };
    }
    throw new Error('expected the command to fail');
  };
  assert.is((await fail(command(kernel, 'runs show', ['nope']))).code, 'CHECKPOINT_RUN_NOT_FOUND');
  assert.is((await fail(command(kernel, 'resume', ['nope']))).code, 'CHECKPOINT_RUN_NOT_FOUND');
  assert.match((await fail(command(kernel, 'runs list', [], { status: 'weird' }))).message, /--status must be one of/);
  assert.match((await fail(command(kernel, 'runs list', [], { limit: '0' }))).message, /--limit must be a positive integer/);
  const pipeline = kernel.services.get('pipeline');
  const done = await pipeline.run(await pipeline.parse({ name: 'ok', steps: [{ id: 'a', step_class: 'a' }], flow: { start_at: 'a' } }, { steps: { a: async () => ({}) } }), { steps: { a: async () => ({}) } });
  assert.match((await fail(command(kernel, 'resume', [done.run_id]))).message, /is completed; there is nothing to resume/);
  await kernel.close();
});

durable.run();
commands.run();
