import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunEvent } from '../../../kernel/index.js';
import { pendingInteraction } from '../../../plugins/hitl/interactions.js';

const started: RunEvent = { type: 'run.started', run_id: 'r', seq: 1, at: 0, pipeline: 'p', version: '1', input: {}, parameters: {} };
const suspended: RunEvent = { type: 'run.suspended', run_id: 'r', seq: 2, at: 1000, step_id: 's', iteration: 2, request: { prompt: 'Go?', timeout_seconds: 60, assignees: ['ada'], default_action: { go: true }, ui_schema: { fields: [] } } };

const projection = suite('hitl: interactions are projections of run events');

projection('the latest suspension without a later response is pending', () => {
  assert.equal(pendingInteraction([started, suspended]), {
    id: 'r:s:2', run_id: 'r', pipeline: 'p', step_id: 's', iteration: 2, prompt: 'Go?', ui_schema: { fields: [] }, assignees: ['ada'],
    created_at: new Date(1000).toISOString(), expires_at: new Date(61_000).toISOString(), default_action: { go: true }, request: suspended.request,
  });
});

projection('no suspension, or one answered since, is no interaction; a bare request gets defaults', () => {
  assert.is(pendingInteraction([started]), undefined);
  assert.is(pendingInteraction([started, suspended, { type: 'run.resumed', run_id: 'r', seq: 3, at: 2, step_id: 's', response: {} }]), undefined);
  const bare = pendingInteraction([started, { ...suspended, request: { interaction_id: 'own', default_action: null } } as RunEvent, { type: 'run.resumed', run_id: 'r', seq: 3, at: 2, step_id: 'other' }]);
  assert.equal([bare?.id, bare?.prompt, bare?.ui_schema, bare?.expires_at, bare?.assignees, bare?.default_action], ['own', 'Human input required', {}, undefined, undefined, undefined]);
});

projection.run();
