import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, RunEvent, StepContext } from '../../../kernel/index.js';
import { bootPipeline, runDoc } from './support.js';

const { kernel, pipeline } = await bootPipeline();
const one = (step: JsonObject) => ({ name: 'one', steps: [{ id: 's', step_class: 's', ...step }, { id: 'next', step_class: 'next' }], flow: { start_at: 's', transitions: [{ from: 's', to: 'next' }] } });
const next = async (input: JsonObject) => ({ got: input });

const retry = suite('engine: retry and timeouts');

retry('a retryable error is retried up to max_attempts with the backoff delay', async () => {
  let calls = 0;
  const events: RunEvent[] = [];
  const s = async (_: JsonObject, ctx: StepContext) => {
    calls++;
    if (ctx.attempt < 3) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    return { ok: ctx.attempt };
  };
  const def = await pipeline.parse(one({ retry: { max_attempts: 3, initial_delay: 0.002, jitter: false } }), { steps: { s, next } });
  const result = await pipeline.run(def, { steps: { s, next }, onEvent: (e) => void events.push(e) });
  assert.is(result.status, 'completed');
  assert.is(calls, 3);
  assert.equal(result.steps['s'], { ok: 3 });
  assert.is(result.step_runs[0]!.attempts, 3);
  const failures = events.filter((e) => e.type === 'step.failed');
  assert.equal(failures.map((e) => e.type === 'step.failed' && [e.will_retry, e.delay_ms, e.error.retryable]), [[true, 2, true], [true, 4, true]]);
});

retry('a step error marked retryable is retried; a plain error is not', async () => {
  let calls = 0;
  const flaky = async () => {
    calls++;
    throw Object.assign(new Error('try later'), { retryable: calls < 2 });
  };
  const result = await runDoc(pipeline, one({ retry: { max_attempts: 5, initial_delay: 0.001 } }), { steps: { s: flaky, next } });
  assert.is(result.status, 'failed');
  assert.is(calls, 2);
  let plain = 0;
  const broken = await runDoc(pipeline, one({ retry: { max_attempts: 5, initial_delay: 0.001 } }), { steps: { s: async () => (plain++, Promise.reject(new Error('bad data'))), next } });
  assert.is(broken.error!.code, 'PIPELINE_STEP_FAILED');
  assert.is(broken.error!.message, 'bad data');
  assert.is(plain, 1);
});

retry('timeout_ms aborts an attempt, the step sees its signal aborted, and the error is coded', async () => {
  let signal: AbortSignal | undefined;
  const hang = (_: JsonObject, ctx: StepContext) => {
    signal = ctx.signal;
    return new Promise(() => {});
  };
  const result = await runDoc(pipeline, one({ timeout_ms: 10 }), { steps: { s: hang, next } });
  assert.is(result.status, 'failed');
  assert.is(result.error!.code, 'PIPELINE_STEP_TIMEOUT');
  assert.is(result.error!.step_id, 's');
  assert.ok(signal!.aborted);
});

retry('a timed-out attempt is retryable; a fast attempt within timeout_ms succeeds', async () => {
  const s = (_: JsonObject, ctx: StepContext) => (ctx.attempt === 1 ? new Promise(() => {}) : { attempt: ctx.attempt });
  const result = await runDoc(pipeline, one({ timeout_ms: 10, retry: { max_attempts: 2, initial_delay: 0.001 } }), { steps: { s, next } });
  assert.is(result.status, 'completed');
  assert.equal(result.steps['s'], { attempt: 2 });
});

const bad = suite('engine: bad step behaviour is reported, not crashed on');

bad('a step that throws a non-Error value fails the run with the value in the message', async () => {
  const result = await runDoc(pipeline, one({}), { steps: { s: () => Promise.reject({ reason: 'nope' }), next } });
  assert.is(result.error!.code, 'PIPELINE_STEP_FAILED');
  assert.match(result.error!.message, /non-Error value: \{"reason":"nope"\}/);
  const circular: Record<string, unknown> = {};
  circular['self'] = circular;
  const odd = await runDoc(pipeline, one({}), { steps: { s: () => { throw circular; }, next } });
  assert.match(odd.error!.message, /\[object Object\]/);
});

bad('a step returning a non-object is a coded error', async () => {
  for (const [value, kind] of [[42, 'a number'], [[1], 'an array'], [new Map(), 'a Map'], ['text', 'a string']] as const) {
    const result = await runDoc(pipeline, one({}), { steps: { s: async () => value, next } });
    assert.is(result.error!.code, 'PIPELINE_STEP_BAD_OUTPUT');
    assert.match(result.error!.message, kind);
  }
  const nullProto = await runDoc(pipeline, one({}), { steps: { s: async () => Object.assign(Object.create(null) as object, { a: 1 }), next } });
  assert.is(nullProto.status, 'completed');
});

bad('an output that is not JSON fails the step with a coded error naming the value', async () => {
  const loop: Record<string, unknown> = { name: 'x' };
  loop['again'] = { list: [1, loop] };
  const shared = { n: 1 };
  for (const [value, path, reason] of [
    [loop, 'output.again.list[1]', 'refers back to an object that contains it'],
    [{ big: 10n }, 'output.big', 'is a BigInt'],
    [{ deep: [{ f: () => 1 }] }, 'output.deep[0].f', 'is a function'],
    [{ s: Symbol('s') }, 'output.s', 'is a symbol'],
  ] as const) {
    const result = await runDoc(pipeline, one({}), { steps: { s: async () => value, next } });
    assert.is(result.status, 'failed');
    assert.is(result.error!.code, 'PIPELINE_STEP_BAD_OUTPUT');
    assert.is(result.error!.step_id, 's');
    assert.match(result.error!.message, `${path} ${reason}`);
    assert.not.throws(() => JSON.stringify(result));
  }
  // One object in two places is not a cycle; nulls, dates and nested arrays are JSON.
  const fine = await runDoc(pipeline, one({}), { steps: { s: async () => ({ a: shared, b: [shared, null, [new Date(0)]] }), next } });
  assert.is(fine.status, 'completed');
});

const onError = suite('engine: on_error');

onError('continue records an error object as the output and routes on', async () => {
  const result = await runDoc(pipeline, one({ on_error: 'continue' }), { steps: { s: async () => Promise.reject(new Error('boom')), next } });
  assert.is(result.status, 'completed');
  assert.equal(result.steps['s'], { step_error: true, code: 'PIPELINE_STEP_FAILED', message: 'boom', error: { code: 'PIPELINE_STEP_FAILED', message: 'boom', step_id: 's', category: 'unknown', retryable: false } });
  assert.equal((result.steps['next']!['got'] as JsonObject)['message'], 'boom');
  assert.equal(result.execution_path, ['s', 'next']);
});

onError('fallback uses the implementation fallback(input, error, ctx) output', async () => {
  class Primary {
    run(): never {
      throw new Error('primary down');
    }
    fallback(input: JsonObject, error: Error, ctx: StepContext) {
      return { fallback: true, reason: error.message, step: ctx.step_id, input };
    }
  }
  const result = await runDoc(pipeline, one({ on_error: 'fallback' }), { steps: { s: Primary, next }, input: { q: 1 } });
  assert.is(result.status, 'completed');
  assert.equal(result.steps['s'], { fallback: true, reason: 'primary down', step: 's', input: { q: 1 } });
  const fn = Object.assign(async () => Promise.reject('text failure'), { fallback: async (_: JsonObject, e: Error) => ({ recovered: e.message }) });
  const fnResult = await runDoc(pipeline, one({ on_error: 'fallback' }), { steps: { s: fn, next } });
  assert.match(String(fnResult.steps['s']!['recovered']), /text failure/);
});

onError('fallback without a fallback method, or one that throws, fails the run', async () => {
  const missing = await runDoc(pipeline, one({ on_error: 'fallback' }), { steps: { s: async () => Promise.reject(new Error('x')), next } });
  assert.is(missing.error!.code, 'PIPELINE_NO_FALLBACK');
  class Broken {
    run(): never {
      throw new Error('first');
    }
    fallback(): never {
      throw new Error('second');
    }
  }
  const broken = await runDoc(pipeline, one({ on_error: 'fallback' }), { steps: { s: Broken, next } });
  assert.is(broken.status, 'failed');
  assert.is(broken.error!.message, 'second');
});

onError('the legacy config.error_handling block maps to on_error and retry', async () => {
  const result = await runDoc(pipeline, one({ config: { error_handling: { continue_on_error: true } } }), { steps: { s: async () => Promise.reject(new Error('old')), next } });
  assert.is(result.status, 'completed');
  assert.is(result.steps['s']!['step_error'], true);
});

onError.after(() => kernel.close());
retry.run();
bad.run();
onError.run();
