import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunEvent } from '../../../kernel/index.js';
import { project } from '../../../plugins/reliability/records.js';

const records = suite('reliability: records projected from run events');

const base = { run_id: 'r', at: 0 };
const started: RunEvent = { ...base, seq: 1, type: 'run.started', pipeline: 'p', version: '1', input: {}, parameters: {} };

records('a log without run.started yields nothing; one without an end has no run record yet', () => {
  assert.equal(project([]), { steps: [] });
  assert.equal(project([started]), { steps: [] });
});

records('a failure recovered by fallback is one compensated step; retries are counted', () => {
  const events: RunEvent[] = [
    started,
    { ...base, seq: 2, at: 5, type: 'step.failed', step_id: 's', iteration: 1, attempt: 1, error: { code: 'X', message: 'x' }, duration_ms: 5, will_retry: true },
    { ...base, seq: 3, at: 9, type: 'step.failed', step_id: 's', iteration: 1, attempt: 2, error: { code: 'X', message: 'x' }, duration_ms: 4, will_retry: false },
    { ...base, seq: 4, at: 12, type: 'step.completed', step_id: 's', iteration: 1, attempt: 2, output: {}, duration_ms: 3, recovered: 'fallback' },
    { ...base, seq: 5, at: 20, type: 'run.completed', output: {} },
  ];
  assert.equal(project(events), {
    steps: [{ run_id: 'r', pipeline: 'p', step_id: 's', success: false, required_compensation: true, required_human: false, at: 12 }],
    run: { run_id: 'r', pipeline: 'p', success: true, retries: 1, required_human: false, duration_ms: 20, tokens: 0, cost_usd: 0, at: 0 },
  });
});

records('a cancelled run is an unsuccessful run record', () => {
  assert.equal(project([started, { ...base, seq: 2, at: 7, type: 'run.cancelled', reason: 'stop' }]).run?.success, false);
});

records('model calls add tokens and cost (priced when a call carries none); declared modes and their violations are recorded', () => {
  const call = (seq: number, step_id: string, over: object): RunEvent => ({ ...base, seq, type: 'call.recorded', step_id, iteration: 1, attempt: 1, call: { kind: 'llm', name: 'openai', success: true, duration_ms: 1, ...over } });
  const done = (seq: number, step_id: string): RunEvent => ({ ...base, seq, type: 'step.completed', step_id, iteration: 1, attempt: 1, output: {}, duration_ms: 1 });
  const events: RunEvent[] = [
    started,
    call(2, 'plan', { usage: { input_tokens: 100, output_tokens: 20 } }),
    call(3, 'plan', { usage: { input_tokens: 10, output_tokens: 5 }, cost_usd: 0.5 }),
    done(4, 'plan'),
    call(5, 'look', { kind: 'tool', name: 'delete_rows' }),
    done(6, 'look'),
    call(7, 'read', { kind: 'tool', name: 'search' }),
    done(8, 'read'),
    { ...base, seq: 9, type: 'step.failed', step_id: 'write', iteration: 1, attempt: 1, error: { code: 'RELIABILITY_MODE_VIOLATION', message: 'no' }, duration_ms: 0, will_retry: false },
    { ...base, seq: 10, at: 3, type: 'run.failed', error: { code: 'RELIABILITY_MODE_VIOLATION', message: 'no' }, output: null },
  ];
  const projected = project(events, { modes: { look: 'explore', read: 'explore', write: 'explore' }, price: (c) => (c.usage ? 0.25 : 0), isWrite: (tool) => tool.startsWith('delete') });
  assert.equal([projected.run?.tokens, projected.run?.cost_usd], [135, 0.75]);
  assert.equal(
    projected.steps.map((s) => [s.step_id, s.declared_mode, s.mode]),
    [['plan', undefined, undefined], ['look', 'explore', 'execute'], ['read', 'explore', 'explore'], ['write', 'explore', 'execute']],
  );
  assert.is(project(events).run?.cost_usd, 0.5);
});

records("a step's tool time is the sum of the tool calls it recorded, over its attempts; absent without one", () => {
  const call = (seq: number, step_id: string, iteration: number, kind: 'llm' | 'tool', duration_ms: number): RunEvent => ({ ...base, seq, type: 'call.recorded', step_id, iteration, attempt: 1, call: { kind, name: 'n', success: true, duration_ms } });
  const done = (seq: number, step_id: string, iteration: number): RunEvent => ({ ...base, seq, type: 'step.completed', step_id, iteration, attempt: 1, output: {}, duration_ms: 1000 });
  const events: RunEvent[] = [
    started,
    call(2, 'fetch', 1, 'tool', 20),
    { ...base, seq: 3, type: 'step.failed', step_id: 'fetch', iteration: 1, attempt: 1, error: { code: 'X', message: 'x' }, duration_ms: 900, will_retry: true },
    call(4, 'fetch', 1, 'tool', 5),
    call(5, 'fetch', 1, 'llm', 400),
    call(6, 'fetch', 1, 'tool', 7.5),
    done(7, 'fetch', 1),
    call(8, 'fetch', 2, 'tool', 3),
    done(9, 'fetch', 2),
    call(10, 'think', 1, 'llm', 50),
    done(11, 'think', 1),
    done(12, 'plain', 1),
    { ...base, seq: 13, type: 'run.completed', output: {} },
  ];
  const steps = project(events).steps;
  assert.equal(steps.map((s) => [s.step_id, s.tool_duration_ms]), [['fetch', 32.5], ['fetch', 3], ['think', undefined], ['plain', undefined]]);
  assert.not.ok('tool_duration_ms' in steps[2]!);
});

records.run();
