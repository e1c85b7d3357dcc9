import { fileURLToPath, pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { weft as run } from './cli.js';

const FIXTURES = fileURLToPath(new URL('../../../../../test/fixtures/pipelines/weft-test/', import.meta.url));

/** `weft <args>` in-process with the pipeline plugin, in the fixtures folder. */
const weft = (...args: string[]) => run(args, FIXTURES);

/** The fixture steps record each run here (the same module instance the command imports). */
const { runs } = (await import(pathToFileURL(`${FIXTURES}steps.mjs`).href)) as { runs: string[] };

const cases = suite('weft test');
cases.before.each(() => void runs.splice(0));

cases('passing cases print one ✓ line each and a closing count; exit 0', async () => {
  const { code, stdout, stderr } = await weft('test', 'counting', '--steps', './steps.mjs');
  assert.is(stderr, '');
  assert.is(stdout, ['✓ counting › three items double to six', '✓ counting › a case-level module wins over --steps', '2 passed, 0 failed', ''].join('\n'));
  assert.is(code, 0);
  // The second case's Double comes from its own module, which records nothing.
  assert.equal(runs, ['CountItems', 'Double', 'CountItems']);
});

cases('a case-level steps module (TypeScript here) wins over --steps', async () => {
  const { stdout } = await weft('test', 'counting', '--steps', './steps.mjs', '--json');
  const report = JSON.parse(stdout) as { cases: Array<{ name: string; result: { steps: Record<string, { total_records: number; labels: string[] }> } }> };
  assert.equal(report.cases[1]!.result.steps['double'], { total_records: 6, labels: ['x'] });
  assert.equal(report.cases[0]!.result.steps['double'], { total_records: 6, labels: ['a', 'b'] });
});

cases('--steps takes a plain relative path, without ./', async () => {
  const { code, stdout } = await weft('test', 'counting', '--steps', 'steps.mjs');
  assert.is(code, 0);
  assert.ok(stdout.endsWith('2 passed, 0 failed\n'));
});

cases('a failing case says which value differed, with its path; exit 1', async () => {
  const { code, stdout } = await weft('test', 'mismatches', '--steps', './steps.mjs');
  const lines = stdout.split('\n');
  assert.is(lines[0], '✗ mismatches › a wrong total: steps.double.total_records: expected 6, got 10');
  assert.is(lines[1], '✗ mismatches › a longer path than expected: execution_path: expected 1 item(s), got 2; the first extra is "double"');
  assert.match(lines[2]!, /^✗ mismatches › a step that throws: status: expected "completed", got "failed" \(run error \[PIPELINE_STEP_FAILED\] in count: .*asked to explode/);
  assert.match(lines[3]!, /^✗ mismatches › a step module that does not exist: \[KERNEL_MODULE_LOAD_FAILED\] Cannot load "\.\/missing\.mjs"/);
  assert.is(lines[4], '0 passed, 4 failed');
  assert.is(lines.length, 6);
  assert.is(code, 1);
});

cases('YAML pipelines and case parameters; a failed run adds its error to the reason', async () => {
  const { code, stdout } = await weft('test', 'yaml-suite', '--steps', './steps.mjs');
  const lines = stdout.split('\n');
  assert.is(lines[0], '✓ yaml-suite › a parameter given by the case');
  assert.match(lines[1]!, /^✗ yaml-suite › a missing required parameter fails the run: status: expected "completed", got "failed" \(run error \[PIPELINE_PARAMETER_MISSING\]: .*limit/);
  assert.is(lines[2], '1 passed, 1 failed');
  assert.is(code, 1);
});

cases('an invalid pipeline fails its cases with PIPELINE_INVALID on one line and runs no step', async () => {
  const { code, stdout } = await weft('test', 'invalid-pipeline', '--steps', './steps.mjs');
  assert.match(stdout, /^✗ invalid-pipeline › never runs: \[PIPELINE_INVALID\] .*invalid-pipeline\/pipeline\.json is not a valid pipeline: flow\.transitions\[0\]\.to: .*"nowhere".* \[PIPELINE_UNKNOWN_STEP\]\n0 passed, 1 failed\n$/);
  assert.equal(runs, []);
  assert.is(code, 1);
});

cases('folders that cannot be tested are coded failures and do not stop the others', async () => {
  const { code, stdout } = await weft('test', 'no-cases', 'cases-not-array', 'cases-not-json', 'cases-empty', 'no-pipeline', 'counting/', '--steps', './steps.mjs');
  const lines = stdout.split('\n');
  assert.is(lines[0], '✗ no-cases › cases.json: [PIPELINE_CASES_INVALID] no-cases/cases.json cannot be read (ENOENT); a test folder needs one, as spec §8 shows');
  assert.is(lines[1], '✗ cases-not-array › cases.json: [PIPELINE_CASES_INVALID] cases-not-array/cases.json must be a non-empty array of cases');
  assert.match(lines[2]!, /^✗ cases-not-json › cases\.json: \[PIPELINE_CASES_INVALID\] cases-not-json\/cases\.json is not valid JSON: /);
  assert.is(lines[3], '✗ cases-empty › cases.json: [PIPELINE_CASES_INVALID] cases-empty/cases.json must be a non-empty array of cases');
  assert.is(lines[4], '✗ no-pipeline › pipeline: [PIPELINE_FILE_UNREADABLE] no-pipeline has no pipeline.json or pipeline.yaml; a test folder holds a pipeline and its cases.json');
  assert.is(lines[5], '✓ counting › three items double to six');
  assert.is(lines[7], '2 passed, 5 failed');
  assert.is(code, 1);
});

cases('each malformed case is reported at its index; the valid cases still run', async () => {
  const { stdout } = await weft('test', 'bad-entries', '--steps', './steps.mjs');
  assert.is(stdout, [
    '✗ bad-entries › cases[0]: [PIPELINE_CASES_INVALID] cases[0] must be an object with "name" and "expect"',
    '✗ bad-entries › cases[1]: [PIPELINE_CASES_INVALID] cases[1].name must be a non-empty string',
    '✗ bad-entries › cases[2]: [PIPELINE_CASES_INVALID] cases[2].expect must be an object, e.g. { "status": "completed" }',
    '✗ bad-entries › cases[3]: [PIPELINE_CASES_INVALID] cases[3] has an unknown key "inputs" (a case has name, description, input, parameters, steps, expect)',
    '✗ bad-entries › cases[4]: [PIPELINE_CASES_INVALID] cases[4].input must be an object',
    '✗ bad-entries › cases[5]: [PIPELINE_CASES_INVALID] cases[5].steps must be a module path relative to the folder',
    '✓ bad-entries › the good one',
    '1 passed, 6 failed',
    '',
  ].join('\n'));
});

cases('a pipeline file may be named instead of its folder', async () => {
  const { code, stdout } = await weft('test', 'counting/pipeline.json', '--steps', './steps.mjs');
  assert.is(code, 0);
  assert.ok(stdout.startsWith('✓ counting/pipeline.json › three items double to six\n'), stdout);
});

cases('--json prints { passed, failed, cases } with each reason and run result', async () => {
  const { code, stdout } = await weft('test', 'mismatches', 'no-cases', '--steps', './steps.mjs', '--json');
  const report = JSON.parse(stdout) as { passed: number; failed: number; cases: Array<Record<string, unknown>> };
  assert.is(report.passed, 0);
  assert.is(report.failed, 5);
  const [wrong, , , missing, folder] = report.cases;
  assert.equal({ ...wrong, result: undefined }, { folder: 'mismatches', name: 'a wrong total', ok: false, reason: 'steps.double.total_records: expected 6, got 10', result: undefined });
  assert.is((wrong!['result'] as { status: string }).status, 'completed');
  assert.is(missing!['result'], undefined, 'a case that could not run has no result');
  assert.equal(Object.keys(folder!), ['folder', 'name', 'ok', 'reason']);
  assert.is(code, 1);
});

cases.run();
