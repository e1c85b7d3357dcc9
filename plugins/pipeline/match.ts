// The `expect` rule of pipeline test cases (spec §8): a deep subset match that reports the first
// difference with its path, so a failing case says exactly which value was wrong.

/** Where an actual value first differs from the expected subset. */
export interface Mismatch {
  /** Path of the differing value, e.g. `steps.step5.total_records` or `execution_path[3]`; '' for the root. */
  path: string;
  /** `<path>: expected 6, got 5`. */
  message: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function child(path: string, key: string): string {
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A value as it appears in a message: JSON, shortened when long; `nothing` for an absent value. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function mismatch(path: string, detail: string): Mismatch {
  return { path, message: `${path === '' ? '(result)' : path}: ${detail}` };
}

/**
 * Compares `actual` with `expected` as a deep subset: every key `expected` gives must match;
 * arrays match element by element and in length; other values are strictly equal. Returns the
 * first mismatch, or undefined when `actual` satisfies `expected`.
 */
export function findMismatch(actual: unknown, expected: unknown, path = ''): Mismatch | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return mismatch(path, `expected an array, got ${show(actual)}`);
    const shared = Math.min(actual.length, expected.length);
    for (let i = 0; i < shared; i++) {
      const found = findMismatch(actual[i], expected[i], `${path}[${i}]`);
      if (found) return found;
    }
    if (actual.length > expected.length) return mismatch(path, `expected ${expected.length} item(s), got ${actual.length}; the first extra is ${show(actual[shared])}`);
    if (actual.length < expected.length) return mismatch(path, `expected ${expected.length} item(s), got ${actual.length}; the first missing is ${show(expected[shared])}`);
    return undefined;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return mismatch(path, `expected an object, got ${show(actual)}`);
    for (const [key, value] of Object.entries(expected)) {
      const found = findMismatch(actual[key], value, child(path, key));
      if (found) return found;
    }
    return undefined;
  }
  return actual === expected ? undefined : mismatch(path, `expected ${show(expected)}, got ${show(actual)}`);
}
