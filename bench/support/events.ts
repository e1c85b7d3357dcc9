// Run events as the engine writes them, for the storage benchmarks.
import { randomBytes } from 'node:crypto';
import type { RunEvent } from '../../kernel/index.js';

const WORDS = 'the a run step output model agent tool plan result review data text summary answer question search source page report draft table value error retry check score final user system token context memory'.split(' ');

/** 10,000 characters: random base64 (incompressible, the worst case) or words (like an LLM's text). */
export function tenKilobytes(kind: 'random' | 'text'): string {
  if (kind === 'random') return randomBytes(7500).toString('base64');
  let text = '';
  while (text.length < 10_000) text += `${WORDS[Math.floor(Math.random() * WORDS.length)]!} `;
  return text.slice(0, 10_000);
}

/** One step's events, from `seq`, with `output` as the step's output. */
export function stepEvents(run_id: string, seq: number, output: Record<string, unknown>): RunEvent[] {
  const at = Date.now();
  return [
    { type: 'step.started', run_id, seq, at, step_id: `s${seq}`, iteration: 1, attempt: 1, input: {} },
    { type: 'step.completed', run_id, seq: seq + 1, at, step_id: `s${seq}`, iteration: 1, attempt: 1, output, duration_ms: 0.05 },
    { type: 'route.decided', run_id, seq: seq + 2, at, step_id: `s${seq}`, iteration: 1, evaluated: [{ to: `s${seq + 3}`, held: true }], taken: [`s${seq + 3}`] },
  ];
}

/** The run.started event of a benchmark run. */
export const started = (run_id: string): RunEvent => ({ type: 'run.started', run_id, seq: 1, at: Date.now(), pipeline: 'bench', version: '1', input: {}, parameters: {} });
