// Preparing a pipeline for execution: conditions compiled per transition, steps resolved, problems
// gathered into one PIPELINE_INVALID error that lists each with its path and code.
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importModule, WeftError, type JsonObject, type StepImplementation } from '#kernel';
import { builtinConditionTypes, type ConditionEnv, type ConditionType } from '../../../plugins/pipeline/conditions.js';
import { PipelineErrors } from '../../../plugins/pipeline/errors.js';
import { buildGraph } from '../../../plugins/pipeline/graph.js';
import type { PipelineDef } from '../../../plugins/pipeline/model.js';
import { normalise } from '../../../plugins/pipeline/normalise.js';
import { BUILTIN_OPERATORS } from '../../../plugins/pipeline/operators.js';
import { compileConditions, invalid, prepare, resolveSteps, type Registries } from '../../../plugins/pipeline/prepare.js';
import { materialise } from '../../../plugins/pipeline/templates.js';

const units = fileURLToPath(new URL('../../../../test/fixtures/pipelines/units/', import.meta.url));

/** Condition types a plugin might register, failing in the ways foreign code fails. */
const foreignTypes: Record<string, ConditionType> = {
  throws_error: () => {
    throw new Error('the plugin condition is misconfigured');
  },
  throws_value: () => {
    throw 'a thrown string';
  },
  rejects_later: (_config, tools) => {
    tools.pending.push(Promise.reject(new Error('remote check failed')));
    return () => ({ held: true });
  },
};

function registries(steps: Record<string, StepImplementation> = {}): Registries {
  return {
    steps: new Map(Object.entries(steps)),
    conditionTypes: { ...builtinConditionTypes(new Map()), ...foreignTypes },
    operators: BUILTIN_OPERATORS,
    load: importModule,
  };
}

const draftStep: StepImplementation = async (input) => ({ text: `about ${String(input['topic'])}` });
class ReviewStep {
  run(input: JsonObject): JsonObject {
    return { approved: input['text'] !== undefined };
  }
}

function def(transitions: JsonObject[], steps: JsonObject[] = [{ id: 'draft', step_class: 'DraftStep' }, { id: 'review', step_class: 'ReviewStep' }]): PipelineDef {
  return normalise({ name: 'review-loop', parameters: { topic: 'ai' }, steps, flow: { start_at: 'draft', transitions } }, units);
}

const reviewLoop = (): PipelineDef =>
  def([
    { from: 'draft', to: 'review' },
    { from: 'review', to: 'draft', condition: { type: 'expression', config: { source: 'result.approved', operator: 'equals', value: false } } },
    { from: 'review', to: 'end', condition: { type: 'expression', config: { source: 'result.approved', value: true } } },
  ]);

function env(prev: JsonObject): ConditionEnv {
  return { scope: { parameters: {}, input: {}, steps: {}, prev }, run_id: 'r', step_id: 'review', signal: new AbortController().signal, service: () => undefined };
}

async function invalidError(work: Promise<unknown>): Promise<WeftError> {
  try {
    await work;
  } catch (e: unknown) {
    assert.instance(e, WeftError);
    assert.is((e as WeftError).code, PipelineErrors.INVALID);
    return e as WeftError;
  }
  throw new Error('expected PIPELINE_INVALID');
}

const prepareSuite = suite('prepare');

prepareSuite('compileConditions compiles each transition condition, undefined where there is none', async () => {
  const d = reviewLoop();
  const { conditions, issues } = await compileConditions(d, buildGraph(d), registries());
  assert.equal(issues, []);
  assert.is(conditions.length, 3);
  assert.is(conditions[0], undefined);
  assert.equal((await conditions[1]!(env({ approved: false }))).held, true);
  assert.equal((await conditions[2]!(env({ approved: false }))).held, false);
});

prepareSuite('compileConditions reports each bad condition as an issue at its path', async () => {
  const d = def([
    { from: 'draft', to: 'review', condition: { type: 'expression', config: { source: 'result.x', operator: 'approx', value: 1 } } },
    { from: 'draft', to: 'end', condition: { type: 'expression', config: { source: 'result.a b' } } },
    { from: 'review', to: 'end', condition: { type: 'nope' } },
  ]);
  const { conditions, issues } = await compileConditions(d, buildGraph(d), registries());
  assert.equal(conditions, [undefined, undefined, undefined]);
  assert.equal(
    issues.map((i) => [i.code, i.path]),
    [
      [PipelineErrors.UNKNOWN_OPERATOR, 'flow.transitions[0].condition.config.operator'],
      [PipelineErrors.BAD_TEMPLATE, 'flow.transitions[1].condition'],
      [PipelineErrors.UNKNOWN_CONDITION, 'flow.transitions[2].condition.type'],
    ],
  );
});

prepareSuite('a function condition whose module or export is missing is reported at that field', async () => {
  const d = def([
    { from: 'draft', to: 'review', condition: { type: 'function', config: { module: './no-such-condition.mjs' } } },
    { from: 'review', to: 'end', condition: { type: 'function', config: { module: './conditions.mjs', export: 'nope' } } },
    { from: 'review', to: 'draft', condition: { type: 'function', config: { module: './conditions.ts', export: 'approved' } } },
  ]);
  const { issues } = await compileConditions(d, buildGraph(d), registries());
  assert.equal(
    issues.map((i) => [i.code, i.path]),
    [
      [PipelineErrors.BAD_CONDITION, 'flow.transitions[0].condition.config.module'],
      [PipelineErrors.BAD_CONDITION, 'flow.transitions[1].condition.config.export'],
    ],
  );
  assert.ok(issues[0]!.message.includes('./no-such-condition.mjs'), issues[0]!.message);
  assert.ok(issues[1]!.message.includes('"nope"'), issues[1]!.message);
});

prepareSuite('foreign condition types that throw anything are reported, not crashed on', async () => {
  const d = def([
    { from: 'draft', to: 'review', condition: { type: 'throws_error' } },
    { from: 'draft', to: 'end', condition: { type: 'throws_value' } },
    { from: 'review', to: 'end', condition: { type: 'rejects_later' } },
  ]);
  const { issues } = await compileConditions(d, buildGraph(d), registries());
  assert.equal(issues, [
    { code: PipelineErrors.BAD_CONDITION, message: 'the plugin condition is misconfigured', path: 'flow.transitions[0].condition' },
    { code: PipelineErrors.BAD_CONDITION, message: 'a thrown string', path: 'flow.transitions[1].condition' },
    { code: PipelineErrors.BAD_CONDITION, message: 'remote check failed', path: 'flow' },
  ]);
});

prepareSuite('resolveSteps resolves every step and reports each that cannot be', async () => {
  const d = def([], [
    { id: 'draft', step_class: 'DraftStep' },
    { id: 'review', step_class: 'review', module: './steps.mjs' },
    { id: 'ghost', step_class: 'Ghost' },
  ]);
  const { impls, issues } = await resolveSteps(d, (name) => (name === 'DraftStep' ? draftStep : undefined), importModule);
  assert.equal([...impls.keys()].sort(), ['draft', 'review']);
  assert.is(impls.get('draft'), draftStep);
  assert.equal(issues.map((i) => [i.code, i.path]), [[PipelineErrors.STEP_UNRESOLVED, 'steps[2].step_class']]);
});

prepareSuite('prepare gives each step its implementation, compiled config, edges and place in the graph', async () => {
  const d = def(
    [
      { from: 'draft', to: 'review' },
      { from: 'review', to: 'draft', condition: { type: 'expression', config: { source: 'result.approved', value: false } } },
      { from: 'review', to: 'end' },
    ],
    [
      { id: 'draft', step_class: 'DraftStep', config: { tone: 'plain', topic: '{{ parameters.topic }}' } },
      { id: 'review', step_class: 'ReviewStep' },
    ],
  );
  const prepared = await prepare(d, registries({ DraftStep: draftStep }), new Map([['ReviewStep', ReviewStep as StepImplementation]]));
  assert.is(prepared.def, d);
  assert.equal([...prepared.steps.keys()], ['draft', 'review']);
  const draft = prepared.steps.get('draft')!;
  const review = prepared.steps.get('review')!;
  assert.is(draft.impl, draftStep);
  assert.is(draft.isClass, false);
  assert.is(review.impl, ReviewStep);
  assert.is(review.isClass, true);
  assert.equal(materialise(draft.config, { parameters: { topic: 'ml' }, input: {}, steps: {}, prev: undefined }), { tone: 'plain', topic: 'ml' });
  assert.is(review.config.dynamic, false);
  assert.is(draft.loopEntry, true);
  assert.is(review.loopEntry, false);
  assert.equal(review.forwardIn.map((e) => e.def.from), ['draft']);
  assert.equal(review.outgoing.map((e) => [e.def.to, e.back, 'condition' in e]), [
    ['draft', true, true],
    ['end', false, false],
  ]);
  assert.ok((await review.outgoing[0]!.condition!(env({ approved: false }))).held);
});

prepareSuite('extra steps given to prepare win over registered ones', async () => {
  const other: StepImplementation = async () => ({});
  const prepared = await prepare(def([{ from: 'draft', to: 'end' }], [{ id: 'draft', step_class: 'DraftStep' }]), registries({ DraftStep: draftStep }), new Map([['DraftStep', other]]));
  assert.is(prepared.steps.get('draft')!.impl, other);
  const defaults = await prepare(def([{ from: 'draft', to: 'end' }], [{ id: 'draft', step_class: 'DraftStep' }]), registries({ DraftStep: draftStep }));
  assert.is(defaults.steps.get('draft')!.impl, draftStep);
});

prepareSuite('prepare throws one PIPELINE_INVALID listing condition and step problems', async () => {
  const d = def([{ from: 'draft', to: 'review', condition: { type: 'sometimes' } }], [{ id: 'draft', step_class: 'DraftStep' }, { id: 'review', step_class: 'Missing' }]);
  const error = await invalidError(prepare(d, registries({ DraftStep: draftStep })));
  const issues = error.data['issues'] as Array<{ code: string; path: string }>;
  assert.equal(
    issues.map((i) => [i.code, i.path]),
    [
      [PipelineErrors.UNKNOWN_CONDITION, 'flow.transitions[0].condition.type'],
      [PipelineErrors.STEP_UNRESOLVED, 'steps[1].step_class'],
    ],
  );
  assert.ok(error.message.startsWith('review-loop is not a valid pipeline:\n'), error.message);
  assert.ok(error.message.includes(`[${PipelineErrors.STEP_UNRESOLVED}]`), error.message);
});

prepareSuite('invalid names the file (or the pipeline) and puts each issue on its own line', () => {
  const issues = [
    { code: PipelineErrors.SCHEMA, path: 'name', message: 'name is required' },
    { code: PipelineErrors.DUPLICATE_STEP, path: 'steps[1].id', message: 'step id "a" is already used by steps[0]' },
    { code: PipelineErrors.SCHEMA, path: '', message: '(root) must be object' },
  ];
  const error = invalid({ name: 'p', file: '/x/p.json' }, issues);
  assert.is(
    error.message,
    [
      '/x/p.json is not a valid pipeline:',
      `  name is required [${PipelineErrors.SCHEMA}]`,
      `  steps[1].id: step id "a" is already used by steps[0] [${PipelineErrors.DUPLICATE_STEP}]`,
      `  (root) must be object [${PipelineErrors.SCHEMA}]`,
    ].join('\n'),
  );
  assert.equal(error.data, { file: '/x/p.json', issues });
  assert.ok(invalid({ name: 'p' }, issues).message.startsWith('p is not a valid pipeline:'));
});

prepareSuite.run();
