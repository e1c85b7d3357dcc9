import { WeftError, type JsonObject } from '#kernel';
import { PipelineErrors } from './errors.js';

/**
 * Where a reference starts looking (spec §3). `field-or-step` is a lone name that is also a step
 * id: the previous output's field of that name when it has one, else that step's output.
 */
export type RefRoot = 'parameters' | 'input' | 'step' | 'result' | 'bare' | 'field-or-step';

/** One alternative of an expression: a reference or a literal. */
export type Alternative =
  | { kind: 'ref'; root: RefRoot; step?: string; path: string[]; text: string }
  | { kind: 'literal'; value: unknown };

/** `a | b | 'literal'`: the first alternative that is neither undefined nor null. */
export interface Expression {
  text: string;
  alternatives: Alternative[];
}

/** A compiled string template. */
export type Template =
  | { kind: 'constant'; value: unknown }
  | { kind: 'whole'; expr: Expression }
  | { kind: 'interpolated'; parts: Array<string | Expression> };

/** The values a template is resolved against. */
export interface Scope {
  parameters: JsonObject;
  input: JsonObject;
  /** Latest output of every step that has run. */
  steps: Readonly<Record<string, JsonObject>>;
  /** Output of the step that activated this one (or just finished, for conditions). */
  prev: JsonObject | undefined;
}

const DOUBLE = /\{\{([\s\S]*?)\}\}/g;
const SEGMENT = /^[A-Za-z_$][\w$-]*$|^\d+$/;

function parseLiteral(text: string): { ok: true; value: unknown } | { ok: false } {
  if (/^'[^']*'$/.test(text) || /^"[^"]*"$/.test(text)) return { ok: true, value: text.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(text)) return { ok: true, value: Number(text) };
  if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
  if (text === 'null') return { ok: true, value: null };
  return { ok: false };
}

function splitPath(text: string): string[] | undefined {
  const segments = text.replace(/\[(\d+)\]/g, '.$1').split('.');
  return segments.every((s) => SEGMENT.test(s)) ? segments : undefined;
}

function parseRef(text: string, stepIds: ReadonlySet<string>): Alternative | undefined {
  const segments = splitPath(text);
  if (!segments) return undefined;
  const [head, ...rest] = segments as [string, ...string[]];
  const ref = (root: RefRoot, path: string[], step?: string): Alternative =>
    step === undefined ? { kind: 'ref', root, path, text } : { kind: 'ref', root, path, text, step };
  switch (head) {
    case 'parameters':
      return ref('parameters', rest);
    case 'pipeline_input':
    case 'input':
      return ref('input', rest);
    case 'result':
      return ref('result', rest);
    case 'pipeline_data':
      return ref('bare', rest);
    case 'steps':
    case 'step_results': {
      const [step, next, ...tail] = rest;
      if (step === undefined) return undefined;
      return ref('step', next === 'output' || next === 'result' ? tail : rest.slice(1), step);
    }
  }
  if (!stepIds.has(head)) return ref('bare', segments);
  return rest.length === 0 ? ref('field-or-step', rest, head) : ref('step', rest, head);
}

/** Parses the inside of `{{ … }}` (or of `{…}` alternatives). */
export function parseExpression(text: string, stepIds: ReadonlySet<string>): Expression {
  const alternatives: Alternative[] = [];
  for (const raw of splitAlternatives(text)) {
    const part = raw.trim();
    const literal = parseLiteral(part);
    const alt = literal.ok ? { kind: 'literal' as const, value: literal.value } : parseRef(part, stepIds);
    if (!alt) {
      throw new WeftError(PipelineErrors.BAD_TEMPLATE, `Cannot parse "${part}" in template "${text.trim()}": use a dotted path (steps.id.output.field), a quoted string, a number, true, false or null`);
    }
    alternatives.push(alt);
  }
  return { text: text.trim(), alternatives };
}

/** Splits on `|` outside quotes. */
function splitAlternatives(text: string): string[] {
  const parts: string[] = [];
  let quote = '';
  let current = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '|') {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

/** Compiles a string that may contain `{{ expr }}` templates. */
export function compileTemplate(text: string, stepIds: ReadonlySet<string>): Template {
  if (!text.includes('{{')) return { kind: 'constant', value: text };
  const parts: Array<string | Expression> = [];
  let last = 0;
  for (const match of text.matchAll(DOUBLE)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(parseExpression(match[1]!, stepIds));
    last = match.index + match[0].length;
  }
  const tail = text.slice(last);
  if (tail.includes('{{')) {
    throw new WeftError(PipelineErrors.BAD_TEMPLATE, `Unclosed "{{" in template "${text}": close it with "}}"`);
  }
  if (tail) parts.push(tail);
  if (parts.length === 1 && typeof parts[0] !== 'string') return { kind: 'whole', expr: parts[0]! };
  return { kind: 'interpolated', parts };
}

const SINGLE = /^\{([^{}]+)\}(\s*\|\s*\{[^{}]+\})*$/;

/**
 * Compiles an `inputs[].source`: `{{ expr }}` templates, the single-brace `{path}` form with
 * `{a}|{b}` alternation, or else a literal constant.
 */
export function compileSource(source: unknown, stepIds: ReadonlySet<string>): Template {
  if (typeof source !== 'string') return { kind: 'constant', value: source };
  const trimmed = source.trim();
  if (trimmed.includes('{{')) return compileTemplate(trimmed, stepIds);
  if (!SINGLE.test(trimmed)) return { kind: 'constant', value: source };
  const inner = trimmed.slice(1, -1).split(/\}\s*\|\s*\{/).join('|');
  return { kind: 'whole', expr: parseExpression(inner, stepIds) };
}

/** A value (object, array, string …) with templates compiled in its strings. */
export type ValueTemplate = { dynamic: false; value: unknown } | { dynamic: true; build: (scope: Scope) => unknown };

/** Compiles every string inside `value`; constant when none holds a template. */
export function compileValue(value: unknown, stepIds: ReadonlySet<string>): ValueTemplate {
  if (typeof value === 'string') {
    const template = compileTemplate(value, stepIds);
    return template.kind === 'constant' ? { dynamic: false, value } : { dynamic: true, build: (scope) => resolveTemplate(template, scope) };
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => compileValue(v, stepIds));
    if (items.every((i) => !i.dynamic)) return { dynamic: false, value };
    return { dynamic: true, build: (scope) => items.map((i) => materialise(i, scope)) };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compileValue(v, stepIds)] as const);
    if (entries.every(([, i]) => !i.dynamic)) return { dynamic: false, value };
    return { dynamic: true, build: (scope) => Object.fromEntries(entries.map(([k, i]) => [k, materialise(i, scope)])) };
  }
  return { dynamic: false, value };
}

/** Resolves a compiled value against a scope. */
export function materialise(value: ValueTemplate, scope: Scope): unknown {
  return value.dynamic ? value.build(scope) : value.value;
}

/** Reads `path` inside `value`; undefined as soon as a segment is missing. */
export function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function rootValue(alt: Extract<Alternative, { kind: 'ref' }>, scope: Scope): unknown {
  switch (alt.root) {
    case 'parameters':
      return scope.parameters;
    case 'input':
      return scope.input;
    case 'step':
      return scope.steps[alt.step!];
    case 'field-or-step':
      return scope.prev !== undefined && Object.prototype.hasOwnProperty.call(scope.prev, alt.step!) ? scope.prev[alt.step!] : scope.steps[alt.step!];
    default:
      return scope.prev;
  }
}

/** Evaluates an expression: the first alternative that is neither undefined nor null. */
export function evaluate(expr: Expression, scope: Scope): unknown {
  let value: unknown;
  for (const alt of expr.alternatives) {
    value = alt.kind === 'literal' ? alt.value : readPath(rootValue(alt, scope), alt.path);
    if (value !== undefined && value !== null) return value;
  }
  return value;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Resolves a template: a whole-string template keeps the value's type; interpolation stringifies. */
export function resolveTemplate(template: Template, scope: Scope): unknown {
  if (template.kind === 'constant') return template.value;
  if (template.kind === 'whole') return evaluate(template.expr, scope);
  let out = '';
  for (const part of template.parts) out += typeof part === 'string' ? part : stringify(evaluate(part, scope));
  return out;
}

/** Every reference a template makes, for validation. */
export function templateRefs(template: Template): Array<Extract<Alternative, { kind: 'ref' }>> {
  const exprs = template.kind === 'whole' ? [template.expr] : template.kind === 'interpolated' ? template.parts.filter((p): p is Expression => typeof p !== 'string') : [];
  return exprs.flatMap((e) => e.alternatives.filter((a): a is Extract<Alternative, { kind: 'ref' }> => a.kind === 'ref'));
}
