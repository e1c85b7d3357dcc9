// Templates (spec §3): roots, whole-string vs interpolated resolution, alternatives, single-brace
// sources, and the coded error for a template that cannot be parsed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WeftError } from '#kernel';
import { PipelineErrors } from '../../../plugins/pipeline/errors.js';
import {
  compileSource,
  compileTemplate,
  compileValue,
  evaluate,
  materialise,
  parseExpression,
  readPath,
  resolveTemplate,
  templateRefs,
  type Scope,
} from '../../../plugins/pipeline/templates.js';

const stepIds: ReadonlySet<string> = new Set(['draft', 'review', 'fetch-data']);

function scope(overrides: Partial<Scope> = {}): Scope {
  return {
    parameters: { topic: 'ai', max: 3, zero: 0, empty: '', off: false },
    input: { user: 'ann', topic: 'from-input' },
    steps: { draft: { text: 'hello', meta: { words: 2 }, tags: ['a', 'b'] }, 'fetch-data': { rows: [{ id: 7 }] } },
    prev: { approved: true, score: 0.8, feedback: null },
    ...overrides,
  };
}

const resolve = (text: string, s: Scope = scope()): unknown => resolveTemplate(compileTemplate(text, stepIds), s);
const source = (text: unknown, s: Scope = scope()): unknown => resolveTemplate(compileSource(text, stepIds), s);

function badTemplate(fn: () => unknown, mentions: string): void {
  try {
    fn();
  } catch (e: unknown) {
    assert.instance(e, WeftError);
    assert.is((e as WeftError).code, PipelineErrors.BAD_TEMPLATE);
    assert.ok((e as WeftError).message.includes(mentions), (e as WeftError).message);
    return;
  }
  assert.unreachable(`expected PIPELINE_BAD_TEMPLATE mentioning ${mentions}`);
}

const templates = suite('templates');

templates('a string without {{ is a constant and resolves to itself', () => {
  assert.equal(compileTemplate('plain text', stepIds), { kind: 'constant', value: 'plain text' });
  assert.is(resolve('single {brace} is not a template here'), 'single {brace} is not a template here');
});

templates('parameters.x reads the run-time parameter values', () => {
  assert.is(resolve('{{ parameters.topic }}'), 'ai');
  assert.equal(resolve('{{ parameters }}'), scope().parameters);
});

templates('pipeline_input.x and input.x read the run input', () => {
  assert.is(resolve('{{ pipeline_input.user }}'), 'ann');
  assert.is(resolve('{{ input.user }}'), 'ann');
  assert.is(resolve('{{ input.topic }}'), 'from-input');
});

templates('steps.ID.output.x, steps.ID.x and ID.x read the latest output of step ID', () => {
  for (const text of ['{{ steps.draft.output.text }}', '{{ steps.draft.text }}', '{{ draft.text }}', '{{ step_results.draft.result.text }}']) {
    assert.is(resolve(text), 'hello', text);
  }
  assert.equal(resolve('{{ steps.draft }}'), scope().steps['draft']);
  assert.equal(resolve('{{ steps.draft.output }}'), scope().steps['draft']);
});

templates('step ids may contain hyphens and paths may index arrays', () => {
  assert.is(resolve('{{ fetch-data.rows[0].id }}'), 7);
  assert.is(resolve('{{ steps.fetch-data.output.rows.0.id }}'), 7);
  assert.is(resolve('{{ draft.tags[1] }}'), 'b');
});

templates('result.x, bare x and pipeline_data.x read the previous step output', () => {
  assert.is(resolve('{{ result.score }}'), 0.8);
  assert.is(resolve('{{ score }}'), 0.8);
  assert.is(resolve('{{ pipeline_data.approved }}'), true);
  assert.is(resolve('{{ score }}', scope({ prev: undefined })), undefined);
});

templates('a string that is exactly one template keeps the value type', () => {
  assert.is(resolve('{{ parameters.max }}'), 3);
  assert.is(resolve('{{result.approved}}'), true);
  assert.equal(resolve('{{ draft.meta }}'), { words: 2 });
  assert.equal(resolve('{{ draft.tags }}'), ['a', 'b']);
  assert.is(resolve('{{ feedback }}'), null);
  assert.equal(compileTemplate('{{ draft.text }}', stepIds).kind, 'whole');
});

templates('a template inside a longer string is stringified into it', () => {
  assert.is(resolve('max={{ parameters.max }}'), 'max=3');
  assert.is(resolve('{{ draft.text }}, {{ input.user }}!'), 'hello, ann!');
  assert.is(resolve('meta: {{ draft.meta }} tags: {{ draft.tags }}'), 'meta: {"words":2} tags: ["a","b"]');
  assert.is(resolve('[{{ feedback }}][{{ steps.review.output.x }}]'), '[][]');
  assert.is(resolve(' {{ parameters.max }} '), ' 3 ', 'surrounding text, even spaces, makes it a string');
  assert.is(resolve('approved: {{ approved }}'), 'approved: true');
});

templates('a | b | literal takes the first value that is neither undefined nor null', () => {
  assert.is(resolve('{{ review.feedback | draft.text }}'), 'hello');
  assert.is(resolve("{{ review.feedback | feedback | 'none' }}"), 'none');
  assert.is(resolve('{{ review.feedback | "double" }}'), 'double');
  assert.is(resolve('{{ parameters.topic | "unused" }}'), 'ai');
  assert.is(resolve('{{ review.a | review.b }}'), undefined);
  assert.is(resolve('{{ review.a | feedback }}'), null, 'the last alternative is returned when none is defined');
});

templates('falsy but defined values win over later alternatives', () => {
  assert.is(resolve("{{ parameters.zero | 'x' }}"), 0);
  assert.is(resolve("{{ parameters.empty | 'x' }}"), '');
  assert.is(resolve("{{ parameters.off | 'x' }}"), false);
});

templates('literals: quoted strings (pipes inside kept), numbers, true, false, null', () => {
  assert.is(resolve("{{ missing | 'a|b' }}"), 'a|b');
  assert.is(resolve('{{ missing | "x | y" }}'), 'x | y');
  assert.is(resolve('{{ missing | 42 }}'), 42);
  assert.is(resolve('{{ missing | -1.5 }}'), -1.5);
  assert.is(resolve('{{ missing | true }}'), true);
  assert.is(resolve('{{ missing | false }}'), false);
  assert.is(resolve('{{ missing | null }}'), null);
  assert.is(resolve("{{ '' }}"), '');
});

templates('a step that has not run, or an unknown step, resolves to undefined', () => {
  assert.is(resolve('{{ review.approved }}'), undefined);
  assert.is(resolve('{{ steps.review.output.approved }}'), undefined);
  assert.is(resolve('{{ steps.nope.output.x }}'), undefined);
  assert.is(resolve('{{ nope.x }}'), undefined);
  assert.is(resolve('topic: {{ review.topic }}'), 'topic: ');
});

templates('paths stop at missing fields, primitives and inherited properties', () => {
  assert.is(resolve('{{ draft.meta.missing.deeper }}'), undefined);
  assert.is(resolve('{{ draft.text.length }}'), undefined);
  assert.is(resolve('{{ draft.constructor }}'), undefined);
  assert.is(resolve('{{ feedback.x }}'), undefined);
});

templates('a template that cannot be parsed is PIPELINE_BAD_TEMPLATE naming the text', () => {
  badTemplate(() => compileTemplate('{{ }}', stepIds), 'Cannot parse ""');
  badTemplate(() => compileTemplate('{{ a b }}', stepIds), 'a b');
  badTemplate(() => compileTemplate('{{ a..b }}', stepIds), 'a..b');
  badTemplate(() => compileTemplate('{{ draft.text | }}', stepIds), 'draft.text |');
  badTemplate(() => compileTemplate('{{ steps }}', stepIds), 'steps');
  badTemplate(() => compileTemplate('{{ step_results }}', stepIds), 'step_results');
  badTemplate(() => compileTemplate('{{ draft.text', stepIds), 'Unclosed "{{" in template "{{ draft.text"');
  badTemplate(() => compileTemplate('{{ a }} then {{ b', stepIds), 'Unclosed');
});

templates('compileSource: a non-string source is a constant of that value', () => {
  assert.equal(compileSource(3, stepIds), { kind: 'constant', value: 3 });
  assert.equal(source({ a: 1 }), { a: 1 });
});

templates('compileSource: {path} and {a}|{b} single-brace forms keep the value type', () => {
  assert.is(source('{parameters.topic}'), 'ai');
  assert.is(source('{parameters.max}'), 3);
  assert.equal(source('{steps.draft.output.meta}'), { words: 2 });
  assert.is(source('{review.feedback}|{parameters.topic}'), 'ai');
  assert.is(source('  {review.feedback} | {draft.text}  '), 'hello');
  assert.is(source("{review.feedback}|{'fallback'}"), 'fallback');
});

templates('compileSource: {{ }} templates work there too; other strings are constants', () => {
  assert.is(source('{{ parameters.topic }}'), 'ai');
  assert.is(source('about {{ parameters.topic }}'), 'about ai');
  assert.is(source('plain'), 'plain');
  assert.is(source('text {parameters.topic}'), 'text {parameters.topic}');
});

templates('compileSource: a bad single-brace reference is PIPELINE_BAD_TEMPLATE', () => {
  badTemplate(() => compileSource('{not a path}', stepIds), 'not a path');
});

templates('parseExpression trims and lists alternatives', () => {
  assert.equal(parseExpression(' draft.text | score | 1 ', stepIds), {
    text: 'draft.text | score | 1',
    alternatives: [
      { kind: 'ref', root: 'step', step: 'draft', path: ['text'], text: 'draft.text' },
      { kind: 'ref', root: 'bare', path: ['score'], text: 'score' },
      { kind: 'literal', value: 1 },
    ],
  });
});

templates('evaluate returns the first defined alternative of an expression', () => {
  assert.is(evaluate(parseExpression('review.x | input.user', stepIds), scope()), 'ann');
});

templates('readPath walks own properties only', () => {
  assert.equal(readPath({ a: [1, { b: 2 }] }, ['a', '1', 'b']), 2);
  assert.equal(readPath({ a: 1 }, []), { a: 1 });
  assert.is(readPath(null, ['a']), undefined);
  assert.is(readPath({}, ['toString']), undefined);
});

templates('compileValue: values without templates stay constant (same object)', () => {
  const config = { tone: 'plain', list: [1, 'two'], nested: { n: null } };
  const compiled = compileValue(config, stepIds);
  assert.is(compiled.dynamic, false);
  assert.is(materialise(compiled, scope()), config);
  assert.equal(compileValue(5, stepIds), { dynamic: false, value: 5 });
  assert.equal(compileValue(null, stepIds), { dynamic: false, value: null });
  assert.equal(compileValue('text', stepIds), { dynamic: false, value: 'text' });
});

templates('compileValue: templates in nested strings resolve, keeping whole-template types', () => {
  const compiled = compileValue({ topic: '{{ parameters.topic }}', limits: [1, '{{ parameters.max }}'], label: 'n={{ parameters.max }}', fixed: { a: 1 } }, stepIds);
  assert.is(compiled.dynamic, true);
  assert.equal(materialise(compiled, scope()), { topic: 'ai', limits: [1, 3], label: 'n=3', fixed: { a: 1 } });
  assert.is(materialise(compileValue('{{ parameters.max }}', stepIds), scope()), 3);
});

templates('templateRefs lists the references of whole and interpolated templates', () => {
  assert.equal(
    templateRefs(compileTemplate("{{ draft.text | 'x' }}", stepIds)).map((r) => r.text),
    ['draft.text'],
  );
  assert.equal(
    templateRefs(compileTemplate('a {{ parameters.topic }} b {{ input.user }}', stepIds)).map((r) => [r.root, r.text]),
    [
      ['parameters', 'parameters.topic'],
      ['input', 'input.user'],
    ],
  );
  assert.equal(templateRefs(compileTemplate('constant', stepIds)), []);
});

templates('a lone name that is also a step id reads the previous output\'s field first, else that step\'s output', () => {
  const s = scope({ steps: { review: { approved: true } }, prev: { review: 7 } });
  assert.is(resolve('{{ review }}', s), 7);
  assert.equal(resolve('{{ review }}', scope({ steps: { review: { approved: true } }, prev: { other: 1 } })), { approved: true });
  assert.equal(resolve('{{ review }}', scope({ steps: { review: { approved: true } }, prev: undefined })), { approved: true });
  assert.is(resolve('{{ review.approved }}', s), true);
});

templates.run();
