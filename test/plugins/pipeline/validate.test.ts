// Validation (what `weft validate` reports): schema violations with their paths, unknown and
// duplicate steps, reserved ids, unknown condition types and operators, loops without exits, templates
// naming unknown steps or parameters, unreachable steps (warnings, errors with strict), unresolved steps.
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importModule, type JsonObject, type StepImplementation } from '#kernel';
import { builtinConditionTypes } from '../../../plugins/pipeline/conditions.js';
import { PipelineErrors } from '../../../plugins/pipeline/errors.js';
import { BUILTIN_OPERATORS } from '../../../plugins/pipeline/operators.js';
import type { Registries } from '../../../plugins/pipeline/prepare.js';
import { validateDocument, type ValidateOptions, type ValidationReport } from '../../../plugins/pipeline/validate.js';

const units = fileURLToPath(new URL('../../../../test/fixtures/pipelines/units/', import.meta.url));
const noop: StepImplementation = async () => ({});

const registries: Registries = {
  steps: new Map([
    ['Draft', noop],
    ['Review', noop],
    ['Publish', noop],
  ]),
  conditionTypes: builtinConditionTypes(new Map()),
  operators: BUILTIN_OPERATORS,
  load: importModule,
};

const approved = (value: boolean): JsonObject => ({ type: 'expression', config: { source: 'result.approved', operator: 'equals', value } });

/** A valid review loop; `overrides` replaces top-level fields. */
function doc(overrides: JsonObject = {}): JsonObject {
  return {
    name: 'review',
    parameters: { topic: 'ai' },
    steps: [
      { id: 'draft', step_class: 'Draft', inputs: { topic: '{{ parameters.topic }}', notes: "{{ review.feedback | '' }}" } },
      { id: 'review', step_class: 'Review' },
    ],
    flow: {
      start_at: 'draft',
      transitions: [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'draft', condition: approved(false) },
        { from: 'review', to: 'end', condition: approved(true) },
      ],
    },
    outputs: { final: '{{ draft.text }}' },
    ...overrides,
  };
}

async function validate(document: unknown, options: Partial<ValidateOptions> = {}): Promise<ValidationReport> {
  return (await validateDocument(document, { baseDir: units, registries, ...options })).report;
}

/** The errors as [code, path] pairs. */
const errorsOf = (report: ValidationReport): string[][] => report.errors.map((e) => [e.code, e.path]);

const steps = (...list: JsonObject[]): JsonObject[] => list;
const flow = (startAt: string, transitions: JsonObject[]): JsonObject => ({ start_at: startAt, transitions });

const validateSuite = suite('validate');

validateSuite('a valid review loop has no errors or warnings and comes back normalised', async () => {
  const { report, def } = await validateDocument(doc(), { baseDir: units, registries, file: '/x/review.json' });
  assert.equal(report, { valid: true, errors: [], warnings: [] });
  assert.is(def?.name, 'review');
  assert.is(def?.file, '/x/review.json');
  assert.is(def?.baseDir, units);
  const { outputs: _outputs, ...withoutOutputs } = doc();
  assert.ok((await validate(withoutOutputs)).valid, 'outputs are optional');
});

validateSuite('schema violations are reported alone, with their JSON paths, and no model', async () => {
  const { report, def } = await validateDocument(doc({ steps: [{ id: 'draft', retry: { max_attempts: 0 } }] }), { baseDir: units, registries });
  assert.is(def, undefined);
  assert.equal(report, {
    valid: false,
    errors: [{ code: PipelineErrors.SCHEMA, path: 'steps[0].retry.max_attempts', message: 'steps[0].retry.max_attempts must be >= 1' }],
    warnings: [],
  });
});

validateSuite('a transition or start_at naming an unknown step is PIPELINE_UNKNOWN_STEP at its path', async () => {
  const report = await validate(
    doc({
      flow: flow('drafting', [
        { from: 'draft', to: 'review' },
        { from: 'reviewer', to: 'end' },
        { from: 'review', to: 'publish' },
        { from: 'review', to: 'end_with_failure' },
      ]),
    }),
  );
  assert.equal(errorsOf(report), [
    [PipelineErrors.UNKNOWN_STEP, 'flow.start_at'],
    [PipelineErrors.UNKNOWN_STEP, 'flow.transitions[1].from'],
    [PipelineErrors.UNKNOWN_STEP, 'flow.transitions[2].to'],
  ]);
  assert.ok(report.errors[2]!.message.includes('"publish"') && report.errors[2]!.message.includes('end_with_failure'), report.errors[2]!.message);
  assert.equal(report.warnings, [], 'reachability is not judged from an unknown start');
});

validateSuite('the paths dialect reports its own paths', async () => {
  const report = await validate(doc({ flow: { start_at: 'draft', paths: [{ from_step: 'draft', to_step: 'nowhere' }] } }));
  assert.equal(errorsOf(report), [[PipelineErrors.UNKNOWN_STEP, 'flow.paths[0].to']]);
});

validateSuite('duplicate ids and reserved ids are errors at steps[i].id', async () => {
  const report = await validate(
    doc({
      steps: steps({ id: 'draft', step_class: 'Draft' }, { id: 'draft', step_class: 'Review' }, { id: 'end', step_class: 'Publish' }),
      flow: flow('draft', [{ from: 'draft', to: 'end' }]),
      outputs: {},
    }),
  );
  assert.equal(errorsOf(report), [
    [PipelineErrors.DUPLICATE_STEP, 'steps[1].id'],
    [PipelineErrors.DUPLICATE_STEP, 'steps[2].id'],
  ]);
  assert.ok(report.errors[0]!.message.includes('already used by steps[0]'), report.errors[0]!.message);
  assert.ok(report.errors[1]!.message.includes('"end" is reserved'), report.errors[1]!.message);
  for (const id of ['end_with_success', 'end_with_failure']) {
    const reserved = await validate(doc({ steps: steps({ id, step_class: 'Draft' }), flow: flow(id, []), outputs: {} }));
    assert.equal(errorsOf(reserved), [[PipelineErrors.DUPLICATE_STEP, 'steps[0].id']], id);
  }
});

validateSuite('unknown condition types and operators are reported before any run', async () => {
  const report = await validate(
    doc({
      flow: flow('draft', [
        { from: 'draft', to: 'review', condition: { type: 'sometimes' } },
        { from: 'review', to: 'draft', condition: { type: 'expression', config: { source: 'result.approved', operator: 'roughly', value: 1 } } },
        { from: 'review', to: 'end', condition: { type: 'all', config: { conditions: [approved(true), { type: 'field_equals', config: {} }] } } },
      ]),
    }),
  );
  assert.equal(errorsOf(report), [
    [PipelineErrors.UNKNOWN_CONDITION, 'flow.transitions[0].condition.type'],
    [PipelineErrors.UNKNOWN_OPERATOR, 'flow.transitions[1].condition.config.operator'],
    [PipelineErrors.BAD_CONDITION, 'flow.transitions[2].condition.config.conditions[1].config.field'],
  ]);
});

validateSuite('a loop with no transition leaving it is PIPELINE_LOOP_NO_EXIT naming the cycle', async () => {
  const report = await validate(
    doc({
      flow: flow('draft', [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'draft' },
      ]),
    }),
  );
  assert.equal(errorsOf(report), [[PipelineErrors.LOOP_NO_EXIT, 'flow']]);
  assert.ok(report.errors[0]!.message.includes('draft -> review -> draft'), report.errors[0]!.message);
});

validateSuite('a loop whose exits all depend on conditions is fine, as is a self-loop with an exit', async () => {
  assert.ok((await validate(doc())).valid);
  const poll = await validate(doc({ steps: steps({ id: 'poll', step_class: 'Draft' }), flow: flow('poll', [{ from: 'poll', to: 'poll', condition: approved(false) }, { from: 'poll', to: 'end', condition: approved(true) }]), outputs: {} }));
  assert.equal(poll.errors, []);
  const stuck = await validate(doc({ steps: steps({ id: 'poll', step_class: 'Draft' }), flow: flow('poll', [{ from: 'poll', to: 'poll' }]), outputs: {} }));
  assert.equal(errorsOf(stuck), [[PipelineErrors.LOOP_NO_EXIT, 'flow']]);
});

validateSuite('templates naming an unknown step are PIPELINE_UNKNOWN_STEP wherever they are', async () => {
  const report = await validate(
    doc({
      steps: steps(
        { id: 'draft', step_class: 'Draft', inputs: [{ name: 'notes', source: '{steps.reviewer.output.feedback}' }], config: { prompt: 'Use {{ steps.critic.output.notes }}', list: ['{{ steps.ghost.x }}'] } },
        { id: 'review', step_class: 'Review' },
      ),
      outputs: { final: '{{ steps.publisher.output.url }}' },
      flow: flow('draft', [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'draft', condition: { type: 'expression', config: { source: 'steps.editor.output.ok', value: '{{ steps.judge.output.ok }}' } } },
        { from: 'review', to: 'end', condition: { type: 'threshold_condition', config: { field: 'steps.scorer.output.score', operator: '>', value: 1 } } },
      ]),
    }),
  );
  assert.equal(errorsOf(report), [
    [PipelineErrors.UNKNOWN_STEP, 'steps[0].inputs[0].source'],
    [PipelineErrors.UNKNOWN_STEP, 'steps[0].config.prompt'],
    [PipelineErrors.UNKNOWN_STEP, 'steps[0].config.list[0]'],
    [PipelineErrors.UNKNOWN_STEP, 'outputs.final'],
    [PipelineErrors.UNKNOWN_STEP, 'flow.transitions[1].condition.config.source'],
    [PipelineErrors.UNKNOWN_STEP, 'flow.transitions[1].condition.config.value'],
    [PipelineErrors.UNKNOWN_STEP, 'flow.transitions[2].condition.config.field'],
  ]);
  assert.ok(report.errors[0]!.message.includes('"reviewer"'), report.errors[0]!.message);
});

validateSuite('a reference to a known step that may not have run yet is fine', async () => {
  const report = await validate(doc({ outputs: { final: '{{ review.feedback }}', all: '{{ steps.review }}' } }));
  assert.equal(report.errors, []);
});

validateSuite('templates naming an undeclared parameter are PIPELINE_UNKNOWN_PARAMETER', async () => {
  const report = await validate(
    doc({
      steps: steps({ id: 'draft', step_class: 'Draft', inputs: { tone: '{{ parameters.tone }}', all: '{{ parameters }}' }, config: { n: '{{ parameters.topic }}', fixed: 'no template' } }, { id: 'review', step_class: 'Review' }),
      flow: flow('draft', [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'draft', condition: { type: 'expression', config: { source: 'result.score', operator: '<', value: '{{ parameters.threshold }}' } } },
        { from: 'review', to: 'end', condition: { type: 'parameter', config: { parameter: 'auto_publish' } } },
      ]),
    }),
  );
  assert.equal(errorsOf(report), [
    [PipelineErrors.UNKNOWN_PARAMETER, 'steps[0].inputs.tone'],
    [PipelineErrors.UNKNOWN_PARAMETER, 'flow.transitions[1].condition.config.value'],
    [PipelineErrors.UNKNOWN_PARAMETER, 'flow.transitions[2].condition.config.parameter'],
  ]);
  assert.ok(report.errors[0]!.message.includes('"tone"'), report.errors[0]!.message);
});

validateSuite('a template that cannot be parsed is PIPELINE_BAD_TEMPLATE at its path', async () => {
  const report = await validate(
    doc({
      steps: steps({ id: 'draft', step_class: 'Draft', inputs: { topic: '{{ parameters.topic' }, config: { prompt: 'Write {{ a b }}' } }, { id: 'review', step_class: 'Review' }),
      outputs: { final: '{{ }}' },
      flow: flow('draft', [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'end', condition: { type: 'agent', config: { prompt_template: 'Good? {{ result.text' } } },
      ]),
    }),
  );
  assert.equal(
    errorsOf(report).sort(),
    [
      [PipelineErrors.BAD_TEMPLATE, 'flow.transitions[1].condition.config.prompt_template'],
      [PipelineErrors.BAD_TEMPLATE, 'outputs.final'],
      [PipelineErrors.BAD_TEMPLATE, 'steps[0].config.prompt'],
      [PipelineErrors.BAD_TEMPLATE, 'steps[0].inputs.topic'],
    ],
    'each reported once, at its field',
  );
  assert.ok(report.errors.some((e) => e.message.includes('Unclosed "{{" in template "{{ parameters.topic"')));
});

validateSuite('a bad condition source is reported once, at the field; two such conditions twice', async () => {
  const bad = { type: 'expression', config: { source: 'result.a b', value: 1 } };
  const report = await validate(
    doc({
      flow: flow('draft', [
        { from: 'draft', to: 'review', condition: bad },
        { from: 'review', to: 'end', condition: bad },
      ]),
    }),
  );
  assert.equal(errorsOf(report), [
    [PipelineErrors.BAD_TEMPLATE, 'flow.transitions[0].condition.config.source'],
    [PipelineErrors.BAD_TEMPLATE, 'flow.transitions[1].condition.config.source'],
  ]);
  const interpolated = await validate(doc({ flow: flow('draft', [{ from: 'draft', to: 'end', condition: { type: 'expression', config: { source: 'x {{ result.a }}' } } }]) }));
  assert.equal(errorsOf(interpolated), [[PipelineErrors.BAD_TEMPLATE, 'flow.transitions[0].condition']], 'a source must be a single path, which only compiling the condition notices');
});

validateSuite('an unreachable step is a warning; strict makes it an error', async () => {
  const document = doc({ steps: steps({ id: 'draft', step_class: 'Draft' }, { id: 'review', step_class: 'Review' }, { id: 'orphan', step_class: 'Publish' }), outputs: {} });
  const report = await validate(document);
  assert.ok(report.valid);
  assert.equal(report.errors, []);
  assert.equal(report.warnings, [{ code: PipelineErrors.UNREACHABLE_STEP, path: 'steps[2]', message: 'step "orphan" cannot be reached from "draft"' }]);
  const strict = await validate(document, { strict: true });
  assert.not.ok(strict.valid);
  assert.equal(errorsOf(strict), [[PipelineErrors.UNREACHABLE_STEP, 'steps[2]']]);
  assert.equal(strict.warnings, []);
});

validateSuite('a step whose class or module cannot be resolved is PIPELINE_STEP_UNRESOLVED', async () => {
  const report = await validate(
    doc({
      steps: steps({ id: 'draft', step_class: 'Drafter' }, { id: 'review', step_class: 'Review', module: './steps.mjs' }, { id: 'publish', module: './missing-steps.mjs' }),
      flow: flow('draft', [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'publish' },
      ]),
      outputs: {},
    }),
  );
  assert.equal(errorsOf(report), [
    [PipelineErrors.STEP_UNRESOLVED, 'steps[0].step_class'],
    [PipelineErrors.STEP_UNRESOLVED, 'steps[2].module'],
  ]);
});

validateSuite('steps may come from the module or from extra steps; skipSteps leaves them unchecked', async () => {
  const document = doc({
    steps: steps({ id: 'draft', step_class: 'DraftStep', module: './steps.mjs' }, { id: 'review', step_class: 'Custom' }),
    flow: flow('draft', [{ from: 'draft', to: 'review' }]),
    outputs: {},
  });
  assert.equal(errorsOf(await validate(document)), [[PipelineErrors.STEP_UNRESOLVED, 'steps[1].step_class']]);
  assert.ok((await validate(document, { extraSteps: new Map([['Custom', noop]]) })).valid);
  assert.ok((await validate(document, { skipSteps: true })).valid);
});

validateSuite('a function condition with a missing module is reported at its module field', async () => {
  const report = await validate(
    doc({
      flow: flow('draft', [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'draft', condition: { type: 'function', config: { module: './no-such-condition.mjs' } } },
        { from: 'review', to: 'end', condition: { type: 'function', config: { module: './conditions.mjs' } } },
      ]),
    }),
  );
  assert.equal(errorsOf(report), [[PipelineErrors.BAD_CONDITION, 'flow.transitions[1].condition.config.module']]);
});

validateSuite('in conditions only source and field are paths; other strings are checked when they hold templates', async () => {
  const report = await validate(
    doc({
      flow: flow('draft', [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'draft', condition: { type: 'function', config: { module: './conditions.mjs', parameters: { field: 'user name', note: '{{ parameters.ghost }}' } } } },
        { type: 'x', from: 'review', to: 'end', condition: { type: 'not', condition: { type: 'field_exists', field: 'bad path!' } } },
      ]),
    }),
  );
  assert.equal(errorsOf(report), [
    [PipelineErrors.UNKNOWN_PARAMETER, 'flow.transitions[1].condition.config.parameters.note'],
    [PipelineErrors.BAD_TEMPLATE, 'flow.transitions[2].condition.condition.field'],
  ]);
});

validateSuite.run();
