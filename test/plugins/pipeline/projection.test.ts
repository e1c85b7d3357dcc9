import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, RunEvent } from '../../../kernel/index.js';
import { project } from '../../../plugins/pipeline/projection.js';
import { bootPipeline, runDoc, stepsNamed } from './support.js';

const projection = suite('projection: the result is rebuilt from the event log');
const { kernel, pipeline } = await bootPipeline();

projection('projecting a run\'s events gives back the result the run returned', async () => {
  const events: RunEvent[] = [];
  const doc = {
    name: 'p',
    steps: stepsNamed(['a', 'b']),
    flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b' }, { from: 'b', to: 'a', condition: { type: 'expression', config: { source: 'a.n', operator: '<', value: 2 } } }, { from: 'b', to: 'end', condition: { type: 'expression', config: { source: 'a.n', operator: '>=', value: 2 } } }] },
  };
  const steps = { a: async (_: JsonObject, ctx: { iteration: number }) => ({ n: ctx.iteration }), b: async (i: JsonObject) => i };
  const def = await pipeline.parse(doc, { steps });
  const result = await pipeline.run(def, { steps, input: { x: 1 }, onEvent: (e) => void events.push(e) });
  assert.equal(project(events).result(), result);
});

projection('a failed step keeps its error in step_runs; resumed and unfinished runs report their status', () => {
  const base = { run_id: 'r', at: 0 };
  const events: RunEvent[] = [
    { ...base, seq: 1, type: 'run.started', pipeline: 'p', version: '1', input: {}, parameters: {} },
    { ...base, seq: 2, type: 'step.started', step_id: 's', iteration: 1, attempt: 1, input: {} },
    { ...base, seq: 3, type: 'step.failed', step_id: 's', iteration: 1, attempt: 1, error: { code: 'X', message: 'm' }, duration_ms: 2, will_retry: true, delay_ms: 1 },
    { ...base, seq: 4, type: 'step.started', step_id: 's', iteration: 1, attempt: 2, input: {} },
    { ...base, seq: 5, type: 'step.failed', step_id: 's', iteration: 1, attempt: 2, error: { code: 'X', message: 'm2' }, duration_ms: 3, will_retry: false },
  ];
  const run = project(events);
  assert.is(run.status, 'running');
  assert.equal(run.result().step_runs, [{ step_id: 's', iteration: 1, status: 'failed', started_at: '1970-01-01T00:00:00.000Z', duration_ms: 5, attempts: 2, error: { code: 'X', message: 'm2' } }]);
  run.apply({ ...base, seq: 6, type: 'run.suspended', step_id: 's', iteration: 1, request: {} });
  assert.is(run.result().status, 'waiting_for_input');
  run.apply({ ...base, seq: 7, type: 'run.resumed', step_id: 's' });
  assert.is(run.status, 'running');
  run.apply({ ...base, seq: 8, type: 'step.completed', step_id: 'orphan', iteration: 1, attempt: 1, output: {}, duration_ms: 1 });
  run.apply({ ...base, seq: 9, type: 'step.failed', step_id: 'orphan2', iteration: 1, attempt: 1, error: { code: 'Y', message: 'n' }, duration_ms: 1, will_retry: false });
  run.apply({ ...base, seq: 10, type: 'route.decided', step_id: 's', iteration: 1, evaluated: [], taken: [] });
  run.apply({ ...base, seq: 11, type: 'run.cancelled', reason: 'stop' });
  assert.equal([run.result().status, run.result().error], ['cancelled', { code: 'PIPELINE_CANCELLED', message: 'stop' }]);
  assert.equal(run.result().steps, { orphan: {} });
});

projection.after(() => kernel.close());
projection.run();
