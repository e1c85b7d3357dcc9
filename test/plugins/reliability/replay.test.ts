import { rm, writeFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, RunEvent } from '../../../kernel/index.js';
import { replay, type ReplayDeps } from '../../../plugins/reliability/replay.js';
import { createTestKernel } from '../../../kernel/testing.js';
import catalog from '../../../plugins/catalog/index.js';
import checkpoint from '../../../plugins/checkpoint/index.js';
import pipelinePlugin from '../../../plugins/pipeline/index.js';
import reliability from '../../../plugins/reliability/index.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';
import { command } from '../../support/commands.js';
import { failure } from './helpers.js';
import { bootReplay, countingSteps, refundDoc, writePipeline } from './replay-support.js';

const test = suite('reliability: replay');
const kernel = await bootReplay();
const { calls, steps } = countingSteps();
const pipeline = kernel.services.get('pipeline');
const history = kernel.services.get('runHistory');
const deps: ReplayDeps = { pipeline, events: (runId) => history.events(runId) };
const file = await writePipeline(refundDoc());
const changed = await writePipeline(refundDoc(100), 'refund-changed');
const recorded = await pipeline.run(file, { steps, input: { amount: 50, note: 'first' } });
const snapshot = () => ({ ...calls });

test('the recording is a real run that called its steps', () => {
  assert.is(recorded.status, 'completed');
  assert.equal(recorded.execution_path, ['fetch', 'big']);
  assert.equal(calls, { fetch: 1, big: 1, small: 0 });
});

test('strict replay of an unchanged pipeline calls no step and matches exactly', async () => {
  const before = snapshot();
  const r = await replay(deps, recorded.run_id, { mode: 'strict', steps });
  assert.equal(calls, before);
  assert.equal([r.mode, r.run_id, r.success, r.exact_match, r.differences, r.error], ['strict', recorded.run_id, true, true, [], undefined]);
  assert.match(r.replay_run_id, /^replay-[0-9a-f-]{36}$/);
  assert.equal(r.replayed_outcome, r.original_outcome);
  assert.equal(r.original_outcome, { status: 'completed', output: { size: 'big', detail: { amount: 50, _n: 1 } }, execution_path: ['fetch', 'big'], error: null });
  assert.ok(r.duration_ms >= 0);
  // The replay is a run of its own, with the recorded input and parameters; every output came from the recording.
  const events = await history.events(r.replay_run_id);
  const started = events[0] as Extract<RunEvent, { type: 'run.started' }>;
  assert.equal([started.input, started.parameters, started.file], [{ amount: 50, note: 'first' }, { limit: 500 }, file]);
  const completed = events.filter((e) => e.type === 'step.completed');
  assert.equal(completed.map((e) => [e.step_id, e.replayed]), [['fetch', true], ['big', true]]);
});

test('runs that are not replays still run their steps with the tap installed', async () => {
  const before = snapshot();
  const live = await pipeline.run(file, { steps, input: { amount: 3 } });
  assert.equal(live.execution_path, ['fetch', 'small']);
  assert.equal(calls, { ...before, fetch: before.fetch + 1, small: before.small + 1 });
  // The replay tap is synchronous: other runs pay one map lookup there, no promise.
  assert.equal(pipeline.hooks['pipeline.beforeStep'].taps.map((t) => [t.name, t.type]), [['reliability', 'sync'], ['reliability', 'promise']]);
});

test('the reliability service replays too, and each verdict is an RSR measurement of its mode', async () => {
  const reliability = kernel.services.get('reliability');
  const before = (await reliability.metrics({ pipeline: 'refund' })).rsr.attempts;
  const r = await reliability.replay(recorded.run_id, { mode: 'strict', steps });
  assert.equal([r.exact_match, r.pipeline], [true, 'refund']);
  const after = (await reliability.metrics({ pipeline: 'refund' })).rsr;
  assert.equal([after.attempts - before, after.rsr <= 1], [1, true]);
  // Replay runs are not counted as runs of the pipeline.
  assert.ok((await reliability.records({ pipeline: 'refund' })).runs.every((run) => !run.run_id.startsWith('replay-')));
});

test('strict replay through a changed pipeline vetoes the step the recording never ran and reports critical divergences', async () => {
  const before = snapshot();
  const r = await replay(deps, recorded.run_id, { mode: 'strict', pipeline: changed, steps });
  assert.equal(calls, before);
  assert.equal([r.success, r.exact_match, r.replayed_outcome!.status, r.replayed_outcome!.error!.code], [false, false, 'failed', 'RELIABILITY_REPLAY_UNRECORDED_STEP']);
  assert.match(r.replayed_outcome!.error!.message, /Step "small" #1 has no recorded outcome.*--mode simulated/);
  const by = (field: string) => r.differences.filter((d) => d.field === field);
  assert.equal(by('status'), [{ field: 'status', original_value: 'completed', replayed_value: 'failed', location: 'run', significance: 'critical' }]);
  assert.equal(by('route'), [{ field: 'route', original_value: ['big'], replayed_value: ['small'], location: 'route:fetch#1', significance: 'critical' }]);
  assert.equal(by('missing_step'), [{ field: 'missing_step', original_value: { amount: 50, limit: 500 }, replayed_value: undefined, location: 'step:big#1', significance: 'critical' }]);
  assert.equal(by('unrecorded_step'), [{ field: 'unrecorded_step', original_value: undefined, replayed_value: { amount: 50, limit: 500 }, location: 'step:small#1', significance: 'critical' }]);
  // The vetoed run fails at `small`, whose input becomes the output; not retried.
  const vetoed = (await history.events(r.replay_run_id)).filter((e) => e.type === 'step.failed');
  assert.equal(vetoed.map((e) => [e.step_id, e.attempt, e.will_retry]), [['small', 1, false]]);
});

test('simulated replay runs the steps the recording lacks, as minor differences; output changes stay critical, `_` keys minor', async () => {
  const before = snapshot();
  const r = await replay(deps, recorded.run_id, { mode: 'simulated', pipeline: changed, steps });
  assert.equal(calls, { ...before, small: before.small + 1 });
  assert.equal([r.success, r.replayed_outcome!.status], [false, 'completed']);
  const unrecorded = r.differences.find((d) => d.field === 'unrecorded_step')!;
  assert.is(unrecorded.significance, 'minor');
  const output = r.differences.filter((d) => d.location === 'output');
  assert.equal(output, [
    { field: 'size', original_value: 'big', replayed_value: 'small', location: 'output', significance: 'critical' },
    { field: 'detail._n', original_value: 1, replayed_value: before.small + 1, location: 'output', significance: 'minor' },
  ]);
});

test('counterfactual replay runs for real the steps whose input changed; every difference is expected', async () => {
  const before = snapshot();
  const r = await replay(deps, recorded.run_id, { mode: 'counterfactual', input: { amount: 5 }, steps });
  assert.equal(calls, { ...before, fetch: before.fetch + 1, small: before.small + 1 });
  assert.equal([r.success, r.exact_match], [true, false]);
  assert.ok(r.differences.length >= 4);
  assert.ok(r.differences.every((d) => d.significance === 'expected'));
  assert.equal(r.differences.find((d) => d.field === 'step_input'), { field: 'step_input', original_value: { amount: 50, limit: 500 }, replayed_value: { amount: 5, limit: 500 }, location: 'step:fetch#1', significance: 'expected' });
});

test('counterfactual replay serves the recording where a step sees the same input', async () => {
  const before = snapshot();
  // `note` is read by no step, so every step input is as recorded.
  const r = await replay(deps, recorded.run_id, { mode: 'counterfactual', input: { amount: 50, note: 'other' }, steps });
  assert.equal(calls, before);
  assert.equal([r.success, r.exact_match, r.differences], [true, true, []]);
});

test('recorded failures are reproduced without calling the step; retried attempts replay as their final outcome', async () => {
  let real = 0;
  const flaky = {
    first: async () => {
      if (real++ === 0) throw Object.assign(new Error('connection reset'), { retryable: true });
      return { ok: true };
    },
    second: async () => {
      real++;
      throw new Error('card declined after timeout');
    },
  };
  const doc = { name: 'pay', steps: [{ id: 'first', step_class: 'first', retry: { max_attempts: 2, initial_delay: 0, jitter: false } }, { id: 'second', step_class: 'second', retry: { max_attempts: 3, initial_delay: 0, jitter: false } }], flow: { start_at: 'first', transitions: [{ from: 'first', to: 'second' }] } };
  const payFile = await writePipeline(doc, 'pay');
  const run = await pipeline.run(payFile, { steps: flaky });
  assert.equal([run.status, run.error!.message, real], ['failed', 'card declined after timeout', 5]);
  const r = await replay(deps, run.run_id, { mode: 'strict', steps: flaky });
  assert.is(real, 5);
  assert.equal([r.success, r.exact_match, r.replayed_outcome!.error], [true, true, { code: 'PIPELINE_STEP_FAILED', message: 'card declined after timeout', step_id: 'second' }]);
  // A reproduced failure is never retried, whatever its message says.
  const failed = (await history.events(r.replay_run_id)).filter((e) => e.type === 'step.failed');
  assert.equal(failed.map((e) => [e.step_id, e.will_retry]), [['second', false]]);
});

test('failed on both sides with different errors is a critical error.code difference', async () => {
  const doc = { name: 'pay2', steps: [{ id: 'a', step_class: 'a' }, { id: 'b', step_class: 'b' }, { id: 'c', step_class: 'c' }], flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b' }] } };
  const impl = { a: async () => ({}), b: async () => Promise.reject(new Error('no')), c: async () => ({}) };
  const run = await pipeline.run(await writePipeline(doc, 'pay2'), { steps: impl });
  const elsewhere = await pipeline.parse({ ...doc, flow: { start_at: 'a', transitions: [{ from: 'a', to: 'c' }] } }, { steps: impl });
  const r = await replay(deps, run.run_id, { mode: 'strict', pipeline: elsewhere, steps: impl });
  assert.equal(r.differences.find((d) => d.location === 'run'), { field: 'error.code', original_value: 'PIPELINE_STEP_FAILED', replayed_value: 'RELIABILITY_REPLAY_UNRECORDED_STEP', location: 'run', significance: 'critical' });
});

test('a replay that cannot run reports the error instead of an outcome', async () => {
  const gone = await writePipeline(refundDoc(), 'gone');
  const run = await pipeline.run(gone, { steps, input: { amount: 1 } });
  await rm(gone);
  const r = await replay(deps, run.run_id, { mode: 'strict', steps });
  assert.equal([r.success, r.exact_match, r.replayed_outcome, r.differences, r.original_outcome.status], [false, false, null, [], 'completed']);
  assert.match(r.error!.code, /^PIPELINE_/);
  assert.match(r.error!.message, /gone\.json/);
});

test('a run whose file changed since it ran replays only with the file named on purpose; a catalogue run needs the catalogue', async () => {
  const edited = await writePipeline(refundDoc(), 'edited');
  const run = await pipeline.run(edited, { steps, input: { amount: 50 } });
  await writeFile(edited, JSON.stringify(refundDoc(100)));
  const refused = await replay(deps, run.run_id, { mode: 'strict', steps });
  assert.equal([refused.success, refused.error?.code], [false, 'PIPELINE_RESUME_CHANGED']);
  assert.match(refused.error!.message, `restore it, or replay with its new content on purpose (weft replay ${run.run_id} --pipeline ${edited})`);
  const onPurpose = await replay(deps, run.run_id, { mode: 'counterfactual', steps, pipeline: edited });
  assert.equal(onPurpose.replayed_outcome?.execution_path, ['fetch', 'small']);
  // A run whose run.started names a catalogue revision: without the catalogue here, a coded error naming replay.
  const events = await history.events(recorded.run_id);
  const cataloged = { ...deps, events: async () => [{ ...(events[0] as Extract<RunEvent, { type: 'run.started' }>), catalog: { name: 'refund', revision: 1 } }, ...events.slice(1)] };
  const noCatalog = await replay(cataloged, recorded.run_id, { mode: 'strict', steps });
  assert.equal(noCatalog.error, { code: 'PIPELINE_RESUME_INVALID', message: `Run ${recorded.run_id} ran refund@1 from the catalogue, which is not enabled; enable the catalog plugin, or pass the pipeline to replay it with (weft replay --pipeline <file>)` });
});

test('a catalogue run replays with its stored revision, whatever its source file now says', async () => {
  const withCatalog = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, checkpoint, reliability, catalog] });
  const source = await writePipeline(refundDoc(), 'refund');
  assert.is((await command(withCatalog, 'pipelines import', [source])).code, 0);
  const entry = await withCatalog.services.get('pipelineCatalog').resolve('refund');
  const own = withCatalog.services.get('pipeline');
  const run = await own.run(await own.parse(entry.definition, { steps, catalog: { name: entry.name, revision: entry.revision } }), { steps, input: { amount: 50 } });
  await writeFile(source, JSON.stringify(refundDoc(100)));
  const r = await withCatalog.services.get('reliability').replay(run.run_id, { mode: 'strict', steps });
  assert.equal([r.success, r.exact_match, r.replayed_outcome?.execution_path], [true, true, ['fetch', 'big']]);
  await withCatalog.close();
});

test('bad requests are refused with coded errors before anything runs', async () => {
  const mode = await failure(replay(deps, recorded.run_id, { mode: 'fast' as never }));
  assert.equal([mode.code, (mode as { path?: string }).path], ['RELIABILITY_REPLAY_OPTION_INVALID', '--mode']);
  assert.match(mode.message, /strict, simulated, counterfactual, not "fast"/);
  const input = await failure(replay(deps, recorded.run_id, { mode: 'strict', input: { amount: 1 } }));
  assert.equal([input.code, (input as { path?: string }).path], ['RELIABILITY_REPLAY_OPTION_INVALID', '--input']);
  assert.is((await failure(replay(deps, 'no-such-run', { mode: 'strict' }))).code, 'CHECKPOINT_RUN_NOT_FOUND');
  const inMemory = await pipeline.run(await pipeline.parse(refundDoc(), { steps }), { steps, input: { amount: 1 } });
  const noFile = await failure(replay(deps, inMemory.run_id, { mode: 'strict' }));
  assert.equal([noFile.code, noFile.data], ['RELIABILITY_REPLAY_NO_PIPELINE', { run_id: inMemory.run_id }]);
  assert.match(noFile.message, /--pipeline <file>/);
  // Given the pipeline as a definition, the same run replays.
  assert.ok((await replay(deps, inMemory.run_id, { mode: 'strict', steps, pipeline: await pipeline.parse(refundDoc(), { steps }) })).exact_match);
});

test('a pipeline service without the replay tap is refused: its steps would run for real', async () => {
  const bare = await createTestKernel({ plugins: [pipelinePlugin] });
  const events = async (): Promise<RunEvent[]> => [];
  const e = await failure(replay({ pipeline: bare.services.get('pipeline'), events }, recorded.run_id, { mode: 'strict' }));
  assert.is(e.code, 'RELIABILITY_REPLAY_NOT_INSTALLED');
  await bare.close();
});

test.after(async () => {
  await kernel.close();
});

test.run();

export type { JsonObject };
