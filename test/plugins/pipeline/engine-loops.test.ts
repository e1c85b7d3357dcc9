import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, StepContext } from '../../../kernel/index.js';
import { bootPipeline, runDoc, stepsNamed } from './support.js';

const { kernel, pipeline } = await bootPipeline();
const loops = suite('engine: loops and their bounds');

const reviewLoop = (loop_config: JsonObject, approveAt: number) => ({
  doc: {
    name: 'review-loop',
    steps: stepsNamed(['draft', 'review', 'publish']),
    flow: {
      start_at: 'draft',
      transitions: [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'draft', condition: { type: 'expression', config: { source: 'result.approved', operator: 'equals', value: false } } },
        { from: 'review', to: 'publish', condition: { type: 'expression', config: { source: 'result.approved', operator: 'equals', value: true } } },
      ],
    },
    loop_config,
  },
  steps: {
    draft: async (_: JsonObject, ctx: StepContext) => ({ revision: ctx.iteration, at: Date.now() }),
    review: async (input: JsonObject) => ({ approved: (input['revision'] as number) >= approveAt }),
    publish: async () => ({ published: true }),
  },
});

loops('a back edge starts the next iteration; ctx.iteration counts runs of the step', async () => {
  const { doc, steps } = reviewLoop({}, 3);
  const result = await runDoc(pipeline, doc, { steps });
  assert.is(result.status, 'completed');
  assert.equal(result.execution_path, ['draft', 'review', 'draft', 'review', 'draft', 'review', 'publish']);
  assert.is(result.steps['draft']!['revision'], 3);
  assert.equal(result.step_runs.filter((r) => r.step_id === 'draft').map((r) => r.iteration), [1, 2, 3]);
});

loops('max_iterations refuses a step its next run and fails the run naming the step and the bound', async () => {
  const { doc, steps } = reviewLoop({ max_iterations: 2 }, 99);
  const result = await runDoc(pipeline, doc, { steps });
  assert.is(result.status, 'failed');
  assert.is(result.error!.code, 'PIPELINE_LOOP_LIMIT');
  assert.is(result.error!.step_id, 'draft');
  assert.is(result.error!['bound'], 'max_iterations');
  assert.match(result.error!.message, /max_iterations = 2/);
  assert.equal(result.execution_path, ['draft', 'review', 'draft', 'review']);
});

loops('iteration_delay_seconds waits before each repeated run of the loop entry', async () => {
  const { doc, steps } = reviewLoop({ iteration_delay_seconds: 0.03 }, 3);
  const result = await runDoc(pipeline, doc, { steps });
  const starts = result.step_runs.filter((r) => r.step_id === 'draft').map((r) => Date.parse(r.started_at));
  assert.ok(starts[1]! - starts[0]! >= 25 && starts[2]! - starts[1]! >= 25, `gaps ${starts}`);
});

loops('max_loop_time_seconds bounds the time a loop may run', async () => {
  const { doc, steps } = reviewLoop({ max_loop_time_seconds: 0.02, iteration_delay_seconds: 0.015 }, 99);
  const result = await runDoc(pipeline, doc, { steps });
  assert.is(result.status, 'failed');
  assert.is(result.error!.code, 'PIPELINE_LOOP_LIMIT');
  assert.is(result.error!['bound'], 'max_loop_time_seconds');
});

loops('a join inside a loop runs once per iteration', async () => {
  const doc = {
    name: 'loop-join',
    steps: stepsNamed(['start', 'left', 'right', 'join']),
    flow: {
      start_at: 'start',
      transitions: [
        { from: 'start', to: 'left' },
        { from: 'start', to: 'right' },
        { from: 'left', to: 'join' },
        { from: 'right', to: 'join' },
        { from: 'join', to: 'start', condition: { type: 'expression', config: { source: 'start.round', operator: '<', value: 3 } } },
        { from: 'join', to: 'end', condition: { type: 'expression', config: { source: 'start.round', operator: '>=', value: 3 } } },
      ],
    },
  };
  const steps = { start: async (_: JsonObject, ctx: StepContext) => ({ round: ctx.iteration }), left: async () => ({ l: 1 }), right: async () => ({ r: 1 }), join: async (i: JsonObject) => i };
  const result = await runDoc(pipeline, doc, { steps });
  assert.is(result.status, 'completed');
  assert.is(result.execution_path.filter((s) => s === 'join').length, 3);
  assert.equal(result.steps['join'], { l: 1, r: 1 });
});

loops.after(() => kernel.close());
loops.run();
