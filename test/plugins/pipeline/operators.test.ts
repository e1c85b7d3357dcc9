// Operators (spec §4): every spelling and alias, deep equality without coercion, numeric ordering
// with value-side coercion, membership, string tests, regex anywhere unless anchored.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILTIN_OPERATORS, MISSING_AWARE, deepEqual, type Operator } from '../../../plugins/pipeline/operators.js';

const op = (name: string): Operator => {
  const found = BUILTIN_OPERATORS[name];
  if (!found) throw new Error(`no operator ${name}`);
  return found;
};

const operators = suite('operators');

operators('every spelling of the spec is built in, aliases sharing one implementation', () => {
  const families = [
    ['==', 'equals'],
    ['!=', 'not_equals'],
    ['>', 'greater_than', 'gt'],
    ['>=', 'greater_than_or_equal', 'gte'],
    ['<', 'less_than', 'lt'],
    ['<=', 'less_than_or_equal', 'lte'],
    ['in'],
    ['not_in'],
    ['contains'],
    ['startswith'],
    ['endswith'],
    ['regex'],
    ['equals_ignore_case'],
    ['exists'],
    ['not_exists'],
  ];
  for (const family of families) {
    for (const name of family) assert.is(op(name), op(family[0]!), name);
  }
  assert.equal(Object.keys(BUILTIN_OPERATORS).sort(), families.flat().sort());
});

operators('equals is deep and never coerces types', () => {
  for (const name of ['==', 'equals']) {
    const eq = op(name);
    assert.ok(eq({ a: [1, { b: 2 }], c: 'x' }, { c: 'x', a: [1, { b: 2 }] }), 'key order does not matter');
    assert.ok(eq([1, [2, 3]], [1, [2, 3]]));
    assert.ok(eq(null, null));
    assert.ok(eq('same', 'same'));
    assert.not.ok(eq(true, 'true'), 'true is not "true"');
    assert.not.ok(eq(1, '1'));
    assert.not.ok(eq(0, false));
    assert.not.ok(eq(null, undefined));
    assert.not.ok(eq([1, 2], [1, 2, 3]));
    assert.not.ok(eq([1, 2], [2, 1]));
    assert.not.ok(eq({ a: 1 }, { a: 1, b: 2 }));
    assert.not.ok(eq({ a: 1, b: 2 }, { a: 1, c: 2 }));
    assert.not.ok(eq({ 0: 'a' }, ['a']));
    assert.not.ok(eq({ a: 1 }, null));
  }
});

operators('not_equals is the negation of equals', () => {
  for (const name of ['!=', 'not_equals']) {
    assert.ok(op(name)(true, 'true'));
    assert.ok(op(name)({ a: 1 }, { a: 2 }));
    assert.not.ok(op(name)({ a: [1] }, { a: [1] }));
  }
});

operators('ordering compares numbers', () => {
  const cases: Array<[string, number, number, boolean]> = [
    ['>', 5, 3, true],
    ['>', 3, 3, false],
    ['>=', 3, 3, true],
    ['>=', 2, 3, false],
    ['<', 2, 3, true],
    ['<', 3, 3, false],
    ['<=', 3, 3, true],
    ['<=', 4, 3, false],
    ['>', -1.5, -2, true],
  ];
  for (const [name, a, b, expected] of cases) assert.is(op(name)(a, b), expected, `${a} ${name} ${b}`);
});

operators('a numeric string on the value side is coerced; on the source side it is not', () => {
  assert.ok(op('gt')(10, '5'), 'value "5" is 5');
  assert.ok(op('lte')(2.5, ' 2.5 '));
  assert.ok(op('greater_than_or_equal')(0, '0'));
  assert.not.ok(op('gt')('10', 5), 'source "10" is not a number');
  assert.not.ok(op('lt')('1', '5'));
});

operators('ordering is false for anything that is not a number', () => {
  for (const name of ['>', '>=', '<', '<=']) {
    assert.not.ok(op(name)(1, 'abc'), `${name} with a non-numeric value`);
    assert.not.ok(op(name)(1, ''), `${name} with an empty string`);
    assert.not.ok(op(name)(1, null));
    assert.not.ok(op(name)(1, true));
    assert.not.ok(op(name)(Number.NaN, 1));
    assert.not.ok(op(name)(1, Number.NaN));
    assert.not.ok(op(name)('b', 'a'));
    assert.not.ok(op(name)(undefined, 1));
  }
});

operators('in: the source is an element of an array, a substring, or a key of an object', () => {
  const isIn = op('in');
  assert.ok(isIn('b', ['a', 'b']));
  assert.ok(isIn({ id: 1 }, [{ id: 1 }]), 'array membership is deep');
  assert.not.ok(isIn('1', [1]), 'and does not coerce');
  assert.ok(isIn('ell', 'hello'));
  assert.not.ok(isIn(1, '123'), 'only strings are substrings');
  assert.ok(isIn('a', { a: 0 }));
  assert.not.ok(isIn('toString', { a: 0 }), 'inherited keys do not count');
  assert.not.ok(isIn(1, { 1: 'x' }), 'object keys are strings');
  assert.not.ok(isIn('a', 5), 'a number is not a collection');
  assert.not.ok(isIn('a', null));
});

operators('not_in is the negation of in', () => {
  assert.ok(op('not_in')('c', ['a', 'b']));
  assert.not.ok(op('not_in')('a', ['a', 'b']));
  assert.ok(op('not_in')('a', 5));
});

operators('contains: the value is an element, substring or key of the source', () => {
  const contains = op('contains');
  assert.ok(contains(['x', 'y'], 'y'));
  assert.ok(contains('a long text', 'long'));
  assert.ok(contains({ key: 1 }, 'key'));
  assert.not.ok(contains(['x'], 'z'));
  assert.not.ok(contains(42, 4));
});

operators('startswith and endswith test strings', () => {
  assert.ok(op('startswith')('hello world', 'hello'));
  assert.not.ok(op('startswith')('hello world', 'world'));
  assert.ok(op('endswith')('hello world', 'world'));
  assert.not.ok(op('endswith')('hello world', 'hello'));
  assert.not.ok(op('startswith')(12, '1'));
  assert.not.ok(op('endswith')('12', 2));
});

operators('regex matches anywhere unless anchored; an invalid pattern is false', () => {
  const regex = op('regex');
  assert.ok(regex('order #123 shipped', '\\d+'), 'matches in the middle');
  assert.ok(regex('error: disk full', 'disk'));
  assert.not.ok(regex('error: disk full', '^disk'), 'anchored at the start');
  assert.ok(regex('error: disk full', '^error'));
  assert.not.ok(regex('error: disk full', 'error$'));
  assert.ok(regex('error: disk full', 'full$'));
  assert.not.ok(regex('anything', '('), 'invalid pattern');
  assert.not.ok(regex('[', '['));
  assert.not.ok(regex(123, '\\d'), 'the source must be a string');
  assert.not.ok(regex('abc', 1));
});

operators('equals_ignore_case compares string forms case-insensitively', () => {
  const eq = op('equals_ignore_case');
  assert.ok(eq('Approved', 'APPROVED'));
  assert.ok(eq(true, 'True'));
  assert.ok(eq(1, '1'));
  assert.not.ok(eq('yes', 'no'));
  assert.not.ok(eq(null, 'null'));
  assert.not.ok(eq('null', null));
  assert.not.ok(eq({ a: 1 }, '[object Object]'));
  assert.not.ok(eq('[object Object]', { a: 1 }));
});

operators('exists and not_exists: undefined and null are missing, other falsy values exist', () => {
  for (const value of [0, '', false, [], {}]) {
    assert.ok(op('exists')(value, undefined), JSON.stringify(value));
    assert.not.ok(op('not_exists')(value, undefined));
  }
  for (const value of [undefined, null]) {
    assert.not.ok(op('exists')(value, undefined));
    assert.ok(op('not_exists')(value, undefined));
  }
});

operators('only exists and not_exists are told about a missing source', () => {
  assert.equal([...MISSING_AWARE].sort(), ['exists', 'not_exists']);
});

operators('deepEqual treats NaN as equal to itself and distinguishes arrays from objects', () => {
  assert.ok(deepEqual(Number.NaN, Number.NaN));
  assert.ok(deepEqual({ a: { b: [] } }, { a: { b: [] } }));
  assert.not.ok(deepEqual([], {}));
  assert.not.ok(deepEqual('1', 1));
});

operators.run();
