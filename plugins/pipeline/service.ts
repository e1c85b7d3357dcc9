import { dirname, resolve } from 'node:path';
import { WeftError, type CatalogRef, type JsonObject, type RunEvent, type RunResult, type RunStartedEvent, type RunSuspendedEvent, type ServiceReader, type StepImplementation } from '#kernel';
import { parseEntry } from './catalog-entry.js';
import { builtinConditionTypes, type ConditionType, type PluginCondition } from './conditions.js';
import { execute, type PreparedPipeline, type RunOptions } from './engine.js';
import { startOf } from './step-context.js';
import { PipelineErrors } from './errors.js';
import type { PipelineHooks } from './hooks.js';
import { readDocument } from './load.js';
import { suspensionsOf } from './suspensions.js';
import { project } from './projection.js';
import type { PipelineDef } from './model.js';
import { BUILTIN_OPERATORS, type Operator } from './operators.js';
import { invalid, prepare, type Registries } from './prepare.js';
import type { ModuleLoader } from './resolve.js';
import { validateDocument, type ValidateOptions, type ValidationReport } from './validate.js';

/** Options when loading or running: extra step implementations by class name. */
export interface StepOptions {
  steps?: Record<string, StepImplementation> | ReadonlyMap<string, StepImplementation>;
}

/** The `pipeline` service: load, validate and run pipelines; extend steps, conditions and operators. */
export interface PipelineService {
  /** Reads, validates and normalises a pipeline file (JSON or YAML). Throws PIPELINE_INVALID. */
  load(file: string, options?: StepOptions): Promise<PipelineDef>;
  /** Validates and normalises an in-memory document; `baseDir` anchors relative step modules; `catalog` names the catalogue revision it was read from. */
  parse(document: unknown, options?: StepOptions & { baseDir?: string; file?: string; catalog?: CatalogRef }): Promise<PipelineDef>;
  /** Validates a file or document and reports every problem instead of throwing; `skipSteps` checks structure only. */
  validate(source: string | JsonObject, options?: StepOptions & { strict?: boolean; baseDir?: string; skipSteps?: boolean }): Promise<ValidationReport & { def?: PipelineDef }>;
  /** Compiles a pipeline for execution (resolves steps, compiles conditions); reusable across runs. */
  prepare(def: PipelineDef, options?: StepOptions): Promise<PreparedPipeline>;
  /**
   * Resumes an interrupted or failed run from its stored events (see RunOptions.history). The
   * pipeline defaults to what the history's run.started event recorded: its catalogue revision
   * (through the `pipelineCatalog` service), else its file, which must still have the content
   * hash the run started with (PIPELINE_RESUME_CHANGED otherwise; pass `pipeline` to use it anyway).
   */
  resume(history: readonly RunEvent[], options?: Omit<RunOptions, 'history'> & StepOptions & { pipeline?: string | PipelineDef | PreparedPipeline }): Promise<RunResult>;
  /**
   * The pipeline a stored run started with, as resume() finds it: its catalogue revision, else its
   * file while the file still has the recorded content hash (PIPELINE_RESUME_CHANGED otherwise).
   * `command` names the command a message suggests (default `resume`).
   */
  recorded(history: readonly RunEvent[], options?: StepOptions & { command?: string }): Promise<PipelineDef>;
  /** The spec §7 result rebuilt from a stored event log (complete or not). */
  project(events: readonly RunEvent[]): RunResult;
  /**
   * The suspensions a stored run is waiting on, in the order they were asked (each with its first
   * `run.suspended`, so its time is when it was asked); none unless the run is waiting for input.
   */
  waiting(events: readonly RunEvent[]): RunSuspendedEvent[];
  /** Runs a pipeline file, definition or prepared pipeline. */
  run(pipeline: string | PipelineDef | PreparedPipeline, options?: RunOptions & StepOptions): Promise<RunResult>;
  /** Registers a step type under a class name for every pipeline. */
  registerStep(name: string, implementation: StepImplementation): void;
  /** Registers a condition type (`{ type: name, config }`). */
  registerConditionType(name: string, type: ConditionType): void;
  /** Registers a condition for `{ type: 'plugin', config: { plugin: name } }`. */
  registerCondition(name: string, condition: PluginCondition): void;
  /** Registers a comparison operator for expression conditions. */
  registerOperator(name: string, operator: Operator): void;
  /** The plugin's hooks. */
  readonly hooks: PipelineHooks;
}

function toMap(steps: StepOptions['steps']): ReadonlyMap<string, StepImplementation> {
  if (steps === undefined) return new Map();
  return steps instanceof Map ? steps : new Map(Object.entries(steps));
}

/** Builds the pipeline service over the kernel's services and the plugin's hooks. */
export function createPipelineService(hooks: PipelineHooks, services: ServiceReader, load: ModuleLoader): PipelineService {
  const steps = new Map<string, StepImplementation>();
  const pluginConditions = new Map<string, PluginCondition>();
  const conditionTypes: Record<string, ConditionType> = builtinConditionTypes(pluginConditions);
  const operators: Record<string, Operator> = { ...BUILTIN_OPERATORS };
  const registries: Registries = { steps, conditionTypes, operators, load };
  const engineHooks = { claim: hooks['pipeline.claim'], event: hooks['pipeline.event'], beforeStep: hooks['pipeline.beforeStep'] };
  const check: ValidateOptions['check'] = (document, report) => hooks['pipeline.validate'].call(document, report);

  const unique = (kind: string, taken: boolean, name: string): void => {
    if (taken) throw new WeftError(PipelineErrors.STEP_TYPE_DUPLICATE, `A ${kind} named "${name}" is already registered`, { data: { name } });
  };

  const parse = async (document: unknown, options: StepOptions & { baseDir?: string; file?: string; catalog?: CatalogRef } = {}): Promise<PipelineDef> => {
    const baseDir = options.baseDir ?? process.cwd();
    const { report, def } = await validateDocument(document, { baseDir, registries, check, extraSteps: toMap(options.steps), ...(options.file === undefined ? {} : { file: options.file }) });
    if (!report.valid) throw invalid({ name: String((document as JsonObject | null)?.['name'] ?? 'pipeline'), ...(options.file === undefined ? {} : { file: options.file }) }, report.errors);
    return options.catalog === undefined ? def! : { ...def!, catalog: options.catalog };
  };

  /** The pipeline a stored run started with: its catalogue revision, or its file while the file's content is unchanged. */
  const recorded = async (started: RunStartedEvent, options: StepOptions & { command?: string }): Promise<PipelineDef> => {
    const runId = started.run_id;
    const command = options.command ?? 'resume';
    if (started.catalog !== undefined) {
      const { name, revision } = started.catalog;
      if (!services.has('pipelineCatalog')) {
        throw new WeftError(PipelineErrors.RESUME_INVALID, `Run ${runId} ran ${name}@${revision} from the catalogue, which is not enabled; enable the catalog plugin, or pass the pipeline to ${command} it with (weft ${command} --pipeline <file>)`, { data: { run_id: runId } });
      }
      return parseEntry(parse, await services.get('pipelineCatalog').revision(name, revision), { ...options, cwd: process.cwd() });
    }
    if (started.file === undefined) {
      throw new WeftError(PipelineErrors.RESUME_INVALID, `Run ${runId} names no pipeline file; pass the pipeline to ${command} it with`, { data: { run_id: runId } });
    }
    const def = await service.load(started.file, options);
    if (started.hash !== undefined && def.hash !== started.hash) {
      throw new WeftError(PipelineErrors.RESUME_CHANGED, `The pipeline file ${started.file} changed since run ${runId} started; restore it, or ${command} with its new content on purpose (weft ${command} ${runId} --pipeline ${started.file})`, { data: { run_id: runId, file: started.file } });
    }
    return def;
  };

  const service: PipelineService = {
    hooks,
    async load(file, options = {}) {
      const path = resolve(file);
      return parse(await readDocument(path), { ...options, baseDir: dirname(path), file: path });
    },
    parse,
    async validate(source, options = {}) {
      const file = typeof source === 'string' ? resolve(source) : undefined;
      const document = file === undefined ? source : await readDocument(file);
      const baseDir = file === undefined ? (options.baseDir ?? process.cwd()) : dirname(file);
      const { report, def } = await validateDocument(document, { baseDir, registries, check, extraSteps: toMap(options.steps), strict: options.strict === true, skipSteps: options.skipSteps === true, ...(file === undefined ? {} : { file }) });
      return def ? { ...report, def } : report;
    },
    prepare: (def, options = {}) => prepare(def, registries, toMap(options.steps)),
    async run(pipeline, options = {}) {
      const def = typeof pipeline === 'string' ? await service.load(pipeline, options) : pipeline;
      const prepared = 'graph' in def ? def : await prepare(def, registries, toMap(options.steps));
      return execute(prepared, engineHooks, services, options);
    },
    recorded: (history, options = {}) => recorded(startOf(history), options),
    project: (events) => project(events).result(),
    waiting: (events) => (project(events).status === 'waiting_for_input' ? [...suspensionsOf(events).open.values()] : []),
    async resume(history, options = {}) {
      const started = startOf(history);
      const given = options.pipeline;
      const def = given === undefined ? await recorded(started, options) : typeof given === 'string' ? await service.load(given, options) : given;
      const name = 'graph' in def ? def.def.name : def.name;
      if (started.pipeline !== name) {
        throw new WeftError(PipelineErrors.RESUME_INVALID, `Run ${started.run_id} belongs to pipeline "${started.pipeline}", not "${name}"`, { data: { run_id: started.run_id } });
      }
      return service.run(def, { ...options, history });
    },
    registerStep(name, implementation) {
      unique('step type', steps.has(name), name);
      steps.set(name, implementation);
    },
    registerConditionType(name, type) {
      unique('condition type', name in conditionTypes, name);
      conditionTypes[name] = type;
    },
    registerCondition(name, condition) {
      unique('condition', pluginConditions.has(name), name);
      pluginConditions.set(name, condition);
    },
    registerOperator(name, operator) {
      unique('operator', name in operators, name);
      operators[name] = operator;
    },
  };
  return service;
}
