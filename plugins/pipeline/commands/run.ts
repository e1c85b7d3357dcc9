import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { WeftError, type Command, type RunEvent, type ServiceReader, type StepImplementation } from '#kernel';
import type { PipelineDef } from '../model.js';
import { readInput, readParams, readSteps, stepsOption, usage } from './options.js';
import { exitCode, progress, summary } from './output.js';

/**
 * A pipeline file, or, when no such file exists and the catalogue plugin is enabled, a stored
 * pipeline `name[@revision]` (its step modules resolve next to the file it was imported from).
 */
async function loadTarget(target: string, cwd: string, services: ServiceReader, steps: ReadonlyMap<string, StepImplementation>): Promise<PipelineDef> {
  const pipeline = services.get('pipeline');
  const path = resolve(cwd, target);
  const entry = !existsSync(path) && services.has('pipelineCatalog') ? await services.get('pipelineCatalog').resolve(target) : undefined;
  if (!entry) return pipeline.load(path, { steps });
  return pipeline.parse(entry.definition, { steps, baseDir: entry.source ? dirname(entry.source) : cwd, ...(entry.source ? { file: entry.source } : {}) });
}

/** `weft run <file>`: runs a pipeline and prints progress and a summary, or the result as JSON. */
export const runCommand: Command = {
  name: 'run',
  summary: 'Run a pipeline file (or a catalogue pipeline, name[@revision])',
  args: '<file>',
  positionals: { min: 1, max: 1 },
  description: 'Exit status: 0 when the run completed or waits for input, 1 when it failed or the file is invalid, 2 for usage errors.',
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
    try {
      input = await readInput(values['input'] as string | undefined, io.cwd);
      parameters = readParams(values['param'] as string[] | undefined);
    } catch (e: unknown) {
      return usage(io, e as WeftError);
    }
    const steps = await readSteps(values['steps'] as string | undefined, io.cwd);
    const pipeline = services.get('pipeline');
    const def = await loadTarget(positionals[0]!, io.cwd, services, steps);
    const runId = values['run-id'] as string | undefined;
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
