import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { findMismatch, show } from '../../../plugins/pipeline/match.js';

const result = {
  status: 'completed',
  execution_path: ['step1', 'step2', 'step5'],
  steps: { step5: { total_records: 5, flags: [true, false] }, 'my step': { ok: 1 } },
  error: null,
};

const subset = suite('findMismatch');

subset('a deep subset matches: keys the expectation leaves out are ignored', () => {
  assert.is(findMismatch(result, { status: 'completed', steps: { step5: { total_records: 5 } } }), undefined);
  assert.is(findMismatch(result, {}), undefined);
  assert.is(findMismatch(result, { error: null, execution_path: ['step1', 'step2', 'step5'] }), undefined);
});

subset('reports the first differing value with its dotted path', () => {
  assert.equal(findMismatch(result, { steps: { step5: { total_records: 6 } } }), {
    path: 'steps.step5.total_records',
    message: 'steps.step5.total_records: expected 6, got 5',
  });
});

subset('primitives are strictly equal: no type coercion', () => {
  assert.is(findMismatch({ a: 1 }, { a: '1' })?.message, 'a: expected "1", got 1');
  assert.is(findMismatch({ a: 'true' }, { a: true })?.message, 'a: expected true, got "true"');
  assert.is(findMismatch({ a: null }, { a: 0 })?.message, 'a: expected 0, got null');
});

subset('a key the result lacks is reported as nothing', () => {
  assert.is(findMismatch(result, { steps: { step9: { x: 1 } } })?.message, 'steps.step9: expected an object, got nothing');
  assert.is(findMismatch(result, { output: 'x' })?.message, 'output: expected "x", got nothing');
});

subset('keys that are not identifiers are bracketed in the path', () => {
  assert.is(findMismatch(result, { steps: { 'my step': { ok: 2 } } })?.message, 'steps["my step"].ok: expected 2, got 1');
});

subset('arrays match element by element, with the index in the path', () => {
  assert.is(findMismatch(result, { execution_path: ['step1', 'step3', 'step5'] })?.message, 'execution_path[1]: expected "step3", got "step2"');
  assert.is(findMismatch(result, { steps: { step5: { flags: [true, true] } } })?.path, 'steps.step5.flags[1]');
});

subset('arrays must match in length too', () => {
  assert.is(findMismatch(result, { execution_path: ['step1', 'step2'] })?.message, 'execution_path: expected 2 item(s), got 3; the first extra is "step5"');
  assert.is(findMismatch(result, { execution_path: ['step1', 'step2', 'step5', 'step6'] })?.message, 'execution_path: expected 4 item(s), got 3; the first missing is "step6"');
  assert.is(findMismatch({ list: [] }, { list: [] }), undefined);
});

subset('a different kind of value is a mismatch', () => {
  assert.is(findMismatch({ list: { 0: 'a' } }, { list: ['a'] })?.message, 'list: expected an array, got {"0":"a"}');
  assert.is(findMismatch({ obj: ['a'] }, { obj: {} })?.message, 'obj: expected an object, got ["a"]');
  assert.is(findMismatch({ obj: null }, { obj: {} })?.message, 'obj: expected an object, got null');
});

subset('a mismatch at the root is named (result)', () => {
  assert.is(findMismatch(1, 2)?.message, '(result): expected 2, got 1');
});

const showing = suite('show');

showing('long values are shortened so a report stays on one line', () => {
  const text = show({ text: 'x'.repeat(200) });
  assert.is(text.length, 80);
  assert.ok(text.endsWith('...'));
  assert.is(show('short'), '"short"');
  assert.is(show(undefined), 'nothing');
});

subset.run();
showing.run();
