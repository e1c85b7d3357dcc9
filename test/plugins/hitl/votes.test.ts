import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decide } from '../../../plugins/hitl/votes.js';

const votes = suite('hitl: multi-stakeholder rules');

votes('consensus: all approve, or one reject', () => {
  assert.is(decide('consensus', 3, ['approve', 'approve']), undefined);
  assert.is(decide('consensus', 3, ['approve', 'approve', 'approve']), 'approve');
  assert.is(decide('consensus', 3, ['approve', 'reject']), 'reject');
});

votes('majority: more than half approve, or enough reject that they cannot', () => {
  assert.is(decide('majority', 3, ['approve']), undefined);
  assert.is(decide('majority', 3, ['approve', 'approve']), 'approve');
  assert.is(decide('majority', 3, ['reject', 'approve']), undefined);
  assert.is(decide('majority', 3, ['reject', 'reject']), 'reject');
  assert.is(decide('majority', 2, ['reject']), 'reject');
});

votes('any: one approve, or all reject', () => {
  assert.is(decide('any', 3, ['reject']), undefined);
  assert.is(decide('any', 3, ['reject', 'approve']), 'approve');
  assert.is(decide('any', 2, ['reject', 'reject']), 'reject');
});

votes.run();
