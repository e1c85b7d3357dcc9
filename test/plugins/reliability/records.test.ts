import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunEvent } from '../../../kernel/index.js';
import { project } from '../../../plugins/reliability/records.js';

const records = suite('reliability: records projected from run events');

const base = { run_id: 'r', at: 0 };
const started: RunEvent = { ...base, seq: 1, type: 'run.started', pipeline: 'p', version: '1', input: {}, parameters: {} };

records('a log without run.started yields nothing', () => assert.equal(project([]), { steps: [] }));

records('a failure recovered by fallback is one compensated step; retries are counted', () => {
  const events: RunEvent[] = [
    started,
    { ...base, seq: 2, at: 5, type: 'step.failed', step_id: 's', iteration: 1, attempt: 1, error: { code: 'X', message: 'x' }, duration_ms: 5, will_retry: true },
    { ...base, seq: 3, at: 9, type: 'step.failed', step_id: 's', iteration: 1, attempt: 2, error: { code: 'X', message: 'x' }, duration_ms: 4, will_retry: false },
    { ...base, seq: 4, at: 12, type: 'step.completed', step_id: 's', iteration: 1, attempt: 2, output: {}, duration_ms: 3, recovered: 'fallback' },
    { ...base, seq: 5, at: 20, type: 'run.completed', output: {} },
  ];
  assert.equal(project(events), {
    steps: [{ run_id: 'r', pipeline: 'p', step_id: 's', success: false, required_compensation: true, required_human: false, tool_duration_ms: 3, at: 12 }],
    run: { run_id: 'r', pipeline: 'p', success: true, retries: 1, required_human: false, duration_ms: 20, at: 0 },
  });
});

records('a cancelled run is an unsuccessful run record', () => {
  assert.equal(project([started, { ...base, seq: 2, at: 7, type: 'run.cancelled', reason: 'stop' }]).run?.success, false);
});

records.run();
