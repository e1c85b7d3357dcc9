// Normalisation (spec §1): every dialect of parameters, inputs, flow and step classes becomes the
// same canonical model, with the spec's defaults applied.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject } from '#kernel';
import { PipelineErrors } from '../../../plugins/pipeline/errors.js';
import type { PipelineDef } from '../../../plugins/pipeline/model.js';
import { normalise, normaliseParameters } from '../../../plugins/pipeline/normalise.js';
import type { Issue } from '../../../plugins/pipeline/schema.js';
import { resolveTemplate, type Scope } from '../../../plugins/pipeline/templates.js';

const scope: Scope = {
  parameters: { topic: 'ai' },
  input: { user: 'ann' },
  steps: { fetch: { rows: [1, 2] } },
  prev: { text: 'previous' },
};

/** The canonical form of the spec. */
const canonical: JsonObject = {
  name: 'dialects',
  version: '2.0',
  parameters: { topic: { type: 'string', default: 'ai', required: false, description: 'What to write about' }, limit: { type: 'number', required: true } },
  steps: [
    { id: 'fetch', step_class: 'FetchStep', module: './steps.ts', inputs: { topic: '{{ parameters.topic }}', user: '{{ input.user }}' } },
    { id: 'summarise', name: 'Summarise', step_class: 'SummariseStep', inputs: { rows: "{{ steps.fetch.output.rows | 'none' }}" } },
  ],
  flow: {
    start_at: 'fetch',
    transitions: [
      { from: 'fetch', to: 'summarise', condition: { type: 'expression', config: { source: 'result.rows', operator: 'exists' } } },
      { from: 'summarise', to: 'end' },
    ],
  },
};

/** The same pipeline as the original system's files write it. */
const legacy: JsonObject = {
  name: 'dialects',
  version: '2.0',
  parameters: [
    { name: 'topic', schema: { type: 'string' }, default: 'ai', required: false, description: 'What to write about' },
    { name: 'limit', schema: { type: 'number' }, required: true },
  ],
  steps: [
    {
      id: 'fetch',
      class: 'FetchStep',
      module: './steps.ts',
      inputs: [
        { name: 'topic', source: '{parameters.topic}' },
        { name: 'user', source: '{pipeline_input.user}' },
      ],
    },
    { id: 'summarise', name: 'Summarise', class: 'SummariseStep', inputs: [{ name: 'rows', source: "{steps.fetch.output.rows}|{'none'}" }] },
  ],
  flow: {
    start_at: 'fetch',
    paths: [
      { from_step: 'fetch', to_step: 'summarise', condition: { type: 'expression', config: { source: 'result.rows', operator: 'exists' } } },
      { from_step: 'summarise', to_step: 'end' },
    ],
  },
};

/** What a pipeline means, without where it was written: templates are compared by what they resolve to. */
function meaning(def: PipelineDef): unknown {
  return {
    ...def,
    raw: undefined,
    hash: undefined,
    steps: def.steps.map((s) => ({ ...s, inputs: s.inputs?.map((i) => ({ name: i.name, required: i.required, value: resolveTemplate(i.template, scope) })) })),
    flow: { ...def.flow, transitions: def.flow.transitions.map((t) => ({ from: t.from, to: t.to, condition: t.condition })) },
  };
}

const normaliseSuite = suite('normalise');

normaliseSuite('the canonical form and the original dialects normalise to the same model', () => {
  const a = normalise(canonical, '/pipelines');
  const b = normalise(legacy, '/pipelines');
  assert.equal(meaning(a), meaning(b));
  assert.equal(a.parameters, [
    { name: 'topic', required: false, type: 'string', default: 'ai', description: 'What to write about' },
    { name: 'limit', required: true, type: 'number' },
  ]);
  assert.equal(
    a.steps.map((s) => [s.id, s.name, s.step_class, s.module ?? null]),
    [
      ['fetch', 'fetch', 'FetchStep', './steps.ts'],
      ['summarise', 'Summarise', 'SummariseStep', null],
    ],
  );
  assert.equal(a.flow.transitions.map((t) => [t.from, t.to, t.path]), [
    ['fetch', 'summarise', 'flow.transitions[0]'],
    ['summarise', 'end', 'flow.transitions[1]'],
  ]);
  assert.equal(b.flow.transitions.map((t) => t.path), ['flow.paths[0]', 'flow.paths[1]']);
});

normaliseSuite('parameters: name -> default value is an optional parameter with that default', () => {
  assert.equal(normaliseParameters({ topic: 'ai', max_revisions: 3, tags: ['a'], options: { depth: 2 }, empty: {}, nothing: null }), [
    { name: 'topic', required: false, default: 'ai' },
    { name: 'max_revisions', required: false, default: 3 },
    { name: 'tags', required: false, default: ['a'] },
    { name: 'options', required: false, default: { depth: 2 } },
    { name: 'empty', required: false, default: {} },
    { name: 'nothing', required: false, default: null },
  ]);
});

normaliseSuite('parameters: name -> declaration and the array form give the same declarations', () => {
  const object = normaliseParameters({ topic: { type: 'string', default: 'ai' }, count: { required: true }, flag: { default: false, description: 'd' } });
  const array = normaliseParameters([
    { name: 'topic', schema: { type: 'string' }, default: 'ai' },
    { name: 'count', required: true },
    { name: 'flag', default: false, description: 'd' },
  ]);
  assert.equal(object, array);
  assert.equal(object, [
    { name: 'topic', required: false, type: 'string', default: 'ai' },
    { name: 'count', required: true },
    { name: 'flag', required: false, default: false, description: 'd' },
  ]);
  assert.equal(normaliseParameters([{ name: 'x', type: 'integer', schema: { type: 'string' } }]), [{ name: 'x', required: false, type: 'integer' }], 'type wins over schema.type');
});

normaliseSuite('parameters: absent or null means none', () => {
  assert.equal(normaliseParameters(undefined), []);
  assert.equal(normaliseParameters(null), []);
  assert.equal(normalise({ name: 'p', steps: [{ id: 'a' }], flow: { start_at: 'a' } }, '.').parameters, []);
});

normaliseSuite('inputs: the object and array forms give the same inputs, with their JSON paths', () => {
  const def = normalise(
    {
      name: 'p',
      steps: [
        { id: 'a', inputs: { topic: '{{ parameters.topic }}', count: 3 } },
        { id: 'b', inputs: [{ name: 'topic', source: '{parameters.topic}', required: true }, { name: 'count', source: 3 }] },
      ],
      flow: { start_at: 'a' },
    },
    '.',
  );
  const [a, b] = def.steps;
  assert.equal(
    a?.inputs?.map((i) => [i.name, i.source, i.required, i.path, resolveTemplate(i.template, scope)]),
    [
      ['topic', '{{ parameters.topic }}', false, 'steps[0].inputs.topic', 'ai'],
      ['count', '3', false, 'steps[0].inputs.count', 3],
    ],
  );
  assert.equal(
    b?.inputs?.map((i) => [i.name, i.source, i.required, i.path, resolveTemplate(i.template, scope)]),
    [
      ['topic', '{parameters.topic}', true, 'steps[1].inputs[0].source', 'ai'],
      ['count', '3', false, 'steps[1].inputs[1].source', 3],
    ],
  );
});

normaliseSuite('inputs: single braces are a template only in inputs[].source; in the object form they are text', () => {
  const issues: Issue[] = [];
  const def = normalise(
    {
      name: 'p',
      steps: [
        { id: 'a', inputs: { topic: '{parameters.topic}', prose: '{hello world}', json: '{"a":1}' } },
        { id: 'b', inputs: [{ name: 'topic', source: '{parameters.topic}' }] },
      ],
      flow: { start_at: 'a' },
    },
    '.',
    undefined,
    issues,
  );
  assert.equal(issues, []);
  assert.equal(def.steps[0]?.inputs?.map((i) => resolveTemplate(i.template, scope)), ['{parameters.topic}', '{hello world}', '{"a":1}']);
  assert.equal(def.steps[1]?.inputs?.map((i) => resolveTemplate(i.template, scope)), ['ai']);
});

normaliseSuite('inputs: a step without inputs has none (it receives the previous output)', () => {
  const def = normalise({ name: 'p', steps: [{ id: 'a' }], flow: { start_at: 'a' } }, '.');
  assert.not.ok('inputs' in def.steps[0]!);
});

normaliseSuite('a bad template in inputs or outputs is an issue at its path, not a throw', () => {
  const issues: Issue[] = [];
  const def = normalise(
    {
      name: 'p',
      steps: [{ id: 'a', inputs: [{ name: 'x', source: '{{ a b }}' }] }],
      flow: { start_at: 'a' },
      outputs: { final: '{{ a..b }}', fixed: 42 },
    },
    '.',
    undefined,
    issues,
  );
  assert.equal(
    issues.map((i) => [i.code, i.path]),
    [
      [PipelineErrors.BAD_TEMPLATE, 'steps[0].inputs[0].source'],
      [PipelineErrors.BAD_TEMPLATE, 'outputs.final'],
    ],
  );
  assert.ok(issues[0]!.message.includes('a b'), issues[0]!.message);
  assert.equal(def.steps[0]!.inputs![0]!.template, { kind: 'constant', value: '{{ a b }}' });
  assert.equal(def.outputs, { final: { kind: 'constant', value: '{{ a..b }}' }, fixed: { kind: 'constant', value: 42 } });
});

normaliseSuite('outputs are compiled templates', () => {
  const def = normalise({ name: 'p', steps: [{ id: 'fetch' }], flow: { start_at: 'fetch' }, outputs: { rows: '{{ fetch.rows }}', note: 'rows: {{ fetch.rows }}' } }, '.');
  assert.equal(resolveTemplate(def.outputs!['rows']!, scope), [1, 2]);
  assert.equal(resolveTemplate(def.outputs!['note']!, scope), 'rows: [1,2]');
  assert.not.ok('outputs' in normalise({ name: 'p', steps: [{ id: 'a' }], flow: { start_at: 'a' } }, '.'));
});

normaliseSuite('defaults: version 1.0, all_matches routing, retry and loop bounds of the spec, on_error fail', () => {
  const def = normalise({ name: 'p', steps: [{ id: 'a' }], flow: { start_at: 'a' } }, '/base');
  assert.is(def.version, '1.0');
  assert.equal(def.flow, { start_at: 'a', routing: 'all_matches', transitions: [] });
  assert.equal(def.loop_config, { max_iterations: 100, max_loop_time_seconds: 3600, iteration_delay_seconds: 0 });
  assert.equal(def.steps[0], {
    id: 'a',
    name: 'a',
    config: {},
    retry: { max_attempts: 1, initial_delay: 1, max_delay: 60, exponential_base: 2, jitter: true },
    on_error: 'fail',
    path: 'steps[0]',
  });
  assert.is(def.baseDir, '/base');
  assert.not.ok('file' in def);
  assert.not.ok('description' in def);
});

normaliseSuite('declared values override the defaults', () => {
  const doc = {
    name: 'p',
    version: 3,
    description: 'about',
    steps: [{ id: 'a', config: { tone: 'plain' }, retry: { max_attempts: 3, initial_delay: 0.1 }, timeout_ms: 500, on_error: 'continue' }],
    flow: { start_at: 'a', routing: 'first_match' },
    loop_config: { max_iterations: 5, max_loop_time_seconds: 300, iteration_delay_seconds: 0.5 },
  };
  const def = normalise(doc, '/base', '/base/p.json');
  assert.is(def.version, '3');
  assert.is(def.description, 'about');
  assert.is(def.file, '/base/p.json');
  assert.is(def.raw, doc);
  assert.is(def.flow.routing, 'first_match');
  assert.equal(def.loop_config, { max_iterations: 5, max_loop_time_seconds: 300, iteration_delay_seconds: 0.5 });
  const [step] = def.steps;
  assert.equal(step?.config, { tone: 'plain' });
  assert.equal(step?.retry, { max_attempts: 3, initial_delay: 0.1, max_delay: 60, exponential_base: 2, jitter: true });
  assert.is(step?.timeout_ms, 500);
  assert.is(step?.on_error, 'continue');
});

normaliseSuite("the original's config.error_handling applies when the canonical fields are absent", () => {
  const step = (raw: JsonObject) => normalise({ name: 'p', steps: [{ id: 'a', ...raw }], flow: { start_at: 'a' } }, '.').steps[0]!;
  assert.is(step({ config: { error_handling: { continue_on_error: true } } }).on_error, 'continue');
  assert.is(step({ config: { error_handling: { enable_fallback: true, continue_on_error: true } } }).on_error, 'fallback');
  assert.is(step({ config: { error_handling: { continue_on_error: false } } }).on_error, 'fail');
  assert.is(step({ on_error: 'fail', config: { error_handling: { continue_on_error: true } } }).on_error, 'fail', 'on_error wins');
  const retry = step({ config: { error_handling: { retry: { max_attempts: 4, jitter: false } } }, retry: { max_attempts: 2 } }).retry;
  assert.equal(retry, { max_attempts: 2, initial_delay: 1, max_delay: 60, exponential_base: 2, jitter: false }, 'retry wins field by field');
});

normaliseSuite('flow.transitions and flow.paths may both be given; transitions come first', () => {
  const def = normalise({ name: 'p', steps: [{ id: 'a' }, { id: 'b' }], flow: { start_at: 'a', paths: [{ from_step: 'a', to_step: 'b' }], transitions: [{ from: 'b', to: 'end' }] } }, '.');
  assert.equal(def.flow.transitions, [
    { from: 'b', to: 'end', path: 'flow.transitions[0]' },
    { from: 'a', to: 'b', path: 'flow.paths[0]' },
  ]);
});

normaliseSuite.run();
