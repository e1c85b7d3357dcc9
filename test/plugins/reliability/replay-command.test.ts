import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { replayReport } from '../../../plugins/reliability/replay-command.js';
import type { ReplayResult } from '../../../plugins/reliability/replay.js';
import { command, failure } from './helpers.js';
import { bootReplay, countingSteps, refundDoc, writePipeline } from './replay-support.js';

const cli = suite('reliability: weft replay');
const kernel = await bootReplay();
const { calls, steps } = countingSteps();
const pipeline = kernel.services.get('pipeline');
for (const [name, impl] of Object.entries(steps)) pipeline.registerStep(name, impl);
const file = await writePipeline(refundDoc());
const dir = dirname(file);
await writePipeline(refundDoc(100), 'changed', dir);
const recorded = await pipeline.run(file, { input: { amount: 50 } });
const replay = (values: Record<string, unknown> = {}, runId = recorded.run_id) => command(kernel, 'replay', [runId], values as never, dir);

cli('an unchanged pipeline replays as an exact match, exit 0, without calling a step', async () => {
  const before = { ...calls };
  const { code, stdout } = await replay();
  assert.is(code, 0);
  assert.equal(calls, before);
  assert.match(stdout, new RegExp(`^replay of run ${recorded.run_id} \\(strict\\) as replay-[0-9a-f-]{36}: exact match \\(\\d+ ms\\)\\n  original completed, replayed completed\\n$`));
});

cli('a changed pipeline (relative to the working directory) lists each difference; critical ones exit 1', async () => {
  const { code, stdout } = await replay({ pipeline: 'changed.json' });
  assert.is(code, 1);
  assert.match(stdout, /: \d+ differences, \d+ critical \(\d+ ms\)\n  original completed, replayed failed\n/);
  assert.match(stdout, /\n  critical route at route:fetch#1: \["big"\] → \["small"\]\n/);
  assert.match(stdout, /\n  critical unrecorded_step at step:small#1: \(absent\) → \{"amount":50,"limit":500\}\n/);
  assert.match(stdout, /\n  critical status at run: "completed" → "failed"\n/);
});

cli('--json prints the replay result', async () => {
  const { code, stdout } = await replay({ pipeline: 'changed.json', mode: 'simulated', json: true });
  const result = JSON.parse(stdout);
  assert.equal([code, result.mode, result.run_id, result.success, result.replayed_outcome.status], [1, 'simulated', recorded.run_id, false, 'completed']);
  assert.equal(result.differences.find((d: { field: string }) => d.field === 'unrecorded_step').significance, 'minor');
});

cli('counterfactual input comes from --input or --input-file; expected differences exit 0', async () => {
  const inline = await replay({ mode: 'counterfactual', input: '{"amount":5}' });
  assert.is(inline.code, 0);
  assert.match(inline.stdout, /\(counterfactual\) as replay-\S+: \d+ differences \(\d+ ms\)\n[^]*\n  expected step_input at step:fetch#1: \{"amount":50,"limit":500\} → \{"amount":5,"limit":500\}\n/);
  await writeFile(join(dir, 'input.json'), '{"amount":7}');
  const fromFile = JSON.parse((await replay({ mode: 'counterfactual', 'input-file': 'input.json', json: true })).stdout);
  assert.equal(fromFile.replayed_outcome.output.detail.amount, 7);
});

cli('bad options are coded errors naming the option', async () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ mode: 'quick' }, '--mode', /--mode must be one of strict, simulated, counterfactual/],
    [{ mode: 'counterfactual', input: '{nope' }, '--input', /--input is not valid JSON/],
    [{ mode: 'counterfactual', input: '[1]' }, '--input', /--input must be a JSON object/],
    [{ mode: 'counterfactual', input: '{}', 'input-file': 'input.json' }, '--input', /not both/],
    [{ mode: 'counterfactual', 'input-file': 'missing.json' }, '--input-file', /--input-file missing.json cannot be read: ENOENT/],
    [{ input: '{}' }, '--input', /counterfactual replays only/],
  ];
  for (const [values, path, message] of cases) {
    const e = (await failure(replay(values))) as { code: string; message: string; path?: string };
    assert.equal([e.code, e.path], ['RELIABILITY_REPLAY_OPTION_INVALID', path], JSON.stringify(values));
    assert.match(e.message, message);
  }
  assert.is((await failure(replay({}, 'nope'))).code, 'CHECKPOINT_RUN_NOT_FOUND');
});

cli('--steps loads step classes from a module file; a replay that cannot run says so and exits 1', async () => {
  await writeFile(join(dir, 'steps.mjs'), 'export const note = async () => ({ noted: true });\nexport const version = 1;\n');
  const doc = { name: 'noted', steps: [{ id: 'n', step_class: 'note' }], flow: { start_at: 'n' } };
  const notedFile = await writePipeline(doc, 'noted', dir);
  const run = await pipeline.run(notedFile, { steps: { note: async () => ({ noted: true }) } });
  const withSteps = await replay({ steps: 'steps.mjs' }, run.run_id);
  assert.equal([withSteps.code, /exact match/.test(withSteps.stdout)], [0, true]);
  const without = await replay({}, run.run_id);
  assert.is(without.code, 1);
  assert.match(without.stdout, /: could not run\nerror \[PIPELINE_INVALID\]: \S+noted\.json is not a valid pipeline:\n.*step class "note" is not registered/);
  await rm(notedFile);
});

cli('the report counts one difference in the singular', () => {
  const result: ReplayResult = {
    mode: 'simulated',
    run_id: 'r1',
    pipeline: 'p',
    replay_run_id: 'replay-1',
    success: true,
    exact_match: false,
    differences: [{ field: '_at', original_value: 1, replayed_value: 2, location: 'output', significance: 'minor' }],
    original_outcome: { status: 'completed', output: { _at: 1 }, execution_path: ['a'], error: null },
    replayed_outcome: { status: 'completed', output: { _at: 2 }, execution_path: ['a'], error: null },
    duration_ms: 1.4,
  };
  assert.is(replayReport(result), 'replay of run r1 (simulated) as replay-1: 1 difference (1 ms)\n  original completed, replayed completed\n  minor    _at at output: 1 → 2\n');
});

cli.after(async () => {
  await kernel.close();
});

cli.run();
