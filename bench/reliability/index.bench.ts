// Case `reliability`: what the reliability plugin adds to a run, per step, on the 10-step no-op
// chain of the engine case. Three kernels run the same prepared pipeline, interleaved in one
// Bench so a busy machine skews them alike:
//  - engine: the pipeline plugin alone (nobody taps its hooks);
//  - durable: pipeline + storage + store-memory + checkpoint (what reliability needs: stored runs);
//  - reliability: durable + reliability (its event and beforeStep taps, the run's records
//    projected and written behind it, the watch over each run record).
// The same two stacks on embedded PGlite (the default deployment) are compared too, before the
// tasks. Target: reliability at most 20% over durable. The ratios go to stderr, from 2,000 interleaved
// rounds (median and mean; each round runs the three alike, on the same heap) and from
// tinybench's tasks, which run one after the other, so the last runs on the largest heap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import type { Kernel } from '../../kernel/kernel.js';
import { createKernel } from '../../kernel/kernel.js';
import checkpoint from '../../plugins/checkpoint/index.js';
import pipelinePlugin from '../../plugins/pipeline/index.js';
import reliability from '../../plugins/reliability/index.js';
import storage from '../../plugins/storage/index.js';
import storeMemory from '../../plugins/store-memory/index.js';
import storeSql from '../../plugins/store-sql/index.js';

const noop = async (): Promise<Record<string, unknown>> => ({});
const chain = {
  name: 'chain-10',
  steps: Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, step_class: 'noop' })),
  flow: { start_at: 's0', transitions: Array.from({ length: 9 }, (_, i) => ({ from: `s${i}`, to: `s${i + 1}` })) },
};

const TASKS = { engine: 'engine alone: chain-10 run', durable: 'durable (memory store): chain-10 run', reliability: 'durable + reliability: chain-10 run' } as const;

/** Steps per run of each task: the runner divides by these for the per-step cost. */
export const units = { [TASKS.engine]: 10, [TASKS.durable]: 10, [TASKS.reliability]: 10 };

async function runner(plugins: Parameters<typeof createKernel>[0]['plugins'], kernels: Kernel[], cwd?: string): Promise<() => Promise<unknown>> {
  const kernel = createKernel({ plugins, ...(cwd === undefined ? {} : { cwd }) });
  await kernel.boot();
  kernels.push(kernel);
  const pipeline = kernel.services.get('pipeline');
  const steps = { noop };
  const prepared = await pipeline.prepare(await pipeline.parse(chain, { steps }), { steps });
  return () => pipeline.run(prepared);
}

/**
 * The default deployment: the same comparison with the stores in embedded PGlite (one data
 * directory each), 300 interleaved rounds after 50 of warm-up; ratios of medians and means to stderr.
 */
async function pglite(): Promise<void> {
  const dirs = [mkdtempSync(join(tmpdir(), 'weft-bench-rel-')), mkdtempSync(join(tmpdir(), 'weft-bench-rel-'))];
  const own: Kernel[] = [];
  try {
    const durable = await runner([pipelinePlugin, storage, storeSql, checkpoint], own, dirs[0]);
    const withReliability = await runner([pipelinePlugin, storage, storeSql, checkpoint, reliability], own, dirs[1]);
    const times: [number[], number[]] = [[], []];
    for (let i = 0; i < 350; i++) {
      for (const [slot, run] of [durable, withReliability].entries()) {
        const t0 = performance.now();
        await run();
        if (i >= 50) times[slot]!.push(performance.now() - t0);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [d, r] = times;
    process.stderr.write(
      `reliability: on PGlite, per step: durable median ${((median(d) * 1000) / 10).toFixed(1)} µs, with reliability ${((median(r) * 1000) / 10).toFixed(1)} µs — ` +
        `${(median(r) / median(d)).toFixed(2)}× median, ${(mean(r) / mean(d)).toFixed(2)}× mean (target ≤ 1.2×)\n`,
    );
  } finally {
    for (const kernel of own) await kernel.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

export default async function reliabilityBench(): Promise<Bench> {
  const kernels: Kernel[] = [];
  const runs = {
    engine: await runner([pipelinePlugin], kernels),
    durable: await runner([pipelinePlugin, storage, storeMemory, checkpoint], kernels),
    reliability: await runner([pipelinePlugin, storage, storeMemory, checkpoint, reliability], kernels),
  };
  const times: Record<keyof typeof runs, number[]> = { engine: [], durable: [], reliability: [] };
  for (let i = 0; i < 2300; i++) {
    for (const name of ['engine', 'durable', 'reliability'] as const) {
      const t0 = performance.now();
      await runs[name]();
      if (i >= 300) times[name].push(performance.now() - t0);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [label, stat] of [['median', median], ['mean', mean]] as const) {
    const step = (name: keyof typeof runs) => (stat(times[name]) * 1000) / 10;
    process.stderr.write(
      `reliability: interleaved rounds, per step (${label}): engine ${step('engine').toFixed(2)} µs, durable ${step('durable').toFixed(2)} µs, reliability ${step('reliability').toFixed(2)} µs — ` +
        `reliability/durable ${(step('reliability') / step('durable')).toFixed(2)}× (target ≤ 1.2×), reliability/engine ${(step('reliability') / step('engine')).toFixed(2)}×\n`,
    );
  }

  await pglite();

  const bench = new Bench({ name: 'reliability', time: 1000, warmupTime: 200 });
  bench.add(TASKS.engine, runs.engine).add(TASKS.durable, runs.durable).add(TASKS.reliability, runs.reliability);
  bench.addEventListener('complete', () => {
    const mean = (task: string) => bench.getTask(task)!.result;
    const [d, r] = [mean(TASKS.durable), mean(TASKS.reliability)];
    if (d.state === 'completed' && r.state === 'completed') process.stderr.write(`reliability: tinybench tasks: reliability/durable ${(r.latency.mean / d.latency.mean).toFixed(2)}× mean\n`);
    for (const kernel of kernels) void kernel.close();
  });
  return bench;
}
