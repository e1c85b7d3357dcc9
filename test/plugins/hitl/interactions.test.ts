import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunSuspendedEvent } from '../../../kernel/index.js';
import { interactionOf } from '../../../plugins/hitl/interactions.js';

const suspended: RunSuspendedEvent = { type: 'run.suspended', run_id: 'r', seq: 2, at: 1000, step_id: 's', iteration: 2, request: { prompt: 'Go?', timeout_seconds: 60, assignees: ['ada'], default_action: { go: true }, ui_schema: { fields: [] } } };

const projection = suite('hitl: interactions are projections of run events');

projection('a suspension is an interaction with its id, form, assignees and deadline', () => {
  assert.equal(interactionOf(suspended, 'p'), {
    id: 'r:s:2', run_id: 'r', pipeline: 'p', step_id: 's', iteration: 2, suspension_seq: 2, prompt: 'Go?', ui_schema: { fields: [] }, assignees: ['ada'],
    created_at: new Date(1000).toISOString(), expires_at: new Date(61_000).toISOString(), default_action: { go: true }, request: suspended.request,
  });
});

projection('a bare request gets defaults; an id of its own is kept', () => {
  const bare = interactionOf({ ...suspended, request: { interaction_id: 'own', default_action: null } }, 'p');
  assert.equal([bare.id, bare.prompt, bare.ui_schema, bare.expires_at, bare.assignees, bare.default_action], ['own', 'Human input required', {}, undefined, undefined, undefined]);
});

projection.run();
