import type { RunEvent, RunResult } from '#kernel';

/** One progress line per finished step, for stderr. */
export function progress(event: RunEvent, write: (text: string) => void): void {
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

/** The human summary of a run result. */
export function summary(result: RunResult): string {
  const lines = [`${result.pipeline}: ${result.status} (run ${result.run_id}, ${result.execution_path.length} step runs)`];
  if (result.error) lines.push(`error [${result.error.code}]${result.error.step_id ? ` in ${result.error.step_id}` : ''}: ${result.error.message}`);
  lines.push(`path: ${result.execution_path.join(' → ') || '(none)'}`);
  lines.push(`output: ${JSON.stringify(result.output, null, 2)}`);
  return `${lines.join('\n')}\n`;
}

/** 0 when the run completed or waits for input, 1 otherwise. */
export function exitCode(result: RunResult): number {
  return result.status === 'completed' || result.status === 'waiting_for_input' ? 0 : 1;
}
