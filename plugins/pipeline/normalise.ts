import type { JsonObject, WeftError } from '#kernel';
import { contentHash } from './hash.js';
import { compileSource, compileTemplate, type Template } from './templates.js';
import type { Issue } from './schema.js';
import type { InputDecl, OnError, ParameterDecl, PipelineDef, RetryPolicy, StepDef, TransitionDef } from './model.js';

/** Compiles a template, recording a bad one as an issue at `path` (it then resolves to its text). */
function safely(compile: () => Template, text: unknown, path: string, issues: Issue[]): Template {
  try {
    return compile();
  } catch (e: unknown) {
    const error = e as WeftError;
    issues.push({ code: error.code, message: error.message, path });
    return { kind: 'constant', value: text };
  }
}

const DECLARATION_KEYS = new Set(['type', 'default', 'required', 'description', 'schema', 'enum']);

function isDeclaration(value: unknown): value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => DECLARATION_KEYS.has(k));
}

function declaration(name: string, d: JsonObject): ParameterDecl {
  const schemaType = (d['schema'] as JsonObject | undefined)?.['type'];
  const type = d['type'] ?? schemaType;
  return {
    name,
    required: d['required'] === true,
    ...(type === undefined ? {} : { type: String(type) }),
    ...('default' in d ? { default: d['default'] } : {}),
    ...(typeof d['description'] === 'string' ? { description: d['description'] } : {}),
  };
}

/** Every parameter dialect (spec §1) as a list of declarations. */
export function normaliseParameters(raw: unknown): ParameterDecl[] {
  if (Array.isArray(raw)) return (raw as JsonObject[]).map((p) => declaration(String(p['name']), p));
  if (raw === null || typeof raw !== 'object') return [];
  return Object.entries(raw).map(([name, value]) => (isDeclaration(value) ? declaration(name, value) : { name, required: false, default: value }));
}

function normaliseInputs(raw: unknown, stepIds: ReadonlySet<string>, path: string, issues: Issue[]): InputDecl[] | undefined {
  if (raw === undefined) return undefined;
  const listed = Array.isArray(raw);
  const list = listed
    ? (raw as JsonObject[]).map((i) => ({ name: String(i['name']), source: i['source'], required: i['required'] === true }))
    : Object.entries(raw as JsonObject).map(([name, source]) => ({ name, source, required: false }));
  return list.map((i, n) => {
    const at = listed ? `${path}[${n}].source` : `${path}.${i.name}`;
    // The single-brace `{expr}` form belongs to inputs[].source only (spec §1): in the object form
    // `{...}` is literal text.
    const template = safely(() => (listed ? compileSource(i.source, stepIds) : compileObjectInput(i.source, stepIds)), i.source, at, issues);
    return { ...i, source: typeof i.source === 'string' ? i.source : JSON.stringify(i.source), template, path: at };
  });
}

function compileObjectInput(source: unknown, stepIds: ReadonlySet<string>): Template {
  return typeof source === 'string' ? compileTemplate(source, stepIds) : { kind: 'constant', value: source };
}

const DEFAULT_RETRY: RetryPolicy = { max_attempts: 1, initial_delay: 1, max_delay: 60, exponential_base: 2, jitter: true };

function normaliseStep(raw: JsonObject, index: number, stepIds: ReadonlySet<string>, issues: Issue[]): StepDef {
  const config = (raw['config'] ?? {}) as JsonObject;
  // The original's config.error_handling block is honoured when the canonical fields are absent.
  const legacy = (config['error_handling'] ?? {}) as JsonObject;
  const legacyOnError: OnError | undefined = legacy['enable_fallback'] === true ? 'fallback' : legacy['continue_on_error'] === true ? 'continue' : undefined;
  const stepClass = raw['step_class'] ?? raw['class'];
  const inputs = normaliseInputs(raw['inputs'], stepIds, `steps[${index}].inputs`, issues);
  return {
    id: String(raw['id']),
    name: typeof raw['name'] === 'string' ? raw['name'] : String(raw['id']),
    config,
    retry: { ...DEFAULT_RETRY, ...((legacy['retry'] ?? {}) as Partial<RetryPolicy>), ...((raw['retry'] ?? {}) as Partial<RetryPolicy>) },
    on_error: (raw['on_error'] as OnError | undefined) ?? legacyOnError ?? 'fail',
    path: `steps[${index}]`,
    ...(typeof stepClass === 'string' ? { step_class: stepClass } : {}),
    ...(typeof raw['module'] === 'string' ? { module: raw['module'] } : {}),
    ...(inputs ? { inputs } : {}),
    ...(typeof raw['timeout_ms'] === 'number' ? { timeout_ms: raw['timeout_ms'] } : {}),
  };
}

function normaliseTransitions(flow: JsonObject): TransitionDef[] {
  const out: TransitionDef[] = [];
  for (const key of ['transitions', 'paths'] as const) {
    const list = (flow[key] ?? []) as JsonObject[];
    list.forEach((t, i) => {
      const condition = t['condition'];
      out.push({
        from: String(t['from'] ?? t['from_step']),
        to: String(t['to'] ?? t['to_step']),
        path: `flow.${key}[${i}]`,
        ...(condition === undefined ? {} : { condition }),
      });
    });
  }
  return out;
}

/** Turns a schema-valid document of any dialect into the canonical model. */
export function normalise(doc: JsonObject, baseDir: string, file?: string, issues: Issue[] = []): PipelineDef {
  const rawSteps = doc['steps'] as JsonObject[];
  const stepIds = new Set(rawSteps.map((s) => String(s['id'])));
  const flow = doc['flow'] as JsonObject;
  const loop = (doc['loop_config'] ?? {}) as JsonObject;
  const outputs = doc['outputs'] as JsonObject | undefined;
  return {
    name: String(doc['name']),
    version: doc['version'] === undefined ? '1.0' : String(doc['version']),
    parameters: normaliseParameters(doc['parameters']),
    steps: rawSteps.map((s, i) => normaliseStep(s, i, stepIds, issues)),
    flow: {
      start_at: String(flow['start_at']),
      routing: flow['routing'] === 'first_match' ? 'first_match' : 'all_matches',
      transitions: normaliseTransitions(flow),
    },
    loop_config: {
      max_iterations: (loop['max_iterations'] as number | undefined) ?? 100,
      max_loop_time_seconds: (loop['max_loop_time_seconds'] as number | undefined) ?? 3600,
      iteration_delay_seconds: (loop['iteration_delay_seconds'] as number | undefined) ?? 0,
    },
    baseDir,
    raw: doc,
    hash: contentHash(doc),
    ...(typeof doc['description'] === 'string' ? { description: doc['description'] } : {}),
    ...(outputs === undefined ? {} : { outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, typeof v === 'string' ? safely(() => compileTemplate(v, stepIds), v, `outputs.${k}`, issues) : { kind: 'constant' as const, value: v }])) }),
    ...(file === undefined ? {} : { file }),
  };
}
