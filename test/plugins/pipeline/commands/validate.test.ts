import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { weft } from './cli.js';

const validate = suite('weft validate');

validate('a valid file exits 0; --json prints { valid, errors, warnings }', async () => {
  const out = await weft(['validate', 'greet.json', '--steps', './steps-module.mjs']);
  assert.is(out.code, 0);
  assert.match(out.stdout, /greet\.json is valid/);
  const json = await weft(['validate', 'pipeline.yaml', '--json']);
  assert.equal(JSON.parse(json.stdout), { valid: true, errors: [], warnings: [] });
});

validate('problems are listed with code and path, and the exit code is 1', async () => {
  const out = await weft(['validate', 'invalid.json', '--json', '--steps', './steps-module.mjs']);
  assert.is(out.code, 1);
  const report = JSON.parse(out.stdout);
  assert.is(report.valid, false);
  assert.equal(report.errors.map((e: { code: string; path: string }) => [e.code, e.path]), [['PIPELINE_UNKNOWN_STEP', 'flow.transitions[0].to']]);
  assert.equal(report.warnings.map((e: { code: string }) => e.code), ['PIPELINE_UNREACHABLE_STEP']);
  const text = await weft(['validate', 'invalid.json', '--steps', './steps-module.mjs']);
  assert.match(text.stdout, /invalid\.json: error: flow\.transitions\[0\]\.to: transition to unknown step "ghost" .*\[PIPELINE_UNKNOWN_STEP\]/);
  assert.match(text.stdout, /invalid\.json: warning: steps\[1\]: step "lonely" cannot be reached from "a" \[PIPELINE_UNREACHABLE_STEP\]/);
  assert.match(text.stdout, /invalid\.json is invalid: 1 error\(s\)/);
});

validate('--strict turns warnings into errors', async () => {
  assert.is((await weft(['validate', 'warn.json', '--steps', './steps-module.mjs'])).code, 0);
  const strict = await weft(['validate', 'warn.json', '--strict', '--json', '--steps', './steps-module.mjs']);
  assert.is(strict.code, 1);
  assert.equal(JSON.parse(strict.stdout).errors.map((e: { code: string }) => e.code), ['PIPELINE_UNREACHABLE_STEP']);
});

validate('unreadable and unparseable files are reported as invalid, not thrown', async () => {
  const broken = await weft(['validate', 'broken.json', '--json']);
  assert.is(broken.code, 1);
  assert.is(JSON.parse(broken.stdout).errors[0].code, 'PIPELINE_PARSE');
  const missing = await weft(['validate', '/nowhere/p.json']);
  assert.match(missing.stdout, /error: .*PIPELINE_FILE_UNREADABLE/);
  const notObject = await weft(['validate', 'input.json']);
  assert.match(notObject.stdout, /name is required|steps is required/);
});

validate('an unloadable --steps module is an error, not a crash', async () => {
  const out = await weft(['validate', 'greet.json', '--steps', './nope.mjs']);
  assert.is(out.code, 1);
  assert.match(out.stderr, /KERNEL_MODULE_LOAD_FAILED/);
});

validate.run();
