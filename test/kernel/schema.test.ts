import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelErrors, type WeftError } from '../../kernel/index.js';
import { compileSchema, validateConfig } from '../../kernel/schema.js';

const schema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string' },
    retries: { type: 'integer', minimum: 0 },
    routes: { type: 'object', additionalProperties: { type: 'object', additionalProperties: false, properties: { to: { type: 'string' } } } },
  },
};

const problems = (value: unknown, root = 'plugins.x'): WeftError => {
  try {
    validateConfig(schema, value, root);
  } catch (e: unknown) {
    return e as WeftError;
  }
  throw new Error('expected a validation error');
};

const messages = suite('schema: messages name the path');

messages('a type error reads like English', () => {
  const error = problems({ name: 7 });
  assert.is(error.code, KernelErrors.CONFIG_INVALID);
  assert.is(error.message, 'Invalid configuration: plugins.x.name must be a string');
  assert.is(error.path, 'plugins.x.name');
});

messages('a missing required property and an unknown one are named', () => {
  const error = problems({ routes: { '/api': { to: 'x', too: 1 } } });
  assert.equal(error.data['errors'], [
    { path: 'plugins.x.name', message: 'plugins.x.name is required' },
    { path: 'plugins.x.routes./api.too', message: 'plugins.x.routes./api.too is not a known option' },
  ]);
});

messages("other keywords use ajv's wording", () => {
  assert.is(problems({ name: 'n', retries: -1 }).message, 'Invalid configuration: plugins.x.retries must be >= 0');
});

messages('with no root, paths start at the top', () => {
  assert.is(problems({ name: 1 }, '').path, 'name');
});

messages.run();

const compile = suite('schema: compilation');

compile('a schema is compiled once and reused', () => {
  assert.is(compileSchema(schema), compileSchema(schema));
});

compile('a valid value passes and receives defaults', () => {
  const value: Record<string, unknown> = {};
  validateConfig({ type: 'object', properties: { n: { type: 'number', default: 3 } } }, value, 'x');
  assert.equal(value, { n: 3 });
});

compile.run();
