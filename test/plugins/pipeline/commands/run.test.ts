import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fixture, weft } from './cli.js';

const run = suite('weft run');

run('runs a pipeline, prints progress to stderr and a summary; --param and --input feed it', async () => {
  const out = await weft(['run', 'greet.json', '--steps', 'steps-module.mjs', '--param', 'name=Ada']);
  assert.is(out.code, 0, out.stderr);
  assert.match(out.stderr, /▸ greet\n  ✓ greet [\d.]+ ms/);
  assert.match(out.stdout, /greet: completed \(run [0-9a-f-]{36}, 1 step runs\)\npath: greet\noutput: \{\n  "greeting": "hello Ada"\n\}/);
  const fromFile = await weft(['run', 'greet.json', '--steps', './steps-module.mjs', '--input', '@input.json']);
  assert.match(fromFile.stdout, /hello from file/);
});

run('--json prints exactly the result object; --run-id names the run', async () => {
  const out = await weft(['run', 'greet.json', '--steps', './steps-module.mjs', '--json', '--input', '{"name":"Bo"}', '--run-id', 'run-1']);
  assert.is(out.code, 0);
  assert.is(out.stderr, '');
  const result = JSON.parse(out.stdout);
  assert.equal(Object.keys(result), ['run_id', 'pipeline', 'status', 'input', 'parameters', 'steps', 'output', 'execution_path', 'step_runs', 'error']);
  assert.equal([result.run_id, result.status, result.output], ['run-1', 'completed', { greeting: 'hello Bo' }]);
});

run('a failed run exits 1 and says why; a run waiting for input exits 0', async () => {
  const failed = await weft(['run', 'fail.json', '--steps', './steps-module.mjs']);
  assert.is(failed.code, 1);
  assert.match(failed.stderr, /✗ f \[PIPELINE_STEP_FAILED\] refused/);
  assert.match(failed.stdout, /error \[PIPELINE_STEP_FAILED\] in f: refused/);
  const recovered = await weft(['run', 'recover.json', '--steps', './steps-module.mjs']);
  assert.is(recovered.code, 0);
  assert.match(recovered.stderr, /✓ f [\d.]+ ms \(continue\)/);
  const waiting = await weft(['run', 'wait.json', '--steps', './steps-module.mjs']);
  assert.is(waiting.code, 0);
  assert.match(waiting.stderr, /⏸ w is waiting for input/);
  assert.match(waiting.stdout, /wait: waiting_for_input/);
});

run('retries and iterations show in the progress; an absolute path works too', async () => {
  const out = await weft(['run', fixture('engine/loop.json'), '--param', 'rounds=2', '--steps', './flaky.mjs']);
  assert.is(out.code, 0, out.stderr);
  assert.match(out.stderr, /✗ work \[PIPELINE_STEP_FAILED\] connection reset — retrying in 1 ms\n  ✓ work [\d.]+ ms\n  ✗ work #2 .*\n  ✓ work #2/);
  assert.match(out.stdout, /path: work → work\n/);
  const missing = await weft(['run', 'loop.json']);
  assert.is(missing.code, 1);
  assert.match(missing.stdout, /error \[PIPELINE_PARAMETER_MISSING\]: Required parameter\(s\) rounds/);
  assert.match(missing.stdout, /path: \(none\)/);
});

run('an invalid file runs no step and exits 1 with coded errors naming the file and path', async () => {
  const out = await weft(['run', 'invalid.json', '--steps', './steps-module.mjs']);
  assert.is(out.code, 1);
  assert.match(out.stderr, /error \[PIPELINE_INVALID\]: .*invalid\.json is not a valid pipeline:\n  flow\.transitions\[0\]\.to: transition to unknown step "ghost"/);
  assert.not.match(out.stderr, /✓/);
  const broken = await weft(['run', 'broken.json']);
  assert.is(broken.code, 1);
  assert.match(broken.stderr, /PIPELINE_PARSE.*broken\.json is not valid JSON/);
  const missing = await weft(['run', 'nowhere.json']);
  assert.match(missing.stderr, /PIPELINE_FILE_UNREADABLE.*ENOENT/);
});

run('bad --input, --param and flags are usage errors (exit 2) with coded messages', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--input', '{oops'], /PIPELINE_BAD_INPUT.*--input is not valid JSON/],
    [['--input', '[1]'], /--input must be a JSON object/],
    [['--input', '@missing.json'], /--input file .*missing\.json cannot be read: ENOENT/],
    [['--param', 'novalue'], /--param "novalue" must look like key=value/],
  ];
  for (const [flags, message] of cases) {
    const out = await weft(['run', 'greet.json', '--steps', './steps-module.mjs', ...flags]);
    assert.is(out.code, 2, flags.join(' '));
    assert.match(out.stderr, message);
  }
  assert.is((await weft(['run', 'greet.json', '--nonsense'])).code, 2);
  assert.is((await weft(['run'])).code, 2);
});

run.run();
