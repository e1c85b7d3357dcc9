// Assertions for coded failures: tests branch on `code`, as callers do.
import * as assert from 'uvu/assert';
import { WeftError } from '../../kernel/index.js';

/** Awaits `work`, asserts it rejects with a WeftError of `code`, and returns that error. */
export async function rejectsWith(work: Promise<unknown> | (() => unknown), code: string): Promise<WeftError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (e: unknown) {
    assert.instance(e, WeftError, `expected a WeftError ${code}, got ${String(e)}`);
    assert.is((e as WeftError).code, code, (e as Error).message);
    return e as WeftError;
  }
  throw new assert.Assertion({ message: `expected a rejection with ${code}`, operator: 'rejects', expects: code, actual: 'no error' });
}
