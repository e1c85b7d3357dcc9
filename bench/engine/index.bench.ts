// Engine cost per step, in memory, with nobody tapping the hooks: no-op chains of 10 and 1,000
// steps (per-step cost must not grow with length), a 10-wide fan-out joined by one step, and a
// 5-iteration loop. Each task is one whole run; `units` gives the steps it runs, so the runner
// reports the per-step figure. Also checks that heap does not grow across 100,000 runs.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Bench } from 'tinybench';
import { createKernel } from '../../kernel/kernel.js';
import pipelinePlugin from '../../plugins/pipeline/index.js';

const noop = async (): Promise<Record<string, unknown>> => ({});
const counter = async (_input: unknown, ctx: { iteration: number }): Promise<Record<string, unknown>> => ({ n: ctx.iteration });

function chain(n: number): Record<string, unknown> {
  return {
    name: `chain-${n}`,
    steps: Array.from({ length: n }, (_, i) => ({ id: `s${i}`, step_class: 'noop' })),
    flow: { start_at: 's0', transitions: Array.from({ length: n - 1 }, (_, i) => ({ from: `s${i}`, to: `s${i + 1}` })) },
  };
}

const fanOut = {
  name: 'fan-out-10',
  steps: [{ id: 'split', step_class: 'noop' }, ...Array.from({ length: 10 }, (_, i) => ({ id: `b${i}`, step_class: 'noop' })), { id: 'join', step_class: 'noop' }],
  flow: {
    start_at: 'split',
    transitions: [...Array.from({ length: 10 }, (_, i) => ({ from: 'split', to: `b${i}` })), ...Array.from({ length: 10 }, (_, i) => ({ from: `b${i}`, to: 'join' }))],
  },
};

const loop = {
  name: 'loop-5',
  steps: [{ id: 'work', step_class: 'counter' }, { id: 'check', step_class: 'noop' }],
  flow: {
    start_at: 'work',
    transitions: [
      { from: 'work', to: 'check' },
      { from: 'check', to: 'work', condition: { type: 'expression', config: { source: 'work.n', operator: '<', value: 5 } } },
      { from: 'check', to: 'end', condition: { type: 'expression', config: { source: 'work.n', operator: '>=', value: 5 } } },
    ],
  },
};

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Steps per run of each task: the runner divides by these for the per-step cost. */
export const units = {
  'chain-10 run (10 steps)': 10,
  'chain-1000 run (1000 steps)': 1000,
  'fan-out-10 with join run (12 steps)': 12,
  'loop-5 run (10 steps)': 10,
};

export default async function engineBench(): Promise<Bench> {
  const kernel = createKernel({ plugins: [pipelinePlugin] });
  await kernel.boot();
  const pipeline = kernel.services.get('pipeline');
  const steps = { noop, counter };
  const prepare = async (doc: Record<string, unknown>) => pipeline.prepare(await pipeline.parse(doc, { steps }), { steps });
  const [c10, c1000, fan, cycle] = await Promise.all([prepare(chain(10)), prepare(chain(1000)), prepare(fanOut), prepare(loop)]);

  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 100_000; i++) await pipeline.run(c10);
  collectGarbage();
  const growth = process.memoryUsage().heapUsed - before;
  process.stderr.write(`engine: heap growth after 100,000 runs of chain-10: ${(growth / 1024).toFixed(0)} KiB\n`);

  const bench = new Bench({ name: 'engine', time: 1000, warmupTime: 200 });
  bench
    .add('chain-10 run (10 steps)', () => pipeline.run(c10))
    .add('chain-1000 run (1000 steps)', () => pipeline.run(c1000))
    .add('fan-out-10 with join run (12 steps)', () => pipeline.run(fan))
    .add('loop-5 run (10 steps)', () => pipeline.run(cycle));
  bench.addEventListener('complete', () => void kernel.close());
  return bench;
}
