import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin, type JsonObject, type RunEvent, type StepContext } from '../../../kernel/index.js';
import type { PipelineDef } from '../../../plugins/pipeline/model.js';
import { bootPipeline, chainFlow, stepsNamed } from './support.js';

const { kernel, pipeline } = await bootPipeline();
const resume = suite('engine: resuming a run from its event log');

/** Step implementations that count their calls; `crash` makes the named step throw once. */
function counting(ids: string[], crash?: string) {
  const calls: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  let crashed = false;
  const steps = Object.fromEntries(
    ids.map((id) => [
      id,
      async (input: JsonObject, ctx: StepContext) => {
        calls[id]!++;
        if (id === crash && !crashed) {
          crashed = true;
          throw new Error('process died');
        }
        return { ...input, [id]: ctx.iteration };
      },
    ]),
  );
  return { calls, steps };
}

async function runLogged(def: PipelineDef, steps: Record<string, unknown>, extra: JsonObject = {}): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  await pipeline.run(def, { steps: steps as never, onEvent: (e) => void events.push(e), ...extra });
  return events;
}

resume('completed steps are not run again; the interrupted step is; the run keeps its id and numbering', async () => {
  const ids = ['a', 'b', 'c', 'd'];
  const { calls, steps } = counting(ids, 'c');
  const def = await pipeline.parse({ name: 'chain', steps: stepsNamed(ids), flow: chainFlow(ids) }, { steps });
  const history = await runLogged(def, steps, { input: { x: 1 } });
  assert.is(history.at(-1)!.type, 'run.failed');
  const added: RunEvent[] = [];
  const result = await pipeline.resume(history, { pipeline: def, steps, onEvent: (e) => void added.push(e) });
  assert.is(result.status, 'completed');
  assert.equal(calls, { a: 1, b: 1, c: 2, d: 1 });
  assert.is(result.run_id, history[0]!.run_id);
  assert.equal(result.input, { x: 1 });
  assert.equal(result.execution_path, ids);
  assert.equal(result.output, { x: 1, a: 1, b: 1, c: 1, d: 1 });
  assert.is(result.error, null);
  assert.equal(result.step_runs.map((r) => [r.step_id, r.status]), ids.map((id) => [id, 'completed']));
  assert.is(added[0]!.type, 'run.resumed');
  assert.equal(added.map((e) => e.seq), added.map((_, i) => history.at(-1)!.seq + 1 + i));
  assert.equal(added.filter((e) => e.type === 'step.started').map((e) => e.type === 'step.started' && e.step_id), ['c', 'd']);
});

resume('a long run (3,000 steps) resumes without exhausting the stack', async () => {
  const ids = Array.from({ length: 3000 }, (_, i) => `s${i}`);
  const { calls, steps } = counting(['step'], 'never');
  const doc = { name: 'long', steps: ids.map((id) => ({ id, step_class: 'step' })), flow: chainFlow(ids) };
  const def = await pipeline.parse(doc, { steps });
  const full = await runLogged(def, steps);
  const cut = full.slice(0, full.findIndex((e) => e.type === 'step.started' && e.step_id === 's2999') + 1);
  const result = await pipeline.resume(cut, { pipeline: def, steps });
  assert.is(result.status, 'completed');
  assert.is(result.execution_path.length, 3000);
  assert.is(calls['step'], 3001);
});

resume('a log cut off mid-step (a killed process) resumes at that step; routing lost with it is decided again', async () => {
  const ids = ['a', 'b', 'c'];
  const first = counting(ids);
  const def = await pipeline.parse({ name: 'chain', steps: stepsNamed(ids), flow: chainFlow(ids) }, { steps: first.steps });
  const full = await runLogged(def, first.steps);
  const cut = full.slice(0, full.findIndex((e) => e.type === 'step.completed' && e.step_id === 'b') + 1);
  const again = counting(ids);
  const added: RunEvent[] = [];
  const result = await pipeline.resume(cut, { pipeline: def, steps: again.steps, onEvent: (e) => void added.push(e) });
  assert.equal(again.calls, { a: 0, b: 0, c: 1 });
  assert.equal(result.execution_path, ids);
  assert.ok(added.some((e) => e.type === 'route.decided' && e.step_id === 'b'));
});

resume('loop counters continue across the interruption', async () => {
  let reviews = 0;
  const doc = {
    name: 'loop',
    steps: stepsNamed(['draft', 'review']),
    flow: {
      start_at: 'draft',
      transitions: [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'draft', condition: { type: 'expression', config: { source: 'result.ok', operator: 'equals', value: false } } },
        { from: 'review', to: 'end', condition: { type: 'expression', config: { source: 'result.ok', operator: 'equals', value: true } } },
      ],
    },
    loop_config: { max_iterations: 3 },
  };
  let crash = true;
  const steps = {
    draft: async (_: JsonObject, ctx: StepContext) => ({ round: ctx.iteration }),
    review: async (input: JsonObject) => {
      reviews++;
      if (input['round'] === 2 && crash) {
        crash = false;
        throw new Error('died');
      }
      return { ok: false, seen: input['round'] };
    },
  };
  const def = await pipeline.parse(doc, { steps });
  const history = await runLogged(def, steps);
  const result = await pipeline.resume(history, { pipeline: def, steps });
  assert.is(result.status, 'failed');
  assert.is(result.error!.code, 'PIPELINE_LOOP_LIMIT');
  assert.equal(result.execution_path, ['draft', 'review', 'draft', 'review', 'draft', 'review']);
  assert.is(reviews, 4);
  assert.equal(result.steps['review'], { ok: false, seen: 3 });
});

resume('routing decisions already taken are kept even when the condition would now decide otherwise', async () => {
  let asked = 0;
  pipeline.registerCondition('first-time-only', () => ++asked === 1);
  const { calls, steps } = counting(['a', 'yes', 'no'], 'yes');
  const doc = {
    name: 'decide',
    steps: stepsNamed(['a', 'yes', 'no']),
    flow: {
      start_at: 'a',
      routing: 'first_match',
      transitions: [
        { from: 'a', to: 'yes', condition: { type: 'plugin', config: { plugin: 'first-time-only' } } },
        { from: 'a', to: 'no' },
      ],
    },
  };
  const def = await pipeline.parse(doc, { steps });
  const history = await runLogged(def, steps);
  const result = await pipeline.resume(history, { pipeline: def, steps });
  assert.equal(result.execution_path, ['a', 'yes']);
  assert.equal(calls, { a: 1, yes: 2, no: 0 });
  assert.is(asked, 1);
});

resume('without a pipeline, resume reloads the file named by run.started', async () => {
  const file = fileURLToPath(new URL('../../../../test/fixtures/pipelines/engine/pipeline.yaml', import.meta.url));
  const events: RunEvent[] = [];
  await pipeline.run(file, { input: { text: 'hey' }, onEvent: (e) => void events.push(e) });
  assert.is(events[0]!.type === 'run.started' && events[0].file, file);
  const cut = events.slice(0, events.findIndex((e) => e.type === 'step.started' && e.step_id === 'bang') + 1);
  const result = await pipeline.resume(cut);
  assert.equal([result.status, result.output], ['completed', { text: 'HEY!' }]);
});

resume('a join gets the recorded output of a finished branch and the new output of the rerun one', async () => {
  const { calls, steps } = counting(['s', 'left', 'right', 'join'], 'right');
  const doc = {
    name: 'fan',
    steps: stepsNamed(['s', 'left', 'right', 'join']),
    flow: { start_at: 's', transitions: [{ from: 's', to: 'left' }, { from: 's', to: 'right' }, { from: 'left', to: 'join' }, { from: 'right', to: 'join' }] },
  };
  const def = await pipeline.parse(doc, { steps });
  const history = await runLogged(def, steps);
  const result = await pipeline.resume(history, { pipeline: await pipeline.prepare(def, { steps }), steps });
  assert.equal(calls, { s: 1, left: 1, right: 2, join: 1 });
  assert.equal(result.output, { s: 1, left: 1, right: 1, join: 1 });
});

resume('a human response completes the suspended step and the run routes on from it', async () => {
  const doc = {
    name: 'review',
    steps: stepsNamed(['draft', 'review', 'publish', 'rework']),
    flow: {
      start_at: 'draft',
      transitions: [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'publish', condition: { type: 'field_equals', config: { field: 'decision', value: 'approve' } } },
        { from: 'review', to: 'rework', condition: { type: 'field_equals', config: { field: 'decision', value: 'reject' } } },
      ],
    },
  };
  let asked = 0;
  const steps = {
    draft: async () => ({ text: 'v1' }),
    review: (input: JsonObject, ctx: StepContext) => (asked++, ctx.suspend({ prompt: 'Approve?', interaction_id: 'i-1', output: { reviewed: input['text'] } })),
    publish: async (input: JsonObject) => ({ published: input }),
    rework: async () => ({}),
  };
  const def = await pipeline.parse(doc, { steps });
  const history = await runLogged(def, steps);
  assert.is(history.at(-1)!.type, 'run.suspended');
  const added: RunEvent[] = [];
  const result = await pipeline.resume(history, { pipeline: def, steps, response: { step_id: 'review', response: { decision: 'approve' }, actor: 'ada' }, onEvent: (e) => void added.push(e) });
  assert.is(result.status, 'completed');
  assert.is(asked, 1);
  assert.equal(result.execution_path, ['draft', 'review', 'publish']);
  const output = { reviewed: 'v1', decision: 'approve', human_input: { decision: 'approve' }, interaction_id: 'i-1' };
  assert.equal(result.steps['review'], output);
  assert.equal(result.output, { published: output });
  assert.equal(added.slice(0, 2).map((e) => e.type), ['run.resumed', 'step.completed']);
  const resumed = added[0]!;
  assert.equal(resumed.type === 'run.resumed' && [resumed.step_id, resumed.response, resumed.actor], ['review', { decision: 'approve' }, 'ada']);

  // A process that stored the answer and died before going on completes the step from the stored answer.
  const answeredThenDied = [...history, added[0]!];
  const again = await pipeline.resume(answeredThenDied, { pipeline: def, steps });
  assert.equal([again.status, again.execution_path], ['completed', ['draft', 'review', 'publish']]);
  assert.is(asked, 1);
});

resume('a bare suspension takes the response as its output; event taps see the completion', async () => {
  const seen: string[] = [];
  const tap = definePlugin({ name: 'tap', version: '1.0.0', kernel: '^1', dependsOn: ['pipeline'], setup: (ctx) => ctx.hooks.tapPromise('pipeline.event', async (e) => void seen.push(e.type)) });
  const booted = await bootPipeline([tap]);
  const steps = { ask: (_: JsonObject, ctx: StepContext) => ctx.suspend({ prompt: 'Name?' }) };
  const def = await booted.pipeline.parse({ name: 'ask', steps: stepsNamed(['ask']), flow: { start_at: 'ask' } }, { steps });
  const history: RunEvent[] = [];
  await booted.pipeline.run(def, { steps, onEvent: (e) => void history.push(e) });
  seen.length = 0;
  const result = await booted.pipeline.resume(history, { pipeline: def, steps, response: { step_id: 'ask', response: { name: 'Ada' }, interaction_id: 'i-9' } });
  await booted.kernel.close();
  assert.equal(result.output, { name: 'Ada', human_input: { name: 'Ada' }, interaction_id: 'i-9' });
  assert.equal(seen, ['run.resumed', 'step.completed', 'route.decided', 'run.completed']);
  const stored = history.concat();
  const bare = await pipeline.resume(stored, { pipeline: def, steps, response: { step_id: 'ask', response: { name: 'Bo' } } });
  assert.equal(bare.output, { name: 'Bo', human_input: { name: 'Bo' } });
});

resume('a response for a step that is not waiting is refused before anything is written', async () => {
  const ids = ['a', 'b'];
  const { steps } = counting(ids, 'b');
  const def = await pipeline.parse({ name: 'chain', steps: stepsNamed(ids), flow: chainFlow(ids) }, { steps });
  const history = await runLogged(def, steps);
  const added: RunEvent[] = [];
  const error = await pipeline.resume(history, { pipeline: def, steps, response: { step_id: 'a', response: { ok: true }, interaction_id: 'x' }, onEvent: (e) => void added.push(e) }).catch((e: { code: string; message: string }) => e);
  assert.is((error as { code: string }).code, 'PIPELINE_RESUME_INVALID');
  assert.match((error as { message: string }).message, /not waiting for input at step "a"/);
  assert.equal(added, []);
});

resume('a history that cannot be resumed is refused with a coded error', async () => {
  const ids = ['a', 'b'];
  const { steps } = counting(ids, 'b');
  const def = await pipeline.parse({ name: 'chain', steps: stepsNamed(ids), flow: chainFlow(ids) }, { steps });
  const history = await runLogged(def, steps);
  const code = (e: unknown) => (e as { code: string }).code;
  assert.is(code(await pipeline.resume(history.slice(1), { pipeline: def, steps }).catch((e) => e)), 'PIPELINE_RESUME_INVALID');
  assert.is(code(await pipeline.resume([], { pipeline: def, steps }).catch((e) => e)), 'PIPELINE_RESUME_INVALID');
  assert.is(code(await pipeline.resume(history, { steps }).catch((e) => e)), 'PIPELINE_RESUME_INVALID');
  const other = await pipeline.parse({ name: 'other', steps: stepsNamed(ids), flow: chainFlow(ids) }, { steps });
  assert.match(String(await pipeline.resume(history, { pipeline: other, steps }).catch((e: Error) => e.message)), /belongs to pipeline "chain"/);
  const changed = await pipeline.parse({ name: 'chain', steps: stepsNamed(['a', 'c']), flow: chainFlow(['a', 'c']) }, { steps: { a: steps['a']!, c: steps['b']! } });
  const result = await pipeline.resume(history, { pipeline: changed, steps: { a: steps['a']!, c: steps['b']! } });
  assert.is(result.error!.code, 'PIPELINE_RESUME_INVALID');
});

resume.after(() => kernel.close());
resume.run();
