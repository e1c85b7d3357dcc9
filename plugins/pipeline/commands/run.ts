import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { WeftError, type Command, type RunEvent, type ServiceReader, type StepImplementation } from '#kernel';
import { parseEntry } from '../catalog-entry.js';
import { PipelineErrors } from '../errors.js';
import type { PipelineDef } from '../model.js';
import { readInput, readParams, readRunId, readSteps, stepsOption, usage } from './options.js';
import { exitCode, progress, summary } from './output.js';

/** An argument with a path separator or a pipeline file extension means a file, even when none exists. */
const PATH_LIKE = /[\\/]|\.(json|ya?ml)$/i;

/**
 * A pipeline file, or, when no such file exists and the catalogue plugin is enabled, a stored
 * pipeline `name[@revision|@version]` (its step modules resolve next to the file it was imported
 * from). An argument that is neither is CATALOG_NOT_FOUND, unless it looks like a path: then the
 * missing file is PIPELINE_FILE_UNREADABLE.
 */
async function loadTarget(target: string, cwd: string, services: ServiceReader, steps: ReadonlyMap<string, StepImplementation>): Promise<PipelineDef> {
  const pipeline = services.get('pipeline');
  const path = resolve(cwd, target);
  if (existsSync(path) || !services.has('pipelineCatalog')) return pipeline.load(path, { steps });
  const catalog = services.get('pipelineCatalog');
  const entry = PATH_LIKE.test(target) ? await catalog.find(target) : await catalog.resolve(target);
  return entry ? parseEntry(pipeline.parse, entry, { steps, cwd }) : pipeline.load(path, { steps });
}

/** A `--run-id` already stored would mix two runs' events: refused before anything runs. */
async function refuseTaken(runId: string, services: ServiceReader): Promise<void> {
  const storage = services.find('storage');
  const stored = storage && (await (await storage.runs()).get(runId));
  if (stored) {
    throw new WeftError(PipelineErrors.RUN_ID_TAKEN, `A run with id "${runId}" is already stored (pipeline ${stored.pipeline}, ${stored.status}); choose another --run-id (weft resume ${runId} continues a failed or interrupted run)`, { path: '--run-id', data: { run_id: runId } });
  }
}

/** `weft run <file>`: runs a pipeline and prints progress and a summary, or the result as JSON. */
export const runCommand: Command = {
  name: 'run',
  summary: 'Run a pipeline file (or a catalogue pipeline, name[@revision|@version])',
  args: '<file|name[@version]>',
  positionals: { min: 1, max: 1 },
  description:
    'A catalogue pipeline is name (the latest revision), name@<revision> or name@<version> (the latest revision declaring that version);\n' +
    'digits name a revision when that revision is stored, else a version.\n' +
    'Exit status: 0 when the run completed or waits for input, 1 when it failed or the file is invalid, 2 for usage errors.',
  options: {
    input: { type: 'string', value: '<json>|@file.json', description: 'Run input as JSON, or @path to a JSON file' },
    param: { type: 'string', multiple: true, value: '<key=value>', description: 'Parameter value (repeatable); JSON values are parsed' },
    json: { type: 'boolean', description: 'Print exactly the result object as JSON on stdout' },
    steps: stepsOption,
    'run-id': { type: 'string', value: '<id>', description: 'Id for the run (default: a random UUID)' },
  },
  async run({ positionals, values, io, services }) {
    let input;
    let parameters;
    let runId;
    try {
      input = await readInput(values['input'] as string | undefined, io.cwd);
      parameters = readParams(values['param'] as string[] | undefined);
      runId = readRunId(values['run-id'] as string | undefined);
    } catch (e: unknown) {
      return usage(io, e as WeftError);
    }
    const steps = await readSteps(values['steps'] as string | undefined, io.cwd);
    const pipeline = services.get('pipeline');
    const def = await loadTarget(positionals[0]!, io.cwd, services, steps);
    if (runId !== undefined) await refuseTaken(runId, services);
    const json = values['json'] === true;
    if (!json) io.stderr(`▸ ${def.name}\n`);
    const result = await pipeline.run(def, {
      input,
      parameters,
      steps,
      ...(runId === undefined ? {} : { run_id: runId }),
      ...(json ? {} : { onEvent: (event: RunEvent) => progress(event, io.stderr) }),
    });
    io.stdout(json ? `${JSON.stringify(result, null, 2)}\n` : summary(result));
    return exitCode(result);
  },
};
