/** A comparison: `actual` is the value at the source, `expected` the configured value. */
export type Operator = (actual: unknown, expected: unknown) => boolean;

/** Deep structural equality without type coercion (`true` ≠ `"true"`). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => deepEqual(v, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A number for ordering: numbers as they are, numeric strings on the expected side coerced. */
function num(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function ordered(test: (a: number, b: number) => boolean): Operator {
  return (actual, expected) => {
    const a = typeof actual === 'number' ? num(actual) : undefined;
    const b = num(expected);
    return a !== undefined && b !== undefined && test(a, b);
  };
}

function member(collection: unknown, item: unknown): boolean {
  if (typeof collection === 'string') return typeof item === 'string' && collection.includes(item);
  if (Array.isArray(collection)) return collection.some((v) => deepEqual(v, item));
  if (collection !== null && typeof collection === 'object') return typeof item === 'string' && Object.prototype.hasOwnProperty.call(collection, item);
  return false;
}

function strings(test: (a: string, b: string) => boolean): Operator {
  return (actual, expected) => typeof actual === 'string' && typeof expected === 'string' && test(actual, expected);
}

function regex(actual: unknown, expected: unknown): boolean {
  if (typeof actual !== 'string' || typeof expected !== 'string') return false;
  try {
    return new RegExp(expected).test(actual);
  } catch {
    return false;
  }
}

const equals: Operator = (a, b) => deepEqual(a, b);
const notEquals: Operator = (a, b) => !deepEqual(a, b);
const gt = ordered((a, b) => a > b);
const gte = ordered((a, b) => a >= b);
const lt = ordered((a, b) => a < b);
const lte = ordered((a, b) => a <= b);

/**
 * The built-in operators and their aliases (spec §4). `exists` / `not_exists` are the only ones
 * that see a missing source; the others are false for it.
 */
export const BUILTIN_OPERATORS: Readonly<Record<string, Operator>> = {
  '==': equals,
  equals,
  '!=': notEquals,
  not_equals: notEquals,
  '>': gt,
  greater_than: gt,
  gt,
  '>=': gte,
  greater_than_or_equal: gte,
  gte,
  '<': lt,
  less_than: lt,
  lt,
  '<=': lte,
  less_than_or_equal: lte,
  lte,
  in: (a, b) => member(b, a),
  not_in: (a, b) => !member(b, a),
  contains: (a, b) => member(a, b),
  startswith: strings((a, b) => a.startsWith(b)),
  endswith: strings((a, b) => a.endsWith(b)),
  regex,
  equals_ignore_case: (a, b) => a !== null && b !== null && typeof a !== 'object' && typeof b !== 'object' && String(a).toLowerCase() === String(b).toLowerCase(),
  exists: (a) => a !== undefined && a !== null,
  not_exists: (a) => a === undefined || a === null,
};

/** Operators that are meaningful when the source value is missing. */
export const MISSING_AWARE: ReadonlySet<string> = new Set(['exists', 'not_exists']);
