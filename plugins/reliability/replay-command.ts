import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WeftError, importModule, type Command, type JsonObject, type StepImplementation } from '#kernel';
import { ReliabilityErrors } from './errors.js';
import { REPLAY_MODES, replay, type Difference, type ReplayDeps, type ReplayMode, type ReplayResult } from './replay.js';

const invalid = (flag: string, message: string): WeftError => new WeftError(ReliabilityErrors.REPLAY_OPTION_INVALID, message, { path: flag });

function jsonObject(text: string, flag: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e: unknown) {
    throw invalid(flag, `${flag} is not valid JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(flag, `${flag} must be a JSON object`);
  return value as JsonObject;
}

/** The counterfactual input from `--input <json>` or `--input-file <file>`; undefined when neither is given. */
async function readInput(values: Record<string, unknown>, cwd: string): Promise<JsonObject | undefined> {
  const inline = values['input'] as string | undefined;
  const file = values['input-file'] as string | undefined;
  if (inline !== undefined && file !== undefined) throw invalid('--input', 'Give --input or --input-file, not both');
  if (inline !== undefined) return jsonObject(inline, '--input');
  if (file === undefined) return undefined;
  const text = await readFile(resolve(cwd, file), 'utf8').catch((e: unknown) => {
    throw invalid('--input-file', `--input-file ${file} cannot be read: ${(e as NodeJS.ErrnoException).code}`);
  });
  return jsonObject(text, '--input-file');
}

/** Step implementations from a `--steps` module file: each function export under its export name. */
async function readSteps(file: string | undefined, cwd: string): Promise<Map<string, StepImplementation> | undefined> {
  if (file === undefined) return undefined;
  const mod = await importModule(resolve(cwd, file), cwd);
  return new Map(Object.entries(mod).filter((entry): entry is [string, StepImplementation] => typeof entry[1] === 'function'));
}

const shown = (value: unknown): string => (value === undefined ? '(absent)' : JSON.stringify(value));

const line = (d: Difference): string => `  ${d.significance.padEnd(8)} ${d.field} at ${d.location}: ${shown(d.original_value)} → ${shown(d.replayed_value)}\n`;

/** The human report: verdict, outcomes, then each difference with its significance. */
export function replayReport(r: ReplayResult): string {
  const head = `replay of run ${r.run_id} (${r.mode}) as ${r.replay_run_id}: `;
  if (r.error) return `${head}could not run\nerror [${r.error.code}]: ${r.error.message}\n`;
  const critical = r.differences.filter((d) => d.significance === 'critical').length;
  const verdict = r.exact_match ? 'exact match' : `${r.differences.length} difference${r.differences.length === 1 ? '' : 's'}${critical ? `, ${critical} critical` : ''}`;
  return `${head}${verdict} (${Math.round(r.duration_ms)} ms)\n  original ${r.original_outcome.status}, replayed ${r.replayed_outcome!.status}\n${r.differences.map(line).join('')}`;
}

/** `weft replay <run-id>`: re-runs a stored run from its recording and reports how the replay differs. Exit 1 when something critical differs. */
export function replayCommand(deps: ReplayDeps): Command {
  return {
    name: 'replay',
    summary: 'Replay a stored run from its recorded step outputs and report the differences',
    args: '<run-id>',
    positionals: { min: 1, max: 1 },
    description:
      'strict (default) runs no step for real; simulated runs the steps the recording lacks; counterfactual runs with --input, ' +
      'running for real each step whose input changed. Exit status 1 when a critical difference is found.',
    options: {
      mode: { type: 'string', value: `<${REPLAY_MODES.join('|')}>`, description: 'How to replay (default strict)' },
      pipeline: { type: 'string', value: '<file>', description: 'A changed pipeline file to replay with (default the run\'s own)' },
      input: { type: 'string', value: '<json>', description: 'Counterfactual input, a JSON object' },
      'input-file': { type: 'string', value: '<file>', description: 'Counterfactual input read from a JSON file' },
      steps: { type: 'string', value: '<file>', description: 'Module file whose function exports are step classes by name' },
      json: { type: 'boolean', description: 'Print the replay result as JSON' },
    },
    async run({ positionals, values, io }) {
      const mode = (values['mode'] ?? 'strict') as ReplayMode;
      const input = await readInput(values, io.cwd);
      const steps = await readSteps(values['steps'] as string | undefined, io.cwd);
      const pipeline = values['pipeline'] as string | undefined;
      const result = await replay(deps, positionals[0]!, {
        mode,
        ...(input === undefined ? {} : { input }),
        ...(pipeline === undefined ? {} : { pipeline: resolve(io.cwd, pipeline) }),
        ...(steps === undefined ? {} : { steps }),
      });
      io.stdout(values['json'] === true ? `${JSON.stringify(result, null, 2)}\n` : replayReport(result));
      return result.success ? 0 : 1;
    },
  };
}
