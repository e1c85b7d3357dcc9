import type { JsonObject, StepImplementation } from '#kernel';
import { PipelineErrors } from './errors.js';
import { buildGraph, type Graph } from './graph.js';
import { TERMINALS, type PipelineDef } from './model.js';
import { normalise } from './normalise.js';
import { compileConditions, resolveSteps, type Registries } from './prepare.js';
import { schemaIssues, type Issue } from './schema.js';
import { compileTemplate, parseExpression, templateRefs, type Template } from './templates.js';

/** What `weft validate` reports. */
export interface ValidationReport {
  valid: boolean;
  errors: Issue[];
  warnings: Issue[];
}

/** Options of a validation. */
export interface ValidateOptions {
  baseDir: string;
  file?: string;
  registries: Registries;
  extraSteps?: ReadonlyMap<string, StepImplementation>;
  /** Treat warnings as errors. */
  strict?: boolean;
  /** Skip resolving step implementations (used when only the structure matters). */
  skipSteps?: boolean;
  /** Other plugins' checks of the document (the `pipeline.validate` hook). */
  check?: (document: JsonObject, report: { errors: Issue[]; warnings: Issue[] }) => void;
}

function checkRefs(template: Template, path: string, def: PipelineDef, stepIds: ReadonlySet<string>, errors: Issue[]): void {
  const parameterNames = new Set(def.parameters.map((p) => p.name));
  for (const ref of templateRefs(template)) {
    if (ref.root === 'step' && !stepIds.has(ref.step!)) {
      errors.push({ code: PipelineErrors.UNKNOWN_STEP, path, message: `"${ref.text}" refers to step "${ref.step}", which does not exist` });
    } else if (ref.root === 'parameters' && ref.path.length > 0 && !parameterNames.has(ref.path[0]!)) {
      errors.push({ code: PipelineErrors.UNKNOWN_PARAMETER, path, message: `"${ref.text}" refers to parameter "${ref.path[0]}", which "parameters" does not declare` });
    }
  }
}

/** Checks every template-bearing string inside `value` (config blocks, condition configs). */
function walkStrings(value: unknown, path: string, visit: (text: string, path: string, key: string) => void, key = ''): void {
  if (typeof value === 'string') visit(value, path, key);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}[${i}]`, visit));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walkStrings(v, `${path}.${k}`, visit, k);
}

function templateChecks(def: PipelineDef, stepIds: ReadonlySet<string>, errors: Issue[]): void {
  const check = (text: string, path: string, key: string): void => {
    try {
      const template = (key === 'source' || key === 'field') && !text.includes('{{') ? ({ kind: 'whole', expr: parseExpression(text, stepIds) } as const) : compileTemplate(text, stepIds);
      checkRefs(template, path, def, stepIds, errors);
    } catch (e: unknown) {
      errors.push({ code: PipelineErrors.BAD_TEMPLATE, path, message: (e as Error).message });
    }
  };
  def.steps.forEach((step) => {
    step.inputs?.forEach((input) => checkRefs(input.template, input.path, def, stepIds, errors));
    walkStrings(step.config, `${step.path}.config`, (text, path) => text.includes('{{') && check(text, path, ''));
  });
  for (const [name, template] of Object.entries(def.outputs ?? {})) checkRefs(template, `outputs.${name}`, def, stepIds, errors);
  // Within a condition, `source` and `field` are paths; any other string is checked only when it holds a template.
  const condition = (raw: unknown, path: string): void => {
    if (raw === null || typeof raw !== 'object') return;
    const { config = {}, ...inline } = raw as JsonObject;
    const fields = { ...inline, ...(config as JsonObject) };
    for (const [key, value] of Object.entries(fields)) {
      const at = key in inline ? `${path}.${key}` : `${path}.config.${key}`;
      if (key === 'conditions' && Array.isArray(value)) value.forEach((c, i) => condition(c, `${at}[${i}]`));
      else if (key === 'condition') condition(value, at);
      else if ((key === 'source' || key === 'field') && typeof value === 'string') check(value, at, key);
      else walkStrings(value, at, (text, p) => text.includes('{{') && check(text, p, ''));
    }
  };
  for (const t of def.flow.transitions) condition(t.condition, `${t.path}.condition`);
}

function structureChecks(def: PipelineDef, graph: Graph, errors: Issue[], warnings: Issue[]): void {
  const seen = new Map<string, string>();
  for (const step of def.steps) {
    if (seen.has(step.id)) errors.push({ code: PipelineErrors.DUPLICATE_STEP, path: `${step.path}.id`, message: `step id "${step.id}" is already used by ${seen.get(step.id)}` });
    else seen.set(step.id, step.path);
    if (TERMINALS.has(step.id)) errors.push({ code: PipelineErrors.DUPLICATE_STEP, path: `${step.path}.id`, message: `"${step.id}" is reserved for the end of a flow; rename the step` });
  }
  if (!graph.steps.has(def.flow.start_at)) {
    errors.push({ code: PipelineErrors.UNKNOWN_STEP, path: 'flow.start_at', message: `step "${def.flow.start_at}" does not exist` });
  }
  for (const t of def.flow.transitions) {
    if (!graph.steps.has(t.from)) errors.push({ code: PipelineErrors.UNKNOWN_STEP, path: `${t.path}.from`, message: `transition from unknown step "${t.from}"` });
    if (!graph.steps.has(t.to) && !TERMINALS.has(t.to)) errors.push({ code: PipelineErrors.UNKNOWN_STEP, path: `${t.path}.to`, message: `transition to unknown step "${t.to}" (use a step id, end, end_with_success or end_with_failure)` });
  }
  for (const loop of graph.loops) {
    if (loop.exits.length === 0) {
      errors.push({ code: PipelineErrors.LOOP_NO_EXIT, path: 'flow', message: `the loop ${[...loop.steps, loop.steps[0]].join(' -> ')} has no transition leaving it, so it can never end` });
    }
  }
  if (graph.steps.has(def.flow.start_at)) {
    for (const step of def.steps) {
      if (!graph.reachable.has(step.id)) warnings.push({ code: PipelineErrors.UNREACHABLE_STEP, path: step.path, message: `step "${step.id}" cannot be reached from "${def.flow.start_at}"` });
    }
  }
}

/** Validates a parsed document: schema, references, templates, loops, conditions and step resolution. */
export async function validateDocument(doc: unknown, options: ValidateOptions): Promise<{ report: ValidationReport; def?: PipelineDef }> {
  const schema = schemaIssues(doc);
  if (schema.length > 0) return { report: { valid: false, errors: schema, warnings: [] } };
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const def = normalise(doc as JsonObject, options.baseDir, options.file, errors);
  const graph = buildGraph(def);
  const stepIds = new Set(graph.steps.keys());
  structureChecks(def, graph, errors, warnings);
  templateChecks(def, stepIds, errors);
  options.check?.(doc as JsonObject, { errors, warnings });
  const { issues } = await compileConditions(def, graph, options.registries);
  // A bad template inside a condition was already reported above at its exact field; say it once.
  errors.push(...issues.filter((i) => !errors.some((e) => e.code === i.code && e.message === i.message)));
  if (!options.skipSteps) {
    const extra = options.extraSteps ?? new Map();
    const resolved = await resolveSteps(def, (name) => extra.get(name) ?? options.registries.steps.get(name), options.registries.load);
    errors.push(...resolved.issues);
  }
  if (options.strict) errors.push(...warnings.splice(0));
  return { report: { valid: errors.length === 0, errors, warnings }, def };
}
