import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject } from '../../../kernel/index.js';
import { configProblems, stepIssues, type HitlStepType } from '../../../plugins/hitl/step-config.js';
import { boot, reviewPipeline } from './support.js';

const config = suite('hitl: step config checks');

/** The paths configProblems reports for a step of `type` with `given` config. */
const paths = (type: HitlStepType, given: JsonObject): string[] => configProblems(type, given).map((p) => p.path);

config('the options every step type shares: prompt, assignees, timeout_seconds', () => {
  assert.equal(paths('HumanInput', {}), []);
  assert.equal(paths('HumanInput', { prompt: 'Go?', assignees: ['ada'], timeout_seconds: 0.5 }), []);
  assert.equal(paths('HumanInput', { prompt: 5, assignees: 'ada', timeout_seconds: '1' }), ['config.prompt', 'config.assignees', 'config.timeout_seconds']);
  assert.equal(paths('HumanInput', { prompt: null, assignees: [], timeout_seconds: 0 }), ['config.prompt', 'config.assignees', 'config.timeout_seconds']);
  assert.equal(paths('HumanInput', { assignees: ['ada', ''], timeout_seconds: -1 }), ['config.assignees', 'config.timeout_seconds']);
  assert.equal(configProblems('HumanInput', { timeout_seconds: '1' })[0]?.problem, 'must be a positive number of seconds, got "1"');
});

config('a value that holds a template is left to the run', () => {
  const templated = { prompt: '{{ parameters.p }}', assignees: ['{{ parameters.who }}'], timeout_seconds: '{{ parameters.t }}', ui_schema: { fields: '{{ parameters.f }}' }, default_action: { decision: '{{ parameters.d }}' } };
  assert.equal(paths('TimeBoxedDecision', templated), []);
  assert.equal(paths('TimeBoxedDecision', { timeout_seconds: 5, default_action: 'nope', ui_schema: '{{ parameters.form }}' }), []);
});

config('ui_schema: an object whose fields each have a name, a known type, options for a choice, numeric bounds', () => {
  assert.equal(paths('HumanInput', { ui_schema: { title: 'T' } }), []);
  const good = [{ name: 'a', type: 'select', options: [{ value: 1, label: 'One' }, 'b'], required: true }, { name: 'n', type: 'number', min: 0, max: 9 }];
  assert.equal(paths('HumanInput', { ui_schema: { fields: good } }), []);
  assert.equal(paths('HumanInput', { ui_schema: 'form' }), ['config.ui_schema']);
  assert.equal(paths('HumanInput', { ui_schema: [] }), ['config.ui_schema']);
  assert.equal(paths('HumanInput', { ui_schema: { fields: 'x' } }), ['config.ui_schema.fields']);
  const bad = [5, { type: 'text' }, { name: 'a', type: 'numbr' }, { name: 'a', type: 'radio' }, { name: 'a', type: 'select', options: [{ label: 'x' }] }, { name: 'a', type: 'number', min: '0' }, { name: 'a', type: 'number', max: '9' }, { name: 'a', type: 'text', required: 'yes' }];
  assert.equal(paths('HumanInput', { ui_schema: { fields: bad } }), [
    'config.ui_schema.fields[0]', 'config.ui_schema.fields[1].name', 'config.ui_schema.fields[2].type', 'config.ui_schema.fields[3].options',
    'config.ui_schema.fields[4].options', 'config.ui_schema.fields[5].min', 'config.ui_schema.fields[6].max', 'config.ui_schema.fields[7].required',
  ]);
  assert.is(configProblems('HumanInput', { ui_schema: { fields: [{ name: 'a', type: 'numbr' }] } })[0]?.problem, 'must be one of text, textarea, number, select, radio, checkbox, hidden, got "numbr"');
});

config('default_action: a response object or a decision name that fits the form the step asks with', () => {
  const form = { fields: [{ name: 'n', type: 'number', required: true }] };
  assert.equal(paths('HumanInput', { ui_schema: form, default_action: { n: 1 } }), []);
  assert.equal(paths('HumanInput', { default_action: 'anything' }), []);
  assert.equal(paths('HumanInput', { ui_schema: form, default_action: { n: 'one' } }), ['config.default_action.n']);
  assert.equal(configProblems('HumanInput', { ui_schema: form, default_action: {} })[0]?.problem, 'is required (it is the response when nobody answers)');
  assert.equal(paths('HumanInput', { default_action: 5 }), ['config.default_action']);
  assert.equal(paths('TimeBoxedDecision', { timeout_seconds: 1, default_action: 'approve' }), ['config.default_action']);
  assert.equal(paths('TimeBoxedDecision', { timeout_seconds: 1, default_action: 'proceed' }), []);
  assert.equal(paths('ReviewAndApprove', { default_action: { decision: 'maybe' } }), ['config.default_action.decision']);
  assert.equal(paths('MultiStakeholderDecision', { stakeholders: ['ada'], default_action: 'approve' }), []);
  // A broken form is reported once, not again through the default that cannot fit it.
  assert.equal(paths('HumanInput', { ui_schema: { fields: [{ name: 'n', type: 'numbr' }] }, default_action: { n: 1 } }), ['config.ui_schema.fields[0].type']);
});

config('the options of one step type: time-boxed, multi-stakeholder, conditional, review', () => {
  assert.equal(paths('TimeBoxedDecision', {}), ['config.timeout_seconds', 'config.default_action']);
  assert.equal(paths('MultiStakeholderDecision', {}), ['config.stakeholders']);
  assert.equal(paths('MultiStakeholderDecision', { stakeholders: ['ada'], decision_type: 'any' }), []);
  assert.equal(paths('MultiStakeholderDecision', { stakeholders: [1], decision_type: 'vibes' }), ['config.stakeholders', 'config.decision_type']);
  assert.equal(paths('ConditionalReview', { conditions: 'x' }), ['config.conditions']);
  const conditions = [5, { type: 'nope' }, { type: 'confidence_threshold', threshold: 'x' }, { type: 'value_check' }, { type: 'value_check', field: 'a', operator: 'like' }, { type: 'value_check', field: 'a', operator: 'less_than', expected_value: 1 }, { type: 'error_occurred' }, { type: 'confidence_threshold', threshold: 0.5 }];
  assert.equal(paths('ConditionalReview', { conditions }), ['config.conditions[0]', 'config.conditions[1].type', 'config.conditions[2].threshold', 'config.conditions[3].field', 'config.conditions[4].operator']);
  assert.equal(paths('ReviewAndApprove', { content_key: 5 }), ['config.content_key']);
  assert.equal(paths('ReviewAndApprove', { content_key: 'text' }), []);
});

config('a document step: hitl steps by step_class or class, at their full path; other steps are not looked at', () => {
  assert.equal(stepIssues({ id: 'a', step_class: 'Draft', config: { timeout_seconds: 'x' } }, 'steps[0]'), []);
  assert.equal(stepIssues({ id: 'a' }, 'steps[0]'), []);
  assert.equal(stepIssues({ id: 'a', class: 'HumanInput' }, 'steps[0]'), []);
  assert.equal(stepIssues({ id: 'ask', class: 'HumanInput', config: { timeout_seconds: '1' } }, 'steps[3]'), [
    { code: 'HITL_STEP_CONFIG', path: 'steps[3].config.timeout_seconds', message: 'Step "ask" (HumanInput): steps[3].config.timeout_seconds must be a positive number of seconds, got "1"' },
  ]);
});

config('pipeline.validate reports every bad hitl step; a run refuses the pipeline before it starts', async () => {
  const kernel = await boot();
  const pipeline = kernel.services.get('pipeline');
  const file = await reviewPipeline({ step_class: 'HumanInput', config: { timeout_seconds: '1', ui_schema: { fields: [{ name: 'n', type: 'numbr' }] } } });
  const report = await pipeline.validate(file);
  assert.equal([report.valid, report.errors.map((e) => [e.code, e.path])], [false, [['HITL_STEP_CONFIG', 'steps[1].config.timeout_seconds'], ['HITL_STEP_CONFIG', 'steps[1].config.ui_schema.fields[0].type']]]);
  const refused = await pipeline.run(file).catch((e: { code: string }) => e.code);
  assert.is(refused, 'PIPELINE_INVALID');
  assert.is((await (await kernel.services.get('storage').runs()).list({})).length, 0);
  await kernel.close();
});

config('a templated value is checked when the step runs: the run fails with HITL_STEP_CONFIG at the full path', async () => {
  const kernel = await boot();
  const pipeline = kernel.services.get('pipeline');
  const file = await reviewPipeline({ step_class: 'TimeBoxedDecision', config: { timeout_seconds: '{{ parameters.wait }}', default_action: 'proceed' } });
  const doc = { ...(JSON.parse(await readFile(file, 'utf8')) as JsonObject), parameters: { wait: { type: 'string', default: 'soon' } } };
  const def = await pipeline.parse(doc, { baseDir: dirname(file) });
  const result = await pipeline.run(def);
  assert.equal([result.status, result.error?.code, result.error?.['path']], ['failed', 'HITL_STEP_CONFIG', 'steps[1].config.timeout_seconds']);
  assert.match(result.error!.message, 'Step "review" (TimeBoxedDecision): steps[1].config.timeout_seconds must be a positive number of seconds, got "soon"');
  const fine = await pipeline.run(def, { parameters: { wait: 30 } });
  assert.is(fine.status, 'waiting_for_input');
  await kernel.close();
});

config.run();
