// The pipeline JSON Schema: every dialect of spec §1 passes, and every violation comes back as a
// PIPELINE_SCHEMA issue with the JSON path of the offending field.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject } from '#kernel';
import { PipelineErrors } from '../../../plugins/pipeline/errors.js';
import { formatIssue, jsonPath, pipelineSchema, schemaIssues } from '../../../plugins/pipeline/schema.js';

const root = new URL('../../../../', import.meta.url);

function pipeline(overrides: JsonObject = {}): JsonObject {
  return {
    name: 'content-review',
    steps: [{ id: 'draft', step_class: 'DraftStep' }],
    flow: { start_at: 'draft', transitions: [{ from: 'draft', to: 'end' }] },
    ...overrides,
  };
}

/** The issues as `path: message` lines, and a check that every one is PIPELINE_SCHEMA. */
function messages(doc: unknown): string[] {
  const issues = schemaIssues(doc);
  for (const issue of issues) assert.is(issue.code, PipelineErrors.SCHEMA);
  return issues.map((i) => `${i.path} | ${i.message}`);
}

const schema = suite('schema');

schema('the canonical example of the spec is valid', () => {
  const doc = {
    name: 'content-review',
    version: '1.0.0',
    description: 'optional',
    parameters: { topic: { type: 'string', default: 'ai' }, max_revisions: 3 },
    steps: [
      {
        id: 'draft',
        step_class: 'DraftStep',
        module: './steps.ts',
        config: { tone: 'plain' },
        inputs: { topic: '{{ parameters.topic }}', notes: "{{ review.feedback | '' }}" },
        retry: { max_attempts: 3, initial_delay: 0.1 },
        on_error: 'fail',
      },
      { id: 'review', step_class: 'ReviewStep', timeout_ms: 5000 },
    ],
    flow: {
      start_at: 'draft',
      transitions: [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'draft', condition: { type: 'expression', config: { source: 'result.approved', operator: 'equals', value: false } } },
        { from: 'review', to: 'end', condition: { type: 'expression', config: { source: 'result.approved', operator: 'equals', value: true } } },
      ],
    },
    loop_config: { max_iterations: 5, max_loop_time_seconds: 300, iteration_delay_seconds: 0 },
    outputs: { final: '{{ draft.text }}' },
  };
  assert.equal(schemaIssues(doc), []);
});

schema('the original dialects are valid: paths, from_step/to_step, class, array parameters and inputs', () => {
  const doc = {
    name: 'legacy',
    version: 1,
    parameters: [{ name: 'topic', schema: { type: 'string' }, required: true }],
    steps: [
      { id: 'fetch', name: 'Fetch data', class: 'FetchStep', module: 'steps.fetch', inputs: [{ name: 'topic', source: '{parameters.topic}', required: true }] },
      { id: 'summarise', class: 'SummariseStep', config: { error_handling: { continue_on_error: true } } },
    ],
    flow: { start_at: 'fetch', routing: 'first_match', paths: [{ from_step: 'fetch', to_step: 'summarise', condition: { type: 'always' } }] },
  };
  assert.equal(schemaIssues(doc), []);
});

schema('numbers out of range name the field: steps[0].retry.max_attempts must be >= 1', () => {
  const doc = pipeline({ steps: [{ id: 'draft', retry: { max_attempts: 0 }, timeout_ms: 0 }], loop_config: { max_iterations: 0, iteration_delay_seconds: -1 } });
  assert.equal(messages(doc), [
    'steps[0].retry.max_attempts | steps[0].retry.max_attempts must be >= 1',
    'steps[0].timeout_ms | steps[0].timeout_ms must be > 0',
    'loop_config.max_iterations | loop_config.max_iterations must be >= 1',
    'loop_config.iteration_delay_seconds | loop_config.iteration_delay_seconds must be >= 0',
  ]);
});

schema('missing required fields are reported at the missing path', () => {
  assert.equal(messages({ flow: {} }), ['name | name is required', 'steps | steps is required', 'flow.start_at | flow.start_at is required']);
  assert.equal(messages(pipeline({ steps: [{ step_class: 'X' }] })), ['steps[0].id | steps[0].id is required']);
  assert.equal(messages(pipeline({ parameters: [{ default: 1 }] })), ['parameters[0].name | parameters[0].name is required']);
  assert.equal(messages(pipeline({ steps: [{ id: 'a', inputs: [{ name: 'topic' }] }] })), ['steps[0].inputs[0].source | steps[0].inputs[0].source is required']);
  assert.equal(messages(pipeline({ flow: { start_at: 'draft', transitions: [{ from: 'draft', to: 'end', condition: { config: {} } }] } })), [
    'flow.transitions[0].condition.type | flow.transitions[0].condition.type is required',
  ]);
});

schema('a value outside an enum lists the allowed values', () => {
  assert.equal(messages(pipeline({ steps: [{ id: 'draft', on_error: 'explode' }], flow: { start_at: 'draft', routing: 'random' } })), [
    'steps[0].on_error | steps[0].on_error must be one of "fail", "continue", "fallback"',
    'flow.routing | flow.routing must be one of "all_matches", "first_match"',
  ]);
});

schema('unknown fields in retry and loop_config are reported (they would be silently ignored otherwise)', () => {
  assert.equal(messages(pipeline({ steps: [{ id: 'draft', retry: { attempts: 3 } }], loop_config: { max_loops: 2 } })), [
    'steps[0].retry.attempts | steps[0].retry.attempts is not a known field here',
    'loop_config.max_loops | loop_config.max_loops is not a known field here',
  ]);
});

schema('a transition needs both ends in one dialect; one summary instead of each branch', () => {
  const doc = pipeline({ flow: { start_at: 'draft', transitions: [{ from: 'draft' }, {}], paths: [{ from_step: 'draft', to: 'end' }] } });
  assert.equal(messages(doc), [
    'flow.transitions[0] | flow.transitions[0] needs "from" and "to" (or "from_step" and "to_step")',
    'flow.transitions[1] | flow.transitions[1] needs "from" and "to" (or "from_step" and "to_step")',
    'flow.paths[0] | flow.paths[0] needs "from" and "to" (or "from_step" and "to_step")',
  ]);
});

schema('wrong types, patterns and lengths are reported with the path', () => {
  assert.equal(messages(pipeline({ name: '', parameters: 5, steps: [{ id: 'has space', inputs: 'topic' }] })), [
    'name | name must NOT have fewer than 1 characters',
    'parameters | parameters must be object,array',
    'steps[0].id | steps[0].id must match pattern "^[A-Za-z0-9_][A-Za-z0-9_-]*$"',
    'steps[0].inputs | steps[0].inputs must be object,array',
  ]);
  assert.equal(messages(pipeline({ steps: [] })), ['steps | steps must NOT have fewer than 1 items']);
  assert.equal(messages(pipeline({ flow: { start_at: 'draft', transitions: [{ from: 1, to: 'end' }] } })), ['flow.transitions[0].from | flow.transitions[0].from must be string']);
});

schema('a document that is not an object is reported at the root', () => {
  assert.equal(messages([]), [' | (root) must be object']);
  assert.equal(messages('name: x'), [' | (root) must be object']);
});

schema('jsonPath turns a JSON pointer into a dotted path with indices', () => {
  assert.is(jsonPath(''), '');
  assert.is(jsonPath('/steps/0/retry'), 'steps[0].retry');
  assert.is(jsonPath('/flow/transitions/12/condition/config'), 'flow.transitions[12].condition.config');
  assert.is(jsonPath('/0/a'), '[0].a');
  assert.is(jsonPath('/outputs/a~1b/c~0d'), 'outputs.a/b.c~d');
});

schema('the validator uses the very schema shipped as weft/pipeline.schema.json', () => {
  const shipped = JSON.parse(readFileSync(new URL('plugins/pipeline/pipeline.schema.json', root), 'utf8')) as unknown;
  assert.equal(pipelineSchema, shipped);
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { exports: Record<string, unknown> };
  assert.is(pkg.exports['./pipeline.schema.json'], './plugins/pipeline/pipeline.schema.json');
});

schema('formatIssue prefixes the path unless the message already starts with it', () => {
  const code = PipelineErrors.SCHEMA;
  assert.is(formatIssue({ code, path: 'steps[0].id', message: 'step id "a" is already used' }), 'steps[0].id: step id "a" is already used');
  assert.is(formatIssue({ code, path: 'name', message: 'name is required' }), 'name is required');
  assert.is(formatIssue({ code, path: '', message: '(root) must be object' }), '(root) must be object');
});

schema.run();
