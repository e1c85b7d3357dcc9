import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunEvent } from '../../../kernel/index.js';
import { compareRuns, sameJson, type Outcome } from '../../../plugins/reliability/replay-diff.js';

const diff = suite('reliability: replay differences');

const outcome = (output: unknown, status: Outcome['status'] = 'completed'): Outcome => ({ status, output, execution_path: [], error: null });
const side = (output: unknown, events: RunEvent[] = []) => ({ events, outcome: outcome(output) });

diff('outputs are compared over the union of keys, nested objects by dotted path, arrays as wholes', () => {
  const found = compareRuns(side({ a: 1, same: { x: 1 }, list: [1, 2], nested: { deep: { k: 'v' }, gone: true } }), side({ a: 2, same: { x: 1 }, list: [2, 1], nested: { deep: { k: 'w' } }, added: null }), 'critical');
  assert.equal(found, [
    { field: 'a', original_value: 1, replayed_value: 2, location: 'output', significance: 'critical' },
    { field: 'list', original_value: [1, 2], replayed_value: [2, 1], location: 'output', significance: 'critical' },
    { field: 'nested.deep.k', original_value: 'v', replayed_value: 'w', location: 'output', significance: 'critical' },
    { field: 'nested.gone', original_value: true, replayed_value: undefined, location: 'output', significance: 'critical' },
    { field: 'added', original_value: undefined, replayed_value: null, location: 'output', significance: 'critical' },
  ]);
});

diff('a key starting with _ is minor, and so is everything under it', () => {
  const found = compareRuns(side({ _at: 1, _meta: { n: 1 }, body: { _id: 'a' } }), side({ _at: 2, _meta: { n: 2 }, body: { _id: 'b' } }), 'critical');
  assert.equal(found.map((d) => [d.field, d.significance]), [['_at', 'minor'], ['_meta.n', 'minor'], ['body._id', 'minor']]);
});

diff('an output that is no object on either side is one difference', () => {
  assert.equal(compareRuns(side(null), side({ a: 1 }), 'critical'), [{ field: 'output', original_value: null, replayed_value: { a: 1 }, location: 'output', significance: 'critical' }]);
  assert.equal(compareRuns(side('x'), side('x'), 'critical'), []);
});

diff('steps are matched by step and iteration; an unrecorded step takes the significance asked for', () => {
  const at = { run_id: 'r', seq: 1, at: 0, attempt: 1 };
  const started = (step_id: string, iteration: number, input = {}): RunEvent => ({ ...at, type: 'step.started', step_id, iteration, input });
  const found = compareRuns(side(null, [started('loop', 1), started('loop', 2)]), side(null, [started('loop', 1), started('loop', 2, { n: 2 }), started('loop', 3)]), 'minor');
  assert.equal(found, [
    { field: 'step_input', original_value: {}, replayed_value: { n: 2 }, location: 'step:loop#2', significance: 'minor' },
    { field: 'unrecorded_step', original_value: undefined, replayed_value: {}, location: 'step:loop#3', significance: 'minor' },
  ]);
});

diff('values are compared as stored: keys holding undefined and prototype-less objects are the same as their JSON', () => {
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
  assert.equal([sameJson({ a: 1, b: undefined }, { a: 1 }), sameJson(bare, { a: 1 }), sameJson(undefined, null), sameJson({ a: 1 }, { a: 2 })], [true, true, true, false]);
  // A step whose live input holds an undefined key is not reported as changed against its stored input.
  const started = (input: Record<string, unknown>): RunEvent => ({ type: 'step.started', run_id: 'r', seq: 2, at: 0, step_id: 's', iteration: 1, attempt: 1, input });
  assert.equal(compareRuns(side({}, [started({ a: 1 })]), side({}, [started({ a: 1, gone: undefined })]), 'critical'), []);
});

diff.run();
