import { WeftError, type StepImplementation } from '#kernel';
import { compileCondition, type CompiledCondition, type ConditionType } from './conditions.js';
import { PipelineErrors } from './errors.js';
import { buildGraph, type Graph } from './graph.js';
import type { PipelineDef } from './model.js';
import type { Operator } from './operators.js';
import type { PreparedEdge, PreparedPipeline, PreparedStep } from './engine.js';
import { isStepClass, resolveStep, type ModuleLoader } from './resolve.js';
import { formatIssue, type Issue } from './schema.js';
import { compileValue } from './templates.js';

/** Step types, condition types and operators known to one pipeline service. */
export interface Registries {
  steps: ReadonlyMap<string, StepImplementation>;
  conditionTypes: Readonly<Record<string, ConditionType>>;
  operators: Readonly<Record<string, Operator>>;
  load: ModuleLoader;
}

function issueOf(e: unknown, fallbackPath: string): Issue {
  const error = e instanceof WeftError ? e : new WeftError(PipelineErrors.BAD_CONDITION, e instanceof Error ? e.message : String(e));
  return { code: error.code, message: error.message, path: error.path ?? fallbackPath };
}

/** Compiles every transition's condition; problems come back as issues. */
export async function compileConditions(def: PipelineDef, graph: Graph, registries: Registries): Promise<{ conditions: Array<CompiledCondition | undefined>; issues: Issue[] }> {
  const issues: Issue[] = [];
  const pending: Array<Promise<unknown>> = [];
  const context = {
    stepIds: new Set(graph.steps.keys()),
    parameterNames: new Set(def.parameters.map((p) => p.name)),
    // A module that cannot be imported is reported at the condition field naming it, not at `flow`.
    load: (specifier: string, path: string) =>
      registries.load(specifier, def.baseDir).catch((e: unknown) => {
        throw new WeftError(PipelineErrors.BAD_CONDITION, (e as Error).message, { path, cause: e });
      }),
    pending,
  };
  const conditions = graph.edges.map((edge) => {
    if (edge.def.condition === undefined) return undefined;
    const path = `${edge.def.path}.condition`;
    try {
      return compileCondition(edge.def.condition, path, registries.conditionTypes, registries.operators, context);
    } catch (e: unknown) {
      issues.push(issueOf(e, path));
      return undefined;
    }
  });
  const settled = await Promise.allSettled(pending);
  for (const outcome of settled) {
    if (outcome.status === 'rejected') issues.push(issueOf(outcome.reason, 'flow'));
  }
  return { conditions, issues };
}

/** Resolves every step's implementation (spec §2); problems come back as issues. */
export async function resolveSteps(def: PipelineDef, lookup: (name: string) => StepImplementation | undefined, load: ModuleLoader): Promise<{ impls: Map<string, StepImplementation>; issues: Issue[] }> {
  const impls = new Map<string, StepImplementation>();
  const issues: Issue[] = [];
  await Promise.all(
    def.steps.map(async (step) => {
      try {
        impls.set(step.id, await resolveStep(step, lookup, def.baseDir, load));
      } catch (e: unknown) {
        issues.push(issueOf(e, step.path));
      }
    }),
  );
  return { impls, issues };
}

/** Compiles a validated pipeline for execution. Throws PIPELINE_INVALID listing the problems. */
export async function prepare(def: PipelineDef, registries: Registries, extraSteps: ReadonlyMap<string, StepImplementation> = new Map()): Promise<PreparedPipeline> {
  const graph = buildGraph(def);
  const lookup = (name: string) => extraSteps.get(name) ?? registries.steps.get(name);
  const [{ conditions, issues }, resolved] = await Promise.all([compileConditions(def, graph, registries), resolveSteps(def, lookup, registries.load)]);
  const problems = [...issues, ...resolved.issues];
  if (problems.length > 0) throw invalid(def, problems);
  const stepIds = new Set(graph.steps.keys());
  const steps = new Map<string, PreparedStep>();
  for (const stepDef of def.steps) {
    const impl = resolved.impls.get(stepDef.id)!;
    const outgoing: PreparedEdge[] = graph.outgoing.get(stepDef.id)!.map((edge) => {
      const condition = conditions[edge.index];
      return condition ? { ...edge, condition } : { ...edge };
    });
    steps.set(stepDef.id, {
      def: stepDef,
      impl,
      isClass: isStepClass(impl),
      config: compileValue(stepDef.config, stepIds),
      outgoing,
      forwardIn: graph.forwardIn.get(stepDef.id)!,
      loopEntry: graph.loopEntries.has(stepDef.id),
    });
  }
  return { def, graph, steps };
}

/** The error thrown when a pipeline has validation errors. */
export function invalid(def: { name: string; file?: string }, issues: Issue[]): WeftError {
  const where = def.file ?? def.name;
  const lines = issues.map((i) => `  ${formatIssue(i)} [${i.code}]`).join('\n');
  return new WeftError(PipelineErrors.INVALID, `${where} is not a valid pipeline:\n${lines}`, { data: { file: def.file, issues } });
}
