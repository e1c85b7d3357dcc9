import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject } from '../../../kernel/index.js';
import { validateResponse, type UiSchema } from '../../../plugins/hitl/ui-schema.js';

const schema: UiSchema = {
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'notes', type: 'textarea' },
    { name: 'age', type: 'number', min: 0, max: 130 },
    { name: 'colour', type: 'select', options: [{ value: 'red', label: 'Red' }, 'blue'] },
    { name: 'decision', type: 'radio', options: ['yes', 'no'] },
    { name: 'agree', type: 'checkbox', required: true },
    { name: 'optin', type: 'checkbox' },
    { name: 'token', type: 'hidden' },
    { name: 'pick', type: 'select' },
  ],
};

const ui = suite('hitl: ui_schema validation');

const refuse = (response: JsonObject, path: string, message: RegExp): void => {
  try {
    validateResponse(schema, response);
    assert.unreachable('accepted');
  } catch (e: unknown) {
    const error = e as { code: string; path: string; message: string };
    assert.is(error.code, 'HITL_INVALID_RESPONSE');
    assert.is(error.path, path);
    assert.match(error.message, message);
  }
};

ui('a response that fills the form is accepted; extra fields are allowed', () => {
  validateResponse(schema, { name: 'Ada', notes: 'x', age: 36, colour: 'red', decision: 'no', agree: true, optin: false, token: 't', extra: 1 });
  validateResponse(schema, { name: 'Ada', colour: 'blue', agree: true, notes: null, age: '' });
  validateResponse(undefined, { anything: 1 });
  validateResponse({}, { anything: 1 });
});

ui('each rule names the field path', () => {
  refuse({ agree: true }, 'response.name', /is required/);
  refuse({ name: '', agree: true }, 'response.name', /is required/);
  refuse({ name: 3, agree: true }, 'response.name', /must be a string/);
  refuse({ name: 'a', token: {}, agree: true }, 'response.token', /must be a string/);
  refuse({ name: 'a', age: 'old', agree: true }, 'response.age', /must be a number/);
  refuse({ name: 'a', age: Number.NaN, agree: true }, 'response.age', /must be a number/);
  refuse({ name: 'a', age: -1, agree: true }, 'response.age', /at least 0/);
  refuse({ name: 'a', age: 131, agree: true }, 'response.age', /at most 130/);
  refuse({ name: 'a', colour: 'green', agree: true }, 'response.colour', /one of "red", "blue"/);
  refuse({ name: 'a', decision: 'maybe', agree: true }, 'response.decision', /one of "yes", "no"/);
  refuse({ name: 'a', agree: 'yes' }, 'response.agree', /true or false/);
  refuse({ name: 'a', agree: false }, 'response.agree', /must be checked/);
  refuse({ name: 'a', agree: true, pick: 'x' }, 'response.pick', /must be one of ;/);
});

ui.run();
