import { WeftError, type JsonObject, type LlmService } from '#kernel';
import { PipelineErrors } from './errors.js';
import type { ConditionDef } from './model.js';
import { BUILTIN_OPERATORS, MISSING_AWARE, type Operator } from './operators.js';
import { compileTemplate, compileValue, materialise, parseExpression, resolveTemplate, evaluate, type Expression, type Scope } from './templates.js';

/** What a condition sees when it is evaluated after a step finished. */
export interface ConditionEnv {
  /** `prev` is the output of the step that just finished (`result.x` and bare `x`). */
  scope: Scope;
  run_id: string;
  step_id: string;
  signal: AbortSignal;
  /** A kernel service by key, or undefined. */
  service<T>(key: string): T | undefined;
}

/** Whether a transition holds, and the values that decided it. */
export interface ConditionOutcome {
  held: boolean;
  values?: JsonObject;
}

/** A compiled condition. Synchronous where it can be, so the common path allocates no promise. */
export type CompiledCondition = (env: ConditionEnv) => ConditionOutcome | Promise<ConditionOutcome>;

/** Tools a condition type gets when it compiles its config. */
export interface CompileTools {
  stepIds: ReadonlySet<string>;
  parameterNames: ReadonlySet<string>;
  /** JSON path of the condition, for error messages. */
  path: string;
  operator(name: unknown, path: string): Operator;
  compile(def: unknown, path: string): CompiledCondition;
  /** Imports a user module relative to the pipeline file; errors surface at validation. */
  load(specifier: string, path: string): Promise<Record<string, unknown>>;
  /** Async checks (module imports) that validation awaits. */
  pending: Array<Promise<unknown>>;
}

/** A condition type: compiles its `config` into an evaluator, throwing coded errors with paths. */
export type ConditionType = (config: JsonObject, tools: CompileTools) => CompiledCondition;

/** A condition a plugin registers for `{ type: 'plugin', config: { plugin, config } }`. */
export type PluginCondition = (config: JsonObject, env: ConditionEnv) => boolean | Promise<boolean>;

function bad(path: string, message: string, code: string = PipelineErrors.BAD_CONDITION): WeftError {
  return new WeftError(code, message, { path });
}

function sourceExpression(source: unknown, tools: CompileTools, path: string): Expression {
  if (typeof source !== 'string' || source.trim() === '') throw bad(path, `${path} must be a non-empty path such as "result.approved"`);
  const template = compileTemplate(source, tools.stepIds);
  if (template.kind === 'whole') return template.expr;
  return parseExpression(source, tools.stepIds);
}

/** `{source, operator, value}` and its sugar forms. */
function comparison(sourceKey: string, fixedOperator?: string): ConditionType {
  return (config, tools) => {
    const expr = sourceExpression(config[sourceKey], tools, `${tools.path}.config.${sourceKey}`);
    const opName = fixedOperator ?? (config['operator'] === undefined ? 'equals' : config['operator']);
    const op = tools.operator(opName, `${tools.path}.config.operator`);
    const missingAware = MISSING_AWARE.has(String(opName));
    const expected = compileValue(config['value'], tools.stepIds);
    return (env) => {
      const actual = evaluate(expr, env.scope);
      const value = materialise(expected, env.scope);
      const held = actual === undefined && !missingAware ? false : op(actual, value);
      return { held, values: { source: expr.text, actual: actual as never, operator: String(opName), expected: value as never } };
    };
  };
}

function nestedList(config: JsonObject, tools: CompileTools): CompiledCondition[] {
  const list = config['conditions'];
  if (!Array.isArray(list) || list.length === 0) throw bad(`${tools.path}.config.conditions`, `${tools.path}.config.conditions must be a non-empty array of conditions`);
  return list.map((c, i) => tools.compile(c, `${tools.path}.config.conditions[${i}]`));
}

function combinator(mode: 'all' | 'any'): ConditionType {
  return (config, tools) => {
    const parts = nestedList(config, tools);
    return async (env) => {
      // The parts evaluated (up to the one that decided), each with the values that decided it.
      const conditions: JsonObject[] = [];
      for (const part of parts) {
        const outcome = await part(env);
        conditions.push(outcomeJson(outcome));
        if (outcome.held !== (mode === 'all')) return { held: outcome.held, values: { combinator: mode, conditions } };
      }
      return { held: mode === 'all', values: { combinator: mode, conditions } };
    };
  };
}

const not: ConditionType = (config, tools) => {
  if (config['condition'] === undefined) throw bad(`${tools.path}.config.condition`, `${tools.path}.config.condition is required for a "not" condition`);
  const inner = tools.compile(config['condition'], `${tools.path}.config.condition`);
  return async (env) => {
    const outcome = await inner(env);
    return { held: !outcome.held, values: { combinator: 'not', condition: outcomeJson(outcome) } };
  };
};

const outcomeJson = (outcome: ConditionOutcome): JsonObject => (outcome.values === undefined ? { held: outcome.held } : { held: outcome.held, values: outcome.values });

const parameter: ConditionType = (config, tools) => {
  const name = config['parameter'];
  if (typeof name !== 'string') throw bad(`${tools.path}.config.parameter`, `${tools.path}.config.parameter must name a parameter`);
  if (!tools.parameterNames.has(name)) throw bad(`${tools.path}.config.parameter`, `Parameter "${name}" is not declared in "parameters"`, PipelineErrors.UNKNOWN_PARAMETER);
  return (env) => ({ held: Boolean(env.scope.parameters[name]), values: { parameter: name, value: env.scope.parameters[name] as never } });
};

const fn: ConditionType = (config, tools) => {
  const specifier = config['module'];
  const exportName = typeof config['export'] === 'string' ? config['export'] : 'default';
  if (typeof specifier !== 'string') throw bad(`${tools.path}.config.module`, `${tools.path}.config.module must name the module exporting the function`);
  const loaded = tools.load(specifier, `${tools.path}.config.module`).then((mod) => {
    const f = mod[exportName];
    if (typeof f !== 'function') throw bad(`${tools.path}.config.export`, `Module "${specifier}" has no function export "${exportName}"`);
    return f as (ctx: unknown, parameters: unknown) => unknown;
  });
  tools.pending.push(loaded);
  const params = config['parameters'] ?? {};
  return async (env) => {
    const f = await loaded;
    const ctx = { result: env.scope.prev, steps: env.scope.steps, parameters: env.scope.parameters, input: env.scope.input, run_id: env.run_id, step_id: env.step_id };
    try {
      return { held: Boolean(await f(ctx, params)), values: { function: `${specifier}#${exportName}` } };
    } catch (e: unknown) {
      throw new WeftError(PipelineErrors.CONDITION_FAILED, `Condition function ${specifier}#${exportName} threw: ${e instanceof Error ? e.message : String(e)}`, { cause: e, path: tools.path });
    }
  };
};

/** The JSON object in an LLM answer, or undefined (not JSON, or JSON that is not an object such as `null`). */
function parseObject(text: string): { answer?: unknown; response?: unknown; confidence?: unknown; reasoning?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const YES = new Set(['yes', 'true', '1', 'proceed', 'continue']);

const agent: ConditionType = (config, tools) => {
  const prompt = config['prompt_template'];
  if (typeof prompt !== 'string') throw bad(`${tools.path}.config.prompt_template`, `${tools.path}.config.prompt_template must be a string`);
  const template = compileTemplate(prompt, tools.stepIds);
  const threshold = typeof config['confidence_threshold'] === 'number' ? config['confidence_threshold'] : 0.7;
  const provider = typeof config['provider'] === 'string' ? config['provider'] : undefined;
  return async (env) => {
    const llm = env.service<LlmService>('llm');
    if (!llm) throw new WeftError(PipelineErrors.NO_LLM, 'An agent condition needs the llm service; enable an LLM provider plugin', { path: tools.path });
    const question = String(resolveTemplate(template, env.scope));
    const response = await llm.generate({
      prompt: `${question}\n\nAnswer with JSON: {"answer": "yes" or "no", "confidence": number between 0 and 1, "reasoning": string}`,
      json: true,
      signal: env.signal,
      ...(provider === undefined ? {} : { provider }),
    });
    const match = /\{[\s\S]*\}/.exec(response.text);
    const parsed = parseObject(match ? match[0] : response.text);
    // Only a clear yes with enough confidence holds (spec §4); anything else, including an answer
    // that cannot be read, does not, and the trail shows why.
    if (!parsed) return { held: false, values: { unreadable: response.text.slice(0, 200), threshold, provider: response.provider } };
    // `response` is the original system's name for the answer field.
    const answer = String(parsed.answer ?? parsed.response).trim().toLowerCase();
    const confidence = typeof parsed.confidence === 'number' ? parsed.confidence : 0;
    return { held: YES.has(answer) && confidence >= threshold, values: { answer, confidence, threshold, reasoning: String(parsed.reasoning ?? ''), provider: response.provider } };
  };
};

/** The built-in condition types (spec §4). */
export function builtinConditionTypes(plugins: ReadonlyMap<string, PluginCondition>): Record<string, ConditionType> {
  const expression = comparison('source');
  return {
    always: () => () => ({ held: true }),
    expression,
    threshold_condition: comparison('field'),
    field_equals: comparison('field', 'equals'),
    field_exists: comparison('field', 'exists'),
    field_greater_than: comparison('field', 'greater_than'),
    field_less_than: comparison('field', 'less_than'),
    all: combinator('all'),
    any: combinator('any'),
    not,
    parameter,
    function: fn,
    agent,
    plugin: (config, tools) => {
      const name = config['plugin'];
      const registered = typeof name === 'string' ? plugins.get(name) : undefined;
      if (!registered) throw bad(`${tools.path}.config.plugin`, `No condition plugin named "${String(name)}" is registered (known: ${[...plugins.keys()].join(', ') || 'none'})`, PipelineErrors.UNKNOWN_CONDITION);
      const inner = (config['config'] ?? {}) as JsonObject;
      return async (env) => ({ held: Boolean(await registered(inner, env)), values: { plugin: name as string } });
    },
  };
}

/** Normalises `{type, config}` or a condition with its config fields inline. */
export function conditionDef(raw: unknown, path: string): ConditionDef {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || typeof (raw as JsonObject)['type'] !== 'string') {
    throw bad(`${path}.type`, `${path} must be an object with a string "type"`);
  }
  const { type, config, ...inline } = raw as JsonObject;
  return { type: type as string, config: { ...inline, ...((config ?? {}) as JsonObject) } };
}

/** Compiles a condition definition with the given types and operators. */
export function compileCondition(
  raw: unknown,
  path: string,
  types: Readonly<Record<string, ConditionType>>,
  operators: Readonly<Record<string, Operator>>,
  context: Omit<CompileTools, 'path' | 'operator' | 'compile'>,
): CompiledCondition {
  const tools = (p: string): CompileTools => ({
    ...context,
    path: p,
    operator: (name, opPath) => {
      const op = typeof name === 'string' ? operators[name] : undefined;
      if (!op) throw bad(opPath, `Unknown operator "${String(name)}" (known: ${Object.keys(operators).join(', ')})`, PipelineErrors.UNKNOWN_OPERATOR);
      return op;
    },
    compile: (def, defPath) => compileCondition(def, defPath, types, operators, context),
  });
  const def = conditionDef(raw, path);
  const type = Object.prototype.hasOwnProperty.call(types, def.type) ? types[def.type] : undefined;
  if (!type) throw bad(`${path}.type`, `Unknown condition type "${def.type}" (known: ${Object.keys(types).join(', ')})`, PipelineErrors.UNKNOWN_CONDITION);
  return type(def.config, tools(path));
}
