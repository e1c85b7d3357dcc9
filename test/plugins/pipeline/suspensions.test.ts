import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunEvent, RunSuspendedEvent } from '../../../kernel/index.js';
import { suspensionsOf } from '../../../plugins/pipeline/suspensions.js';
import { bootPipeline } from './support.js';

const started: RunEvent = { type: 'run.started', run_id: 'r', seq: 1, at: 0, pipeline: 'p', version: '1', input: {}, parameters: {} };
const asked = (step_id: string, seq: number, extra: Partial<RunSuspendedEvent> = {}): RunSuspendedEvent => ({ type: 'run.suspended', run_id: 'r', seq, at: seq, step_id, iteration: 1, request: { prompt: step_id }, ...extra });
const answered = (step_id: string | undefined, seq: number, response?: object): RunEvent => ({ type: 'run.resumed', run_id: 'r', seq, at: seq, ...(step_id === undefined ? {} : { step_id }), ...(response === undefined ? {} : { response, interaction_id: `i-${step_id}` }) }) as RunEvent;

const fold = suite('pipeline: the suspensions of a run log');

fold('every suspension is open until a run.resumed names its step with a response', () => {
  const { open, answers } = suspensionsOf([started, asked('legal', 2), asked('brand', 3), answered('brand', 4, { ok: true })]);
  assert.equal([...open.keys()], ['legal']);
  assert.equal(answers, [{ suspension: asked('brand', 3), response: { ok: true }, interaction_id: 'i-brand' }]);
});

fold('a repeated suspension is the question already open; a resume naming no step, or no response, or a step not waiting answers nothing', () => {
  const log = [started, asked('legal', 2), answered(undefined, 3), answered('legal', 4), answered('other', 5, { x: 1 }), asked('legal', 6, { continues: 2 })];
  const { open, answers } = suspensionsOf(log);
  assert.equal([[...open.values()].map((s) => s.seq), answers], [[2], []]);
  const bare = suspensionsOf([started, asked('legal', 2), { type: 'run.resumed', run_id: 'r', seq: 3, at: 3, step_id: 'legal', response: {} }]);
  assert.equal(bare.answers, [{ suspension: asked('legal', 2), response: {} }]);
});

fold('a failed or cancelled run leaves nothing open; answers given before stay', () => {
  const failed: RunEvent = { type: 'run.failed', run_id: 'r', seq: 5, at: 5, error: { code: 'HITL_EXPIRED', message: 'late' }, output: null };
  const { open, answers } = suspensionsOf([started, asked('legal', 2), asked('brand', 3), answered('brand', 4, { ok: true }), failed]);
  assert.equal([open.size, answers.length], [0, 1]);
  const cancelled: RunEvent = { type: 'run.cancelled', run_id: 'r', seq: 3, at: 3, reason: 'no' };
  assert.is(suspensionsOf([started, asked('legal', 2), cancelled]).open.size, 0);
});

fold('the pipeline service names what a run waits on, only while it waits', async () => {
  const { kernel, pipeline } = await bootPipeline();
  const waiting = [started, asked('legal', 2), asked('brand', 3), answered('brand', 4, { ok: true }), asked('legal', 5, { continues: 2 })];
  assert.equal(pipeline.waiting(waiting).map((s) => [s.step_id, s.seq]), [['legal', 2]]);
  assert.equal(pipeline.waiting([started, asked('legal', 2), answered('legal', 3, {})]), []);
  await kernel.close();
});

fold.run();
