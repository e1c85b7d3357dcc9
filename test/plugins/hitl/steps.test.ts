import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject } from '../../../kernel/index.js';
import { boot, reviewPipeline } from './support.js';

const kernel = await boot();
const pipeline = kernel.services.get('pipeline');
const hitl = kernel.services.get('hitl');

/** Runs draft → <review> with `input`; resolves to the result and the request the step made, if it suspended. */
async function run(review: JsonObject, input: JsonObject = {}): Promise<{ status: string; output: unknown; request?: JsonObject; code?: string | undefined }> {
  const result = await pipeline.run(await reviewPipeline(review), { input });
  const [it] = await hitl.list({ run_id: result.run_id });
  return { status: result.status, output: result.output, ...(it ? { request: it.request } : {}), code: result.error?.code };
}

const steps = suite('hitl: step types');

steps('HumanInput asks with its config; the output passes the input on', async () => {
  const form = { fields: [{ name: 'n', type: 'number' }] };
  const { request } = await run({ step_class: 'HumanInput', config: { prompt: 'How many?', ui_schema: form, assignees: ['ada'], timeout_seconds: 60, default_action: { n: 1 } } }, { text: 't' });
  assert.equal({ ...request, interaction_id: 'x' }, { interaction_id: 'x', prompt: 'How many?', ui_schema: form, assignees: ['ada'], timeout_seconds: 60, default_action: { n: 1 }, output: { text: 't' } });
  const bare = await run({ step_class: 'HumanInput' });
  assert.equal([bare.request?.['prompt'], bare.request?.['ui_schema'], 'assignees' in bare.request!], ['Human input required', {}, false]);
});

steps('ReviewAndApprove shows content_key of the input, else the whole input, with the review form (config may replace it)', async () => {
  const whole = await run({ step_class: 'ReviewAndApprove' }, { text: 'a' });
  assert.equal((whole.request?.['output'] as JsonObject)['review_content'], { content: { text: 'a' }, content_type: 'object' });
  assert.equal(((whole.request?.['ui_schema'] as JsonObject)['fields'] as JsonObject[])[0]?.['options'], ['approve', 'reject', 'request_changes']);
  const own = await run({ step_class: 'ReviewAndApprove', config: { content_key: 'text', ui_schema: { title: 'Mine' } } }, { text: 'a' });
  assert.equal((own.request?.['ui_schema'] as JsonObject)['title'], 'Mine');
  assert.equal((own.request?.['ui_schema'] as JsonObject)['review_content'], { content: 'a', content_type: 'string' });
});

steps('ConditionalReview passes through when no condition fires, and asks with the reasons when one does', async () => {
  const conditions = [
    { type: 'confidence_threshold', threshold: 0.5 },
    { type: 'error_occurred' },
    { type: 'value_check', field: 'score', operator: 'greater_than', expected_value: 10 },
    { type: 'value_check', field: 'age', operator: 'less_than', expected_value: 10 },
    { type: 'value_check', field: 'kind', expected_value: 'ok' },
  ];
  const passed = await run({ step_class: 'ConditionalReview', config: { conditions } }, { confidence: 0.9, score: 11, age: 9, kind: 'ok' });
  assert.is(passed.status, 'completed');
  assert.equal(passed.output, { confidence: 0.9, score: 11, age: 9, kind: 'ok', text: 'v1', human_input_skipped: true }); // no route out matches: the run ends at review
  const none = await run({ step_class: 'ConditionalReview' }, { decision: 'approve' });
  assert.equal(none.output, { published: { decision: 'approve', text: 'v1', human_input_skipped: true } });
  const defaults = await run({ step_class: 'ConditionalReview', config: { conditions: [{ type: 'confidence_threshold' }] } }, { decision: 'approve' });
  assert.is(defaults.status, 'completed');
  const fired = await run({ step_class: 'ConditionalReview', config: { conditions } }, { confidence: 0.4, error: 'x', score: 1, age: 20, kind: 'bad' });
  assert.is(fired.request?.['trigger_reason'], 'confidence 0.4 is below 0.5; an error occurred; score is not greater_than 10; age is not less_than 10; kind is not equals "ok"');
  const status = await run({ step_class: 'ConditionalReview', config: { conditions: [{ type: 'error_occurred' }, { type: 'confidence_threshold' }] } }, { status: 'error', confidence: 0.1 });
  assert.is(status.request?.['trigger_reason'], 'an error occurred; confidence 0.1 is below 0.8');
});

/** The errors `weft validate` reports for draft → <review>, as [code, path]. */
const refused = async (review: JsonObject): Promise<[string, string][]> => (await pipeline.validate(await reviewPipeline(review))).errors.map((e) => [e.code, e.path]);

steps('TimeBoxedDecision needs timeout_seconds and default_action; its default may be a decision name or an object', async () => {
  assert.equal(await refused({ step_class: 'TimeBoxedDecision', config: { timeout_seconds: 5 } }), [['HITL_STEP_CONFIG', 'steps[1].config.default_action']]);
  assert.equal(await refused({ step_class: 'TimeBoxedDecision' }), [['HITL_STEP_CONFIG', 'steps[1].config.timeout_seconds'], ['HITL_STEP_CONFIG', 'steps[1].config.default_action']]);
  const named = await run({ step_class: 'TimeBoxedDecision', config: { timeout_seconds: 5, default_action: 'proceed' } });
  assert.equal([named.request?.['default_action'], named.request?.['urgent']], [{ decision: 'proceed' }, true]);
  const own = await run({ step_class: 'TimeBoxedDecision', config: { timeout_seconds: 5, default_action: { decision: 'abort' }, ui_schema: { title: 'Now' } } });
  assert.equal([own.request?.['default_action'], (own.request?.['ui_schema'] as JsonObject)['title']], [{ decision: 'abort' }, 'Now']);
});

steps('MultiStakeholderDecision needs stakeholders and a known rule; the stakeholders are the assignees', async () => {
  assert.equal(await refused({ step_class: 'MultiStakeholderDecision' }), [['HITL_STEP_CONFIG', 'steps[1].config.stakeholders']]);
  assert.equal(await refused({ step_class: 'MultiStakeholderDecision', config: { stakeholders: [] } }), [['HITL_STEP_CONFIG', 'steps[1].config.stakeholders']]);
  assert.equal(await refused({ step_class: 'MultiStakeholderDecision', config: { stakeholders: ['a'], decision_type: 'vibes' } }), [['HITL_STEP_CONFIG', 'steps[1].config.decision_type']]);
  const { request } = await run({ step_class: 'MultiStakeholderDecision', config: { stakeholders: ['ada', 'bob'] } });
  assert.equal([request?.['assignees'], request?.['decision_type']], [['ada', 'bob'], 'consensus']);
});

steps.after(() => kernel.close());
steps.run();
