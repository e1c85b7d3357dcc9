// Conditions (spec §4): every built-in type compiled and evaluated as the engine does, with coded
// errors naming the condition's JSON path. The `llm` service behind `agent` is a small fake (leaf I/O);
// function conditions load real module files through the kernel's importModule.
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importModule, WeftError, type JsonObject, type LlmRequest, type LlmResponse, type LlmService } from '#kernel';
import { builtinConditionTypes, compileCondition, conditionDef, type CompiledCondition, type ConditionEnv, type PluginCondition } from '../../../plugins/pipeline/conditions.js';
import { PipelineErrors } from '../../../plugins/pipeline/errors.js';
import { BUILTIN_OPERATORS } from '../../../plugins/pipeline/operators.js';
import type { Scope } from '../../../plugins/pipeline/templates.js';

const units = fileURLToPath(new URL('../../../../test/fixtures/pipelines/units/', import.meta.url));
const PATH = 'flow.transitions[0].condition';

/** An `llm` service answering with fixed text; records every request. */
class FakeLlm implements LlmService {
  readonly requests: LlmRequest[] = [];
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  generate(request: LlmRequest): Promise<LlmResponse> {
    this.requests.push(request);
    return Promise.resolve({ text: this.#text, provider: request.provider ?? 'fake' });
  }
}

const pluginCalls: JsonObject[] = [];
const pluginConditions = new Map<string, PluginCondition>([
  [
    'has-tag',
    (config, env) => {
      pluginCalls.push(config);
      const tags = (env.scope.prev?.['tags'] ?? []) as unknown[];
      return Promise.resolve(tags.includes(config['tag']));
    },
  ],
]);
const types = builtinConditionTypes(pluginConditions);

interface Compiled {
  condition: CompiledCondition;
  /** Module imports the compile started (as validation would await them). */
  pending: Array<Promise<unknown>>;
}

function compile(raw: unknown, registered = types): Compiled {
  const pending: Array<Promise<unknown>> = [];
  const condition = compileCondition(raw, PATH, registered, BUILTIN_OPERATORS, {
    stepIds: new Set(['draft', 'review']),
    parameterNames: new Set(['topic', 'min', 'strict', 'threshold']),
    load: (specifier) => importModule(specifier, units),
    pending,
  });
  return { condition, pending };
}

function scope(prev: JsonObject | undefined): Scope {
  return {
    parameters: { topic: 'ai', min: '0.5', strict: false, threshold: '10' },
    input: { user: 'ann' },
    steps: { draft: { text: 'hello' } },
    prev,
  };
}

function env(prev: JsonObject | undefined = {}, services: Record<string, unknown> = {}): ConditionEnv {
  return {
    scope: scope(prev),
    run_id: 'run-1',
    step_id: 'review',
    signal: new AbortController().signal,
    service: <T>(key: string): T | undefined => services[key] as T | undefined,
  };
}

async function holds(raw: unknown, prev: JsonObject | undefined = {}, services: Record<string, unknown> = {}): Promise<boolean> {
  const { condition, pending } = compile(raw);
  await Promise.all(pending);
  return (await condition(env(prev, services))).held;
}

function expression(operator: string, value: unknown, source = 'result.value'): JsonObject {
  return { type: 'expression', config: { source, operator, value: value as never } };
}

function codeOf(fn: () => unknown): { code: string; path: string | undefined; message: string } {
  try {
    fn();
  } catch (e: unknown) {
    assert.instance(e, WeftError);
    const error = e as WeftError;
    return { code: error.code, path: error.path, message: error.message };
  }
  throw new Error('expected a WeftError');
}

async function rejection(promise: Promise<unknown>): Promise<WeftError> {
  try {
    await promise;
  } catch (e: unknown) {
    assert.instance(e, WeftError);
    return e as WeftError;
  }
  throw new Error('expected a rejection');
}

const agentYes = (confidence: number, answer: unknown = 'yes'): string => JSON.stringify({ answer, confidence, reasoning: 'looks fine' });

const conditions = suite('conditions');

conditions('always holds', async () => {
  assert.ok(await holds({ type: 'always' }));
  assert.ok(await holds({ type: 'always', config: {} }, undefined));
});

conditions('expression applies operator(value at source, value) and reports what it compared', async () => {
  const { condition } = compile({ type: 'expression', config: { source: 'result.approved', operator: 'equals', value: true } });
  assert.equal(await condition(env({ approved: true })), { held: true, values: { source: 'result.approved', actual: true, operator: 'equals', expected: true } });
  assert.is((await condition(env({ approved: 'true' }))).held, false, 'true is not "true"');
  assert.is((await condition(env({ approved: false }))).held, false);
});

conditions('expression without operator means equals', async () => {
  assert.ok(await holds({ type: 'expression', config: { source: 'result.status', value: 'done' } }, { status: 'done' }));
  assert.not.ok(await holds({ type: 'expression', config: { source: 'result.status', value: 'done' } }, { status: 'todo' }));
});

conditions('expression sources: result.x, bare x, {{ template }}, step outputs and alternatives', async () => {
  const prev = { approved: true };
  assert.ok(await holds(expression('equals', true, 'approved'), prev));
  assert.ok(await holds(expression('equals', true, '{{ result.approved }}'), prev));
  assert.ok(await holds(expression('equals', 'hello', 'steps.draft.output.text'), prev));
  assert.ok(await holds(expression('equals', 'hello', 'draft.text'), prev));
  assert.ok(await holds(expression('equals', 'ai', 'parameters.topic'), prev));
  assert.ok(await holds(expression('equals', 'ann', 'pipeline_input.user'), prev));
  assert.ok(await holds(expression('equals', 'fallback', "review.note | 'fallback'"), prev));
});

conditions('expression value may be a template; a numeric string there is coerced for ordering', async () => {
  assert.ok(await holds(expression('>=', '{{ parameters.min }}', 'result.score'), { score: 0.8 }));
  assert.not.ok(await holds(expression('>=', '{{ parameters.min }}', 'result.score'), { score: 0.2 }));
  assert.ok(await holds(expression('gt', '{{ parameters.threshold }}', 'result.count'), { count: 11 }));
  assert.ok(await holds(expression('equals', '{{ steps.draft.output.text }}', 'result.text'), { text: 'hello' }));
  assert.not.ok(await holds(expression('equals', '{{ parameters.threshold }}', 'result.count'), { count: 10 }), 'equality does not coerce');
});

conditions('regex in an expression matches anywhere unless anchored; an invalid one is false', async () => {
  assert.ok(await holds(expression('regex', 'fail', 'result.value'), { value: 'build failed' }));
  assert.not.ok(await holds(expression('regex', '^fail', 'result.value'), { value: 'build failed' }));
  assert.not.ok(await holds(expression('regex', '(', 'result.value'), { value: 'build failed' }));
});

conditions('a missing source makes every operator false except exists and not_exists, without throwing', async () => {
  // Values for which the operator alone would say true of undefined, so the guard is what makes them false.
  const values: Record<string, unknown> = { in: ['x'], not_in: ['x'], contains: 'x', regex: '.*', startswith: '', endswith: '', equals_ignore_case: 'undefined' };
  for (const name of Object.keys(BUILTIN_OPERATORS)) {
    const { condition } = compile(expression(name, name in values ? values[name] : 1, 'result.missing'));
    const held = (await condition(env({ other: 1 }))).held;
    if (name === 'not_exists') assert.ok(held, name);
    else assert.not.ok(held, name);
  }
  assert.not.ok(await holds(expression('!=', 1, 'result.missing'), undefined), 'no previous output at all');
  assert.ok(await holds(expression('not_exists', null, 'result.missing'), undefined));
});

conditions('exists sees a present value, including falsy ones; null counts as missing', async () => {
  assert.ok(await holds(expression('exists', null, 'result.n'), { n: 0 }));
  assert.not.ok(await holds(expression('exists', null, 'result.n'), { n: null }));
  assert.ok(await holds(expression('not_exists', null, 'result.n'), { n: null }));
});

conditions('threshold_condition is expression with field as the source', async () => {
  const raw = { type: 'threshold_condition', config: { field: 'result.score', operator: 'greater_than', value: '{{ parameters.min }}' } };
  assert.ok(await holds(raw, { score: 0.9 }));
  assert.not.ok(await holds(raw, { score: 0.1 }));
  assert.not.ok(await holds(raw, {}));
  const { condition } = compile(raw);
  assert.equal((await condition(env({ score: 0.9 }))).values, { source: 'result.score', actual: 0.9, operator: 'greater_than', expected: '0.5' });
});

conditions('field_* types are sugar with a fixed operator', async () => {
  assert.ok(await holds({ type: 'field_equals', config: { field: 'result.status', value: 'ok' } }, { status: 'ok' }));
  assert.not.ok(await holds({ type: 'field_equals', config: { field: 'result.status', value: 'ok', operator: '!=' } }, { status: 'no' }), 'operator is ignored');
  assert.ok(await holds({ type: 'field_exists', config: { field: 'result.status' } }, { status: '' }));
  assert.not.ok(await holds({ type: 'field_exists', config: { field: 'result.status' } }, {}));
  assert.ok(await holds({ type: 'field_greater_than', config: { field: 'result.n', value: 2 } }, { n: 3 }));
  assert.not.ok(await holds({ type: 'field_greater_than', config: { field: 'result.n', value: 2 } }, { n: 2 }));
  assert.ok(await holds({ type: 'field_less_than', config: { field: 'result.n', value: '2' } }, { n: 1 }));
  assert.not.ok(await holds({ type: 'field_less_than', config: { field: 'result.n', value: 2 } }, {}));
});

conditions('condition fields may be written inline instead of under config; config wins', async () => {
  assert.ok(await holds({ type: 'expression', source: 'result.ok', operator: '==', value: true }, { ok: true }));
  assert.equal(conditionDef({ type: 'expression', source: 'a', config: { source: 'b' } }, PATH), { type: 'expression', config: { source: 'b' } });
});

conditions('expression config errors are coded and name the JSON path', () => {
  assert.equal(codeOf(() => compile({ type: 'expression', config: { operator: 'equals', value: 1 } })).path, `${PATH}.config.source`);
  assert.is(codeOf(() => compile({ type: 'expression', config: { source: '  ', value: 1 } })).code, PipelineErrors.BAD_CONDITION);
  assert.equal(codeOf(() => compile({ type: 'threshold_condition', config: { source: 'result.x', value: 1 } })).path, `${PATH}.config.field`);
  const unknownOp = codeOf(() => compile(expression('approximately', 1)));
  assert.is(unknownOp.code, PipelineErrors.UNKNOWN_OPERATOR);
  assert.is(unknownOp.path, `${PATH}.config.operator`);
  assert.ok(unknownOp.message.includes('"approximately"') && unknownOp.message.includes('equals'), unknownOp.message);
  assert.is(codeOf(() => compile(expression(5 as never, 1))).code, PipelineErrors.UNKNOWN_OPERATOR);
  assert.is(codeOf(() => compile(expression('equals', 1, 'result.a b'))).code, PipelineErrors.BAD_TEMPLATE);
  assert.is(codeOf(() => compile(expression('equals', 1, 'x {{ result.a }}'))).code, PipelineErrors.BAD_TEMPLATE);
});

conditions('unknown condition types and malformed conditions are coded errors at the path', () => {
  const unknown = codeOf(() => compile({ type: 'sometimes' }));
  assert.is(unknown.code, PipelineErrors.UNKNOWN_CONDITION);
  assert.is(unknown.path, `${PATH}.type`);
  assert.ok(unknown.message.includes('"sometimes"') && unknown.message.includes('expression'), unknown.message);
  assert.is(codeOf(() => compile({ type: 'toString' })).code, PipelineErrors.UNKNOWN_CONDITION, 'inherited names are not types');
  for (const raw of [null, 'always', ['always'], {}, { type: 3 }]) {
    const error = codeOf(() => compile(raw));
    assert.is(error.code, PipelineErrors.BAD_CONDITION, JSON.stringify(raw));
    assert.is(error.path, `${PATH}.type`);
  }
});

conditions('all holds when every nested condition holds, and stops at the first that does not', async () => {
  const raw = (second: unknown) => ({ type: 'all', config: { conditions: [expression('equals', true, 'result.a'), second] } });
  assert.ok(await holds(raw(expression('equals', true, 'result.b')), { a: true, b: true }));
  assert.not.ok(await holds(raw(expression('equals', true, 'result.b')), { a: true, b: false }));
  pluginCalls.length = 0;
  assert.not.ok(await holds(raw({ type: 'plugin', config: { plugin: 'has-tag', config: { tag: 'x' } } }), { a: false }));
  assert.is(pluginCalls.length, 0, 'the second condition was not evaluated');
});

conditions('any holds when one nested condition holds, and stops at the first that does', async () => {
  const raw = (second: unknown) => ({ type: 'any', config: { conditions: [expression('equals', true, 'result.a'), second] } });
  assert.ok(await holds(raw(expression('equals', true, 'result.b')), { a: false, b: true }));
  assert.not.ok(await holds(raw(expression('equals', true, 'result.b')), { a: false, b: false }));
  pluginCalls.length = 0;
  assert.ok(await holds(raw({ type: 'plugin', config: { plugin: 'has-tag', config: { tag: 'x' } } }), { a: true }));
  assert.is(pluginCalls.length, 0);
  const { condition } = compile(raw({ type: 'always' }));
  const outcome = await condition(env({ a: false }));
  assert.is(outcome.held, true);
  const [first, second] = outcome.values!['conditions'] as JsonObject[];
  assert.equal(outcome.values!['combinator'], 'any');
  assert.is(first!['held'], false);
  assert.equal((first!['values'] as JsonObject)['actual'], false, 'each part keeps the values that decided it');
  assert.equal(second, { held: true });
});

conditions('all and not report the parts they evaluated, up to the deciding one', async () => {
  const all = compile({ type: 'all', config: { conditions: [expression('equals', true, 'result.a'), expression('equals', 1, 'result.n'), { type: 'always' }] } });
  const outcome = await all.condition(env({ a: true, n: 2 }));
  assert.is(outcome.held, false);
  assert.equal((outcome.values!['conditions'] as JsonObject[]).map((c) => c['held']), [true, false]);
  const not = compile({ type: 'not', config: { condition: expression('equals', true, 'result.a') } });
  const negated = await not.condition(env({ a: true }));
  assert.is(negated.held, false);
  assert.equal(negated.values!['combinator'], 'not');
  assert.is((negated.values!['condition'] as JsonObject)['held'], true);
});

conditions('not negates its condition', async () => {
  assert.ok(await holds({ type: 'not', config: { condition: expression('equals', true, 'result.a') } }, { a: false }));
  assert.not.ok(await holds({ type: 'not', config: { condition: { type: 'always' } } }));
});

conditions('combinator errors name the nested path', () => {
  for (const config of [{}, { conditions: [] }, { conditions: 'always' }]) {
    const error = codeOf(() => compile({ type: 'all', config }));
    assert.is(error.code, PipelineErrors.BAD_CONDITION);
    assert.is(error.path, `${PATH}.config.conditions`);
  }
  const nested = codeOf(() => compile({ type: 'any', config: { conditions: [{ type: 'always' }, { type: 'nope' }] } }));
  assert.is(nested.code, PipelineErrors.UNKNOWN_CONDITION);
  assert.is(nested.path, `${PATH}.config.conditions[1].type`);
  const missing = codeOf(() => compile({ type: 'not', config: {} }));
  assert.is(missing.path, `${PATH}.config.condition`);
  assert.is(codeOf(() => compile({ type: 'not', config: { condition: { type: 'expression', config: { source: 'x', operator: '~' } } } })).path, `${PATH}.config.condition.config.operator`);
});

conditions('parameter holds when that parameter is truthy', async () => {
  assert.ok(await holds({ type: 'parameter', config: { parameter: 'topic' } }));
  const { condition } = compile({ type: 'parameter', config: { parameter: 'strict' } });
  assert.equal(await condition(env()), { held: false, values: { parameter: 'strict', value: false } });
});

conditions('parameter must name a declared parameter', () => {
  const undeclared = codeOf(() => compile({ type: 'parameter', config: { parameter: 'verbose' } }));
  assert.is(undeclared.code, PipelineErrors.UNKNOWN_PARAMETER);
  assert.is(undeclared.path, `${PATH}.config.parameter`);
  assert.is(codeOf(() => compile({ type: 'parameter', config: {} })).code, PipelineErrors.BAD_CONDITION);
});

conditions('function calls a module export (default unless named) with (ctx, parameters)', async () => {
  const raw = (min: number) => ({ type: 'function', config: { module: './conditions.mjs', parameters: { min } } });
  assert.ok(await holds(raw(0.5), { score: 0.8 }));
  assert.not.ok(await holds(raw(0.9), { score: 0.8 }));
  assert.not.ok(await holds({ type: 'function', config: { module: './conditions.mjs', export: 'never' } }), 'an async falsy answer');
});

conditions('function: ctx carries result, steps, parameters, input, run and step ids', async () => {
  const mod = await importModule('./conditions.mjs', units);
  const calls = mod['calls'] as Array<{ ctx: Record<string, unknown>; parameters: unknown }>;
  calls.length = 0;
  const { condition, pending } = compile({ type: 'function', config: { module: './conditions.mjs', export: 'record' } });
  await Promise.all(pending);
  assert.equal(await condition(env({ score: 1 })), { held: true, values: { function: './conditions.mjs#record' } });
  assert.equal(calls, [
    {
      ctx: { result: { score: 1 }, steps: { draft: { text: 'hello' } }, parameters: scope(undefined).parameters, input: { user: 'ann' }, run_id: 'run-1', step_id: 'review' },
      parameters: {},
    },
  ]);
});

conditions('function: a TypeScript module loads through the kernel module loader', async () => {
  const raw = { type: 'function', config: { module: './conditions.ts', export: 'approved' } };
  assert.ok(await holds(raw, { approved: true }));
  assert.not.ok(await holds(raw, { approved: 'yes' }));
});

conditions('function: a function that throws is PIPELINE_CONDITION_FAILED with its message', async () => {
  const { condition } = compile({ type: 'function', config: { module: './conditions.mjs', export: 'explodes' } });
  const error = await rejection(Promise.resolve(condition(env())));
  assert.is(error.code, PipelineErrors.CONDITION_FAILED);
  assert.is(error.path, PATH);
  assert.ok(error.message.includes('./conditions.mjs#explodes') && error.message.includes('score service is down'), error.message);
  assert.instance(error.cause, Error);
  const thrown = await rejection(Promise.resolve(compile({ type: 'function', config: { module: './conditions.mjs', export: 'throwsValue' } }).condition(env())));
  assert.ok(thrown.message.includes('not an Error'), thrown.message);
});

conditions('function: a missing export or module is reported through the pending checks', async () => {
  const missingExport = compile({ type: 'function', config: { module: './conditions.mjs', export: 'notAFunction' } });
  const [settled] = await Promise.allSettled(missingExport.pending);
  assert.is(settled?.status, 'rejected');
  const error = (settled as PromiseRejectedResult).reason as WeftError;
  assert.is(error.code, PipelineErrors.BAD_CONDITION);
  assert.is(error.path, `${PATH}.config.export`);
  assert.ok(error.message.includes('"notAFunction"'), error.message);
  assert.is((await rejection(Promise.resolve(missingExport.condition(env())))).code, PipelineErrors.BAD_CONDITION, 'evaluating it fails the same way');

  const missingModule = compile({ type: 'function', config: { module: './no-such-module.mjs' } });
  const [load] = await Promise.allSettled(missingModule.pending);
  assert.is(load?.status, 'rejected');
  assert.ok(String(((load as PromiseRejectedResult).reason as Error).message).includes('no-such-module.mjs'));
});

conditions('function: module must be a string', () => {
  const error = codeOf(() => compile({ type: 'function', config: { export: 'x' } }));
  assert.is(error.code, PipelineErrors.BAD_CONDITION);
  assert.is(error.path, `${PATH}.config.module`);
});

conditions('plugin asks a registered plugin condition, passing its config', async () => {
  pluginCalls.length = 0;
  assert.ok(await holds({ type: 'plugin', config: { plugin: 'has-tag', config: { tag: 'urgent' } } }, { tags: ['urgent'] }));
  assert.not.ok(await holds({ type: 'plugin', config: { plugin: 'has-tag', config: { tag: 'urgent' } } }, { tags: [] }));
  assert.not.ok(await holds({ type: 'plugin', config: { plugin: 'has-tag' } }, { tags: ['urgent'] }));
  assert.equal(pluginCalls, [{ tag: 'urgent' }, { tag: 'urgent' }, {}]);
});

conditions('plugin naming no registered condition is PIPELINE_UNKNOWN_CONDITION listing the known ones', () => {
  const unknown = codeOf(() => compile({ type: 'plugin', config: { plugin: 'sentiment' } }));
  assert.is(unknown.code, PipelineErrors.UNKNOWN_CONDITION);
  assert.is(unknown.path, `${PATH}.config.plugin`);
  assert.ok(unknown.message.includes('"sentiment"') && unknown.message.includes('has-tag'), unknown.message);
  const none = codeOf(() => compile({ type: 'plugin', config: {} }, builtinConditionTypes(new Map())));
  assert.ok(none.message.includes('(known: none)'), none.message);
});

conditions('agent holds when the LLM answers yes with enough confidence', async () => {
  const llm = new FakeLlm(agentYes(0.9));
  const { condition } = compile({ type: 'agent', config: { prompt_template: 'Is "{{ result.text }}" about {{ parameters.topic }}?', confidence_threshold: 0.8 } });
  const outcome = await condition(env({ text: 'neural nets' }, { llm }));
  assert.equal(outcome, { held: true, values: { answer: 'yes', confidence: 0.9, threshold: 0.8, reasoning: 'looks fine', provider: 'fake' } });
  const [request] = llm.requests;
  assert.ok(request?.prompt.startsWith('Is "neural nets" about ai?'), request?.prompt);
  assert.is(request?.json, true);
  assert.instance(request?.signal, AbortSignal);
  assert.not.ok(request && 'provider' in request, 'no provider unless configured');
});

conditions('agent: the original system\'s `response` field is read as the answer', async () => {
  const llm = new FakeLlm(JSON.stringify({ response: 'no', confidence: 0.9 }));
  assert.not.ok(await holds({ type: 'agent', config: { prompt_template: 'Continue?' } }, {}, { llm }));
});

conditions('agent: no (and its synonyms) does not hold; yes synonyms do', async () => {
  const ask = async (answer: unknown) => holds({ type: 'agent', config: { prompt_template: 'Continue?' } }, {}, { llm: new FakeLlm(agentYes(0.9, answer)) });
  for (const answer of ['no', 'No', 'false', '0', 'stop', ' halt ', false, 0]) assert.not.ok(await ask(answer), String(answer));
  for (const answer of ['yes', 'YES', 'true', '1', 'proceed', 'continue', true, 1]) assert.ok(await ask(answer), String(answer));
});

conditions('agent: an unclear answer does not hold', async () => {
  const { condition } = compile({ type: 'agent', config: { prompt_template: 'Continue?' } });
  const outcome = await condition(env({}, { llm: new FakeLlm(agentYes(0.95, 'maybe')) }));
  assert.is(outcome.held, false);
  assert.is(outcome.values?.['answer'], 'maybe');
});

conditions('agent: yes with confidence below the threshold (default 0.7) does not hold', async () => {
  const ask = (confidence: unknown, config: JsonObject = {}) => {
    const { condition } = compile({ type: 'agent', config: { prompt_template: 'Continue?', ...config } });
    return Promise.resolve(condition(env({}, { llm: new FakeLlm(JSON.stringify({ answer: 'yes', confidence })) })));
  };
  assert.ok((await ask(0.7)).held, 'exactly the default threshold is enough');
  assert.equal(await ask(0.69), { held: false, values: { answer: 'yes', confidence: 0.69, threshold: 0.7, reasoning: '', provider: 'fake' } });
  assert.not.ok((await ask(0.9, { confidence_threshold: 0.95 })).held);
  assert.not.ok((await ask('high')).held, 'a non-numeric confidence counts as 0');
  assert.ok((await ask(0.2, { confidence_threshold: 0 })).held);
});

conditions('agent: an answer that is not a JSON object does not hold, and the trail quotes it', async () => {
  for (const text of ['I think so.', '{answer: yes}', 'null', '42', '"yes"', '["yes"]']) {
    const { condition } = compile({ type: 'agent', config: { prompt_template: 'Continue?' } });
    const outcome = await condition(env({}, { llm: new FakeLlm(text) }));
    assert.is(outcome.held, false, text);
    assert.is(outcome.values?.['unreadable'], text);
  }
});

conditions('agent: JSON wrapped in prose or a code fence is found', async () => {
  const text = `Here is my answer:\n\`\`\`json\n${agentYes(0.9, 'no')}\n\`\`\``;
  assert.not.ok(await holds({ type: 'agent', config: { prompt_template: 'Continue?' } }, {}, { llm: new FakeLlm(text) }));
});

conditions('agent: the configured provider is passed to the llm service', async () => {
  const llm = new FakeLlm(agentYes(0.9));
  const { condition } = compile({ type: 'agent', config: { prompt_template: 'Continue?', provider: 'local' } });
  const outcome = await condition(env({}, { llm }));
  assert.is(llm.requests[0]?.provider, 'local');
  assert.is(outcome.values?.['provider'], 'local');
});

conditions('agent: without an llm service it is PIPELINE_NO_LLM; prompt_template is required', async () => {
  const { condition } = compile({ type: 'agent', config: { prompt_template: 'Continue?' } });
  const error = await rejection(Promise.resolve(condition(env())));
  assert.is(error.code, PipelineErrors.NO_LLM);
  assert.is(error.path, PATH);
  const bad = codeOf(() => compile({ type: 'agent', config: {} }));
  assert.is(bad.code, PipelineErrors.BAD_CONDITION);
  assert.is(bad.path, `${PATH}.config.prompt_template`);
});

conditions.run();
