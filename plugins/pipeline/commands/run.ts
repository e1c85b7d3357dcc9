import { WeftError, type Command, type RunEvent, type RunResult } from '#kernel';
import { readInput, readParams, readSteps, stepsOption, usage } from './options.js';

function progress(event: RunEvent, write: (text: string) => void): void {
  switch (event.type) {
    case 'step.completed':
      write(`  ✓ ${event.step_id}${event.iteration > 1 ? ` #${event.iteration}` : ''} ${event.duration_ms.toFixed(1)} ms${event.recovered ? ` (${event.recovered})` : ''}\n`);
      return;
    case 'step.failed':
      write(`  ✗ ${event.step_id}${event.iteration > 1 ? ` #${event.iteration}` : ''} [${event.error.code}] ${event.error.message}${event.will_retry ? ` — retrying in ${event.delay_ms} ms` : ''}\n`);
      return;
    case 'run.suspended':
      write(`  ⏸ ${event.step_id} is waiting for input\n`);
      return;
    default:
      return;
  }
}

function summary(result: RunResult): string {
  const lines = [`${result.pipeline}: ${result.status} (run ${result.run_id}, ${result.execution_path.length} step runs)`];
  if (result.error) lines.push(`error [${result.error.code}]${result.error.step_id ? ` in ${result.error.step_id}` : ''}: ${result.error.message}`);
  lines.push(`path: ${result.execution_path.join(' → ') || '(none)'}`);
  lines.push(`output: ${JSON.stringify(result.output, null, 2)}`);
  return `${lines.join('\n')}\n`;
}

/** `weft run <file>`: runs a pipeline and prints progress and a summary, or the result as JSON. */
export const runCommand: Command = {
  name: 'run',
  summary: 'Run a pipeline file',
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
    const file = positionals[0]!;
    const def = await pipeline.load(file.startsWith('/') ? file : `${io.cwd}/${file}`, { steps });
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
    return result.status === 'completed' || result.status === 'waiting_for_input' ? 0 : 1;
  },
};
