import { WeftError, type Command, type RunEvent, type RunStatus, type RunStore, type RunSummary } from '#kernel';
import { expand } from './compact.js';
import { CheckpointErrors } from './errors.js';

const STATUSES: readonly RunStatus[] = ['running', 'completed', 'failed', 'waiting_for_input', 'cancelled'];

/** A stored run's events with their inputs restored; RUN_NOT_FOUND when nothing is stored. */
export async function storedEvents(runs: () => Promise<RunStore>, runId: string): Promise<RunEvent[]> {
  const events = await (await runs()).events(runId);
  if (events.length === 0) throw new WeftError(CheckpointErrors.RUN_NOT_FOUND, `No run "${runId}" is stored; \`weft runs list\` shows the runs there are`, { data: { run_id: runId } });
  return expand(events);
}

function table(runs: RunSummary[]): string {
  const rows = [['run', 'pipeline', 'status', 'started', 'events'], ...runs.map((r) => [r.run_id, r.pipeline, r.status, r.started_at, String(r.events)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** `weft runs list`: stored runs, newest first. */
export const listCommand: Command = {
  name: 'runs list',
  summary: 'List stored runs, newest first',
  options: {
    status: { type: 'string', value: '<status>', description: `Only runs in this status (${STATUSES.join(', ')})` },
    pipeline: { type: 'string', value: '<name>', description: 'Only runs of this pipeline' },
    limit: { type: 'string', value: '<n>', description: 'At most n runs (default 50)' },
    json: { type: 'boolean', description: 'Print the runs as JSON' },
  },
  async run({ values, io, services }) {
    const status = values['status'] as RunStatus | undefined;
    if (status !== undefined && !STATUSES.includes(status)) throw new WeftError('KERNEL_CLI_USAGE', `--status must be one of ${STATUSES.join(', ')}`);
    const limit = Number(values['limit'] ?? 50);
    if (!Number.isInteger(limit) || limit < 1) throw new WeftError('KERNEL_CLI_USAGE', '--limit must be a positive integer');
    const pipeline = values['pipeline'] as string | undefined;
    // A damaged run is reported and left out, so it does not hide the others; the exit code says so.
    const problems: WeftError[] = [];
    const runs = await (await services.get('storage').runs()).list({ limit, ...(status ? { status } : {}), ...(pipeline ? { pipeline } : {}) }, (problem) => void problems.push(problem));
    io.stdout(values['json'] === true ? `${JSON.stringify(runs, null, 2)}\n` : runs.length ? table(runs) : 'No runs stored.\n');
    for (const problem of problems) io.stderr(`warning [${problem.code}] ${problem.message}\n`);
    return problems.length === 0 ? 0 : 1;
  },
};

/** `weft runs show <id>`: the run's result rebuilt from its stored events. */
export const showCommand: Command = {
  name: 'runs show',
  summary: 'Show a stored run (the result rebuilt from its events)',
  args: '<run-id>',
  positionals: { min: 1, max: 1 },
  options: { json: { type: 'boolean', description: 'Print exactly the result object as JSON' } },
  async run({ positionals, values, io, services }) {
    const result = services.get('pipeline').project(await services.get('runHistory').events(positionals[0]!));
    if (values['json'] === true) {
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      io.stdout(`${result.pipeline}: ${result.status} (run ${result.run_id})\n`);
      for (const r of result.step_runs) io.stdout(`  ${r.status === 'completed' ? '✓' : r.status === 'failed' ? '✗' : '…'} ${r.step_id}${r.iteration > 1 ? ` #${r.iteration}` : ''} ${r.started_at}${r.error ? ` [${r.error.code}] ${r.error.message}` : ''}\n`);
      if (result.error) io.stdout(`error [${result.error.code}]: ${result.error.message}\n`);
    }
    return 0;
  },
};
