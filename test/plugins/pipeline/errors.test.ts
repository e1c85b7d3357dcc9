// The pipeline plugin's error codes: stable PIPELINE_ names callers branch on, each described in the
// kernel's catalogue (docs/errors.md is checked against that catalogue by test/errors.test.ts).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { errorCatalog } from '#kernel';
import { PipelineErrors } from '../../../plugins/pipeline/errors.js';

const errors = suite('pipeline errors');

errors('every code is PIPELINE_<NAME>, unique and described in the catalogue', () => {
  const entries = Object.entries(PipelineErrors);
  assert.ok(entries.length > 0);
  for (const [name, code] of entries) {
    assert.is(code, `PIPELINE_${name}`);
    assert.ok((errorCatalog().get(code) ?? '').length > 0, `${code} has no description`);
  }
  assert.is(new Set(Object.values(PipelineErrors)).size, entries.length);
});

errors('the codes the validator and engine report keep their names', () => {
  assert.equal(
    [
      PipelineErrors.PARSE,
      PipelineErrors.SCHEMA,
      PipelineErrors.UNKNOWN_STEP,
      PipelineErrors.BAD_TEMPLATE,
      PipelineErrors.LOOP_NO_EXIT,
      PipelineErrors.STEP_UNRESOLVED,
      PipelineErrors.STEP_TIMEOUT,
      PipelineErrors.CONDITION_FAILED,
    ],
    [
      'PIPELINE_PARSE',
      'PIPELINE_SCHEMA',
      'PIPELINE_UNKNOWN_STEP',
      'PIPELINE_BAD_TEMPLATE',
      'PIPELINE_LOOP_NO_EXIT',
      'PIPELINE_STEP_UNRESOLVED',
      'PIPELINE_STEP_TIMEOUT',
      'PIPELINE_CONDITION_FAILED',
    ],
  );
});

errors.run();
