import { resolve } from 'node:path';
import { WeftError, type Command, type RunEvent } from '#kernel';
import { PipelineErrors } from '../errors.js';
import { readSteps, stepsOption } from './options.js';
import { exitCode, progress, summary } from './output.js';

/** `weft resume <run-id>`: continues a stored run that failed or was interrupted. */
export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Continue a stored run that failed or was interrupted',
  args: '<run-id>',
  positionals: { min: 1, max: 1 },
  description:
    'Completed steps are not run again; the step that was interrupted runs again. Exit status as for `weft run`.\n' +
    'A run started from the catalogue resumes with the revision it ran; one started from a file, with that file,\n' +
    'which must be unchanged (PIPELINE_RESUME_CHANGED) unless --pipeline names the file to resume with.',
  options: {
    json: { type: 'boolean', description: 'Print exactly the result object as JSON' },
    steps: stepsOption,
    pipeline: { type: 'string', value: '<file>', description: 'Resume with this pipeline file as it is now (the run\'s own file after an edit, or another file of the same pipeline)' },
  },
  async run({ positionals, values, io, services }) {
    const runId = positionals[0]!;
    const history = await services.get('runHistory').events(runId);
    const pipeline = services.get('pipeline');
    const { status } = pipeline.project(history);
    if (status === 'completed' || status === 'cancelled') {
      throw new WeftError(PipelineErrors.RESUME_INVALID, `Run ${runId} is ${status}; there is nothing to resume`, { data: { run_id: runId } });
    }
    const steps = await readSteps(values['steps'] as string | undefined, io.cwd);
    const json = values['json'] === true;
    if (!json) io.stderr(`▸ resuming ${runId}\n`);
    const file = values['pipeline'] as string | undefined;
    const result = await pipeline.resume(history, { steps, ...(file === undefined ? {} : { pipeline: resolve(io.cwd, file) }), ...(json ? {} : { onEvent: (event: RunEvent) => progress(event, io.stderr) }) });
    io.stdout(json ? `${JSON.stringify(result, null, 2)}\n` : summary(result));
    return exitCode(result);
  },
};
