import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelErrors, WeftError, defineErrors, errorCatalog, toWeftError } from '../../kernel/index.js';

const errors = suite('errors: WeftError');

errors('carries a code, path, data and cause, and serialises to JSON', () => {
  const cause = new Error('root');
  const error = new WeftError('TEST_X', 'went wrong', { cause, path: 'a.b', data: { step: 's1' } });
  assert.instance(error, Error);
  assert.is(error.name, 'WeftError');
  assert.is(error.cause, cause);
  assert.equal(error.toJSON(), { code: 'TEST_X', message: 'went wrong', path: 'a.b', step: 's1' });
  const bare = new WeftError('TEST_Y', 'plain');
  assert.equal(bare.toJSON(), { code: 'TEST_Y', message: 'plain' });
  assert.is(bare.cause, undefined);
  assert.not.ok('cause' in bare);
});

errors('toWeftError keeps WeftErrors and wraps anything else with the original as cause', () => {
  const coded = new WeftError('TEST_Z', 'coded');
  assert.is(toWeftError(coded, 'OTHER'), coded);
  const plain = new Error('plain');
  const wrapped = toWeftError(plain, 'TEST_WRAP', 'while testing: ');
  assert.is(wrapped.code, 'TEST_WRAP');
  assert.is(wrapped.message, 'while testing: plain');
  assert.is(wrapped.cause, plain);
  assert.is(toWeftError('text', 'TEST_WRAP').message, 'text');
});

errors('defineErrors prefixes codes, records them, and refuses a code declared twice', () => {
  const codes = defineErrors('TEST_UNIT', { ONE: 'The first.' });
  assert.is(codes.ONE, 'TEST_UNIT_ONE');
  assert.is(errorCatalog().get('TEST_UNIT_ONE'), 'The first.');
  assert.throws(() => defineErrors('TEST_UNIT', { ONE: 'Again.' }), (e: WeftError) => e.code === KernelErrors.ERROR_CODE_DUPLICATE);
});

errors.run();
