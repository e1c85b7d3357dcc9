import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMeasurements, decodeRuns, encodeMeasurement, encodeRuns } from '../../../plugins/reliability/record-codec.js';
import type { RunRecord, StepRecord } from '../../../plugins/reliability/records.js';

const run: RunRecord = { run_id: 'r1', pipeline: 'p', success: true, retries: 0, required_human: false, duration_ms: 5, tokens: 0, cost_usd: 0, at: 100 };
const step = (over: Partial<StepRecord> = {}): StepRecord => ({ run_id: 'r1', pipeline: 'p', step_id: 's', success: true, required_compensation: false, required_human: false, tool_duration_ms: 1, at: 104.6, ...over });

const codec = suite('reliability: records as stored');

codec('a run is one record stamped with its latest time; its own steps leave the run and pipeline to the record', () => {
  const other = step({ run_id: 'r2', step_id: 'x', at: 90 });
  const stored = encodeRuns('r1', { runs: [run], steps: [step(), step({ step_id: 'm', mode: 'execute', declared_mode: 'explore' }), other], costs: [] });
  assert.equal([stored.kind, stored.id, stored.at, stored.pipeline, stored.run_id], ['reliability.run', 'r1', 105, 'p', 'r1']);
  const steps = stored.data['steps'] as Record<string, unknown>[];
  assert.equal(Object.keys(steps[0]!).sort(), ['at', 'required_compensation', 'required_human', 'step_id', 'success', 'tool_duration_ms']);
  assert.equal([steps[1]!['mode'], steps[1]!['declared_mode'], steps[2]], ['execute', 'explore', other]);
  assert.equal(decodeRuns([stored]), { values: { runs: [run], steps: [step(), step({ step_id: 'm', mode: 'execute', declared_mode: 'explore' }), other], costs: [] }, skipped: 0 });
});

codec('records of user steps alone take run and pipeline from their first step; an empty one is stamped 0', () => {
  assert.equal([encodeRuns('u', { runs: [], steps: [step()], costs: [] }).run_id, encodeRuns('u', { runs: [], steps: [], costs: [] }).at], ['r1', 0]);
  assert.not.ok('pipeline' in encodeRuns('u', { runs: [], steps: [], costs: [] }));
});

codec('what is not a reliability record is counted and skipped', () => {
  const foreign = { kind: 'reliability.run', id: 'f', at: 1, data: { runs: [{ run_id: 3 }], steps: 'nope', costs: [null] } };
  assert.equal(decodeRuns([foreign]), { values: { runs: [], steps: [], costs: [] }, skipped: 3 });
  const m = encodeMeasurement('m1', { kind: 'mtte', run_id: 'r1', pipeline: 'p', at: 10.4, success: true, duration_ms: 3 });
  assert.equal([m.kind, m.at, m.pipeline, m.run_id], ['reliability.measurement', 10, 'p', 'r1']);
  assert.equal(decodeMeasurements([m, { ...m, data: { kind: 'mtte' } }]), { values: [m.data], skipped: 1 });
});

codec('optional fields may be absent: a run without duration, tokens or cost, a step without tool time or modes', () => {
  const { duration_ms: _d, tokens: _t, cost_usd: _c, ...bare } = run;
  const { tool_duration_ms: _tool, ...plain } = step();
  const stored = encodeRuns('r1', { runs: [bare], steps: [plain], costs: [{ category: 'other', amount_usd: 1, quantity: 1, unit_cost: 1, at: 1, agent: 'a', context: {} }] });
  assert.equal(Object.keys((stored.data['steps'] as object[])[0]!).sort(), ['at', 'required_compensation', 'required_human', 'step_id', 'success']);
  const decoded = JSON.parse(JSON.stringify(stored)) as typeof stored;
  assert.equal(decodeRuns([decoded]).values.runs, [bare]);
  assert.equal(decodeRuns([decoded]).values.steps, [plain]);
  assert.is(decodeRuns([decoded]).skipped, 0);
});

codec('a field present with the wrong type, a number that is not finite or an array where an object belongs is skipped', () => {
  const data = {
    runs: [{ ...run, duration_ms: '5' }, { ...run, tokens: Infinity }],
    steps: [{ ...step(), tool_duration_ms: null }, { ...step(), mode: 3 }],
    costs: [{ category: 'other', amount_usd: 1, quantity: 1, unit_cost: 1, at: 1, agent: 'a', context: [] }],
  };
  assert.equal(decodeRuns([{ kind: 'reliability.run', id: 'x', at: 1, data }]), { values: { runs: [], steps: [], costs: [] }, skipped: 5 });
});

codec.run();
