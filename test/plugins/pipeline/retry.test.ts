// Retry (spec §6): the delay formula min(initial · base^(n−1), max) with jitter that never passes
// max_delay, which errors are retryable, and the coded error object a run records.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WeftError } from '#kernel';
import { PipelineErrors } from '../../../plugins/pipeline/errors.js';
import type { RetryPolicy } from '../../../plugins/pipeline/model.js';
import { categorise, isRetryable, retryDelayMs, runError } from '../../../plugins/pipeline/retry.js';

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({ max_attempts: 5, initial_delay: 1, max_delay: 60, exponential_base: 2, jitter: false, ...overrides });

/** An Error with extra fields, as libraries throw them. */
function error(message: string, fields: Record<string, unknown> = {}, name?: string): Error {
  const e = Object.assign(new Error(message), fields);
  if (name !== undefined) e.name = name;
  return e;
}

class DatabaseError extends Error {}
class ValidationError extends Error {}
class FetchError extends Error {}

const retry = suite('retry');

retry('without jitter the delay before attempt n+1 is min(initial · base^(n−1), max_delay), in ms', () => {
  const p = policy({ initial_delay: 0.5, exponential_base: 3, max_delay: 10 });
  assert.equal([1, 2, 3, 4, 5].map((n) => retryDelayMs(p, n)), [500, 1500, 4500, 10000, 10000]);
  assert.equal([1, 2, 3].map((n) => retryDelayMs(policy({ exponential_base: 1 }), n)), [1000, 1000, 1000], 'base 1 is a constant delay');
  assert.is(retryDelayMs(policy({ initial_delay: 0 }), 3), 0);
});

retry('jitter adds up to half the delay', () => {
  const p = policy({ jitter: true, initial_delay: 2 });
  assert.is(retryDelayMs(p, 1, () => 0), 2000);
  assert.is(retryDelayMs(p, 1, () => 0.5), 2500);
  assert.is(retryDelayMs(p, 2, () => 0.999), Math.round(4 * 1.4995 * 1000));
});

retry('jitter never takes the delay past max_delay', () => {
  const p = policy({ jitter: true, initial_delay: 1, max_delay: 5 });
  for (let n = 1; n <= 8; n++) {
    for (const r of [0, 0.25, 0.5, 0.75, 0.9999]) {
      const ms = retryDelayMs(p, n, () => r);
      assert.ok(ms <= 5000, `attempt ${n}, random ${r}: ${ms} ms`);
      assert.ok(ms >= Math.min(1000 * 2 ** (n - 1), 5000), 'and never below the un-jittered delay');
    }
  }
  assert.is(retryDelayMs(p, 3, () => 0.9), 5000, '4 s · 1.45 is capped at 5 s');
});

retry('jitter uses Math.random by default and stays within bounds', () => {
  const p = policy({ jitter: true, initial_delay: 1, max_delay: 1.2 });
  for (let i = 0; i < 50; i++) {
    const ms = retryDelayMs(p, 1);
    assert.ok(ms >= 1000 && ms <= 1200, String(ms));
  }
});

retry('network errors are retryable: Node and undici codes, network-ish names', () => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']) {
    const e = error('socket trouble', { code });
    assert.is(categorise(e), 'network', code);
    assert.ok(isRetryable(e), code);
  }
  for (const name of ['ConnectionError', 'NetworkError', 'HTTPError']) assert.is(categorise(error('failed', {}, name)), 'network', name);
  assert.is(categorise(new FetchError('failed')), 'network', 'the constructor name counts too');
});

retry('timeouts are retryable: a step timeout, ETIMEDOUT, or "timeout" in the name or message', () => {
  const stepTimeout = new WeftError(PipelineErrors.STEP_TIMEOUT, 'Step "a" exceeded timeout_ms');
  assert.is(categorise(stepTimeout), 'timeout');
  assert.ok(isRetryable(stepTimeout));
  assert.is(categorise(error('connect failed', { code: 'ETIMEDOUT' })), 'timeout');
  assert.is(categorise(error('gave up', {}, 'TimeoutError')), 'timeout');
  assert.is(categorise(new Error('Request Timeout after 30s')), 'timeout');
  assert.ok(isRetryable(new Error('upstream timeout')));
});

retry('dependency failures are retryable: database, sql or dependency in the name, database or sql in the message', () => {
  assert.is(categorise(new DatabaseError('deadlock')), 'dependency');
  assert.is(categorise(error('no', {}, 'SqlError')), 'dependency');
  assert.is(categorise(error('no', {}, 'DependencyFailure')), 'dependency');
  assert.is(categorise(new Error('the database is read-only')), 'dependency');
  assert.is(categorise(new Error('SQL syntax near "x"')), 'dependency');
  assert.ok(isRetryable(new Error('database unavailable')));
});

retry('validation and unknown errors are not retryable', () => {
  assert.is(categorise(new ValidationError('bad input')), 'validation');
  assert.is(categorise(error('x', {}, 'SchemaError')), 'validation');
  assert.is(categorise(new TypeError('x is not a function')), 'validation');
  assert.not.ok(isRetryable(new TypeError('x is not a function')));
  assert.is(categorise(new Error('something broke')), 'unknown');
  assert.not.ok(isRetryable(new Error('something broke')));
  assert.is(categorise(new WeftError(PipelineErrors.STEP_FAILED, 'failed')), 'unknown');
});

retry('a thrown value that is not an Error is unknown and not retryable', () => {
  for (const value of ['timeout', 42, null, undefined, { code: 'ECONNRESET' }]) {
    assert.is(categorise(value), 'unknown', String(value));
    assert.not.ok(isRetryable(value));
  }
});

retry('an explicit category on the error wins over its name and message', () => {
  assert.is(categorise(error('timeout', { category: 'validation' })), 'validation');
  assert.is(categorise(error('bad', { category: 'network' })), 'network');
  assert.is(categorise(error('bad', { category: 'timeout' })), 'timeout');
  assert.is(categorise(error('bad', { category: 'dependency' })), 'dependency');
  assert.is(categorise(error('bad', { category: 'cosmic-rays' })), 'unknown', 'an unknown tag is ignored');
});

retry('an explicit retryable flag wins over the classification', () => {
  assert.ok(isRetryable(error('bad input', { retryable: true }, 'ValidationError')));
  assert.not.ok(isRetryable(error('connection reset', { retryable: false, code: 'ECONNRESET' })));
  assert.ok(isRetryable(Object.assign(new WeftError(PipelineErrors.STEP_FAILED, 'x'), { retryable: true })));
  assert.ok(isRetryable(error('reset', { retryable: 'yes', code: 'ECONNRESET' })), 'a non-boolean flag is ignored');
  assert.not.ok(isRetryable(error('plain', { retryable: 'yes' })));
});

retry('runError: a WeftError keeps its code and path', () => {
  const e = new WeftError(PipelineErrors.INPUT_MISSING, 'Input "topic" is required', { path: 'steps[0].inputs.topic' });
  assert.equal(runError(e, 'draft'), { code: PipelineErrors.INPUT_MISSING, message: 'Input "topic" is required', step_id: 'draft', path: 'steps[0].inputs.topic' });
  assert.equal(runError(new WeftError(PipelineErrors.CANCELLED, 'cancelled')), { code: PipelineErrors.CANCELLED, message: 'cancelled' });
});

retry('runError: any other Error is PIPELINE_STEP_FAILED with its category and retryability', () => {
  assert.equal(runError(error('reset', { code: 'ECONNRESET' }), 'fetch'), { code: PipelineErrors.STEP_FAILED, message: 'reset', step_id: 'fetch', category: 'network', retryable: true });
  assert.equal(runError(new TypeError('nope')), { code: PipelineErrors.STEP_FAILED, message: 'nope', category: 'validation', retryable: false });
});

retry('runError: a thrown non-Error value is described, not crashed on', () => {
  const circular: Record<string, unknown> = {};
  circular['self'] = circular;
  assert.equal(runError('plain string', 'a'), { code: PipelineErrors.STEP_FAILED, message: 'Step threw a non-Error value: "plain string"', step_id: 'a' });
  assert.is(runError({ reason: 'x' }).message, 'Step threw a non-Error value: {"reason":"x"}');
  assert.is(runError(undefined).message, 'Step threw a non-Error value: undefined');
  assert.is(runError(null).message, 'Step threw a non-Error value: null');
  assert.is(runError(Symbol('s')).message, 'Step threw a non-Error value: Symbol(s)');
  assert.is(runError(10n).message, 'Step threw a non-Error value: 10');
  assert.is(runError(circular).message, 'Step threw a non-Error value: [object Object]');
});

retry.run();
